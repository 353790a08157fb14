// Agent-facing handlers: registration, heartbeats, job events, node
// failure; and how a job ends.
#include <algorithm>
#include <cstdio>

#include "proto/daemon_channel.h"
#include "scheduler/daemon/controller.h"
#include "scheduler/job_options.h"
#include "scheduler/job_state.h"

namespace tatami {
namespace {

bool UsesNode(const v1::JobInfo& job, const std::string& node) {
  for (const auto& a : job.allocation()) {
    if (a.node() == node) return true;
  }
  return false;
}

}  // namespace

std::vector<NodeShare> Controller::SharesOf(const v1::JobInfo& job) const {
  std::vector<NodeShare> shares;
  for (const auto& a : job.allocation()) {
    auto index = node_index_.find(a.node());
    uint32_t hint = index == node_index_.end() ? UINT32_MAX : static_cast<uint32_t>(index->second);
    shares.push_back(
        {a.node(), a.cpus(), a.mem_mib(), {a.devices().begin(), a.devices().end()}, hint});
  }
  return shares;
}

AgentLink* Controller::LinkLocked(const std::string& address) {
  auto& link = links_[address];
  if (!link) {
    AgentLink::Callbacks callbacks;
    callbacks.launch_failed = [this](uint64_t job, const std::string& node,
                                     const std::string& why) { OnLaunchFailed(job, node, why); };
    // No lock: the metric is atomic and the log line is all there is to do.
    callbacks.terminate_given_up = [this](const v1::TerminateRequest& request,
                                          const std::string& why) {
      metrics_.CountTerminateGivenUp();
      fprintf(stderr, "tatamid: %s; gave up on a terminate of job %llu on %s\n", why.c_str(),
              static_cast<unsigned long long>(request.job_id()), request.node().c_str());
    };
    link = std::make_unique<AgentLink>(address, std::move(callbacks));
  }
  return link.get();
}

void Controller::UpdateNodeStateLocked(size_t i) {
  Node& node = nodes_[i];
  if (node.state == v1::NODE_DOWN || node.state == v1::NODE_UNKNOWN || node.state == v1::NODE_DRAIN)
    return;
  const NodeResources& r = resources_[i];
  if (r.running_jobs == 0) {
    node.state = v1::NODE_IDLE;
  } else if (r.exclusive_owned || r.cpus_free == 0 ||
             (r.DevicesTotal() > 0 && r.DevicesFree() == 0)) {
    node.state = v1::NODE_ALLOCATED;
  } else {
    node.state = v1::NODE_MIXED;
  }
}

void Controller::UpdateNodeStatesLocked(const v1::JobInfo& job) {
  for (const auto& a : job.allocation()) {
    int i = FindNodeLocked(a.node());
    if (i >= 0) UpdateNodeStateLocked(static_cast<size_t>(i));
  }
}

void Controller::ReleaseLocked(const v1::JobInfo& job) {
  if (!active_ids_.erase(job.job_id())) return;
  ReleaseShares(SharesOf(job), job.spec().exclusive(), resources_);
  UpdateNodeStatesLocked(job);
}

void Controller::TerminateOnNodesLocked(const v1::JobInfo& job, int signal, DurationMs kill_wait) {
  for (const auto& a : job.allocation()) {
    int i = FindNodeLocked(a.node());
    if (i < 0 || nodes_[i].agent_address.empty() || nodes_[i].state == v1::NODE_DOWN) continue;
    v1::TerminateRequest t;
    t.set_job_id(job.job_id());
    t.set_node(a.node());
    t.set_run_start_time(job.start_time());
    t.set_signal(signal);
    t.set_kill_wait_ms(kill_wait >= 0 ? kill_wait : config_.kill_wait);
    LinkLocked(nodes_[i].agent_address)->Terminate(std::move(t));
  }
}

void Controller::EndRunLocked(v1::JobInfo& job, TimeMs end, const std::string& outcome) {
  if (job.start_time() <= 0 || job.allocation_size() == 0) return;
  *job.add_runs() = MakeRunRecord(job, end, outcome);
  const v1::RunRecord& run = job.runs(job.runs_size() - 1);
  ledger_.Freeze(job, run);
  fair_share_usage_.AddRun(AccountOf(job), CapacityOfRun(run), run.start_time(), end);
  metrics_.ObserveRunTime(RunPartition(job),
                          static_cast<double>(std::max<TimeMs>(0, end - job.start_time())) / 1000);
}

void Controller::FinishJobLocked(v1::JobInfo& job, JobState state, const std::string& reason) {
  bool was_active = IsActive(job.state());
  TimeMs now = clock_.Now();
  if (was_active) EndRunLocked(job, now, OutcomeOf(state));
  job.set_state(state);
  job.set_reason(reason);
  job.set_end_time(now);
  ++finished_[{state, RunPartition(job), job.spec().account()}];
  CountUnfinishedLocked(job.spec(), -1);
  pending_ids_.erase(job.job_id());
  requests_.erase(job.job_id());
  missing_from_config_.erase(job.job_id());
  if (was_active) {
    // The batch node has ended; other nodes may still run job processes
    // (orted, ranks). They get the same SIGTERM/SIGKILL treatment.
    if (job.allocation_size() > 1) TerminateOnNodesLocked(job, 0);
    ReleaseLocked(job);
  }
  finishing_ids_.insert(job.job_id());  // AwaitWrite reports it done
  if (config_.min_job_age > 0) ended_.emplace_back(now, job.job_id());
  Wake();
}

void Controller::RequeueJobLocked(v1::JobInfo& job, const std::string& reason, bool ran,
                                  const char* outcome) {
  if (IsActive(job.state())) EndRunLocked(job, clock_.Now(), outcome);
  job.set_preempt_time(0);
  job.set_moving(false);
  job.set_movable(false);
  job.set_requeue_requested(false);
  TerminateOnNodesLocked(job, 0);
  ReleaseLocked(job);
  job.set_state(v1::PENDING);
  job.set_reason(reason);
  if (ran) job.set_restart_count(job.restart_count() + 1);
  job.set_start_time(0);
  job.clear_allocation();
  // Pending again, it may take any of its options, with their own limits.
  job.set_run_option(0);
  job.clear_partition();
  job.clear_qos();
  job.set_time_limit_ms(RequestedTimeLimit(job.spec()));
  job.set_limit_lowered(false);
  job.set_eligible_time(clock_.Now());
  pending_ids_.insert(job.job_id());
  Wake();
}

void Controller::ApplyEventLocked(const v1::JobEvent& ev, std::vector<v1::JobInfo>& changed) {
  auto it = jobs_.find(ev.job_id());
  if (it == jobs_.end()) return;
  v1::JobInfo& job = it->second;
  if (!IsActive(job.state())) {
    // A late or repeated report. The agent repeats one when our answer was
    // an error, as when the store could not write the job's end: writing the
    // record again heals the store, which would otherwise say RUNNING forever.
    if (IsTerminal(job.state())) changed.push_back(job);
    return;
  }
  if (job.allocation_size() == 0 || job.allocation(0).node() != ev.node()) return;
  switch (ev.kind()) {
    case v1::JobEvent::EXITED: {
      job.set_cpu_time_ms(ev.cpu_time_ms());
      job.set_max_rss_bytes(ev.max_rss_bytes());
      job.set_exit_code(ev.exit_code());
      job.set_exit_signal(ev.exit_signal());
      if (job.requeue_requested()) {
        RequeueJobLocked(job, "requeued on request", /*ran=*/true, kOutcomeRequeued);
        changed.push_back(job);
        break;
      }
      if (job.preempt_time() > 0 && !job.cancel_requested()) {
        PreemptedEndLocked(job);
        changed.push_back(job);
        break;
      }
      JobState end = v1::COMPLETED;
      std::string reason = "None";
      if (job.cancel_requested()) {
        end = v1::CANCELLED;
      } else if (ev.timed_out()) {
        end = v1::TIMEOUT;
        reason = "TimeLimit";
      } else if (ev.exit_code() != 0 || ev.exit_signal() != 0) {
        end = v1::FAILED;
        reason = "NonZeroExitCode";
      }
      FinishJobLocked(job, end, reason);
      changed.push_back(job);
      break;
    }
    case v1::JobEvent::LAUNCH_FAILED:
      job.set_exit_code(1);
      FinishJobLocked(job, v1::FAILED, "launch failed on " + ev.node() + ": " + ev.message());
      changed.push_back(job);
      break;
    default:
      break;
  }
}

Status Controller::ReportJobs(const v1::ReportJobsRequest& req) {
  QueuedWrite write;
  {
    std::unique_lock lock(mu_);
    std::vector<v1::JobInfo> changed;
    for (const auto& ev : req.events()) ApplyEventLocked(ev, changed);
    write = QueueWriteLocked(std::move(changed));
  }
  // The agent drops its copy of these events once we answer: be durable first.
  return AwaitWrite(std::move(write));
}

namespace {

// What a real node's agent found, as the binding code reads it.
NodeTopology TopologyFrom(const v1::RegisterNodeRequest& req) {
  NodeTopology t;
  t.cpus = req.cpus();
  t.memory_mib = req.memory_mib();
  for (const auto& d : req.devices()) {
    DeviceTopology dev;
    dev.index = d.index();
    dev.kind = ParseAcceleratorKind(d.kind()).value_or(AcceleratorKind::kNone);
    dev.numa_node = d.numa_node();
    dev.pci_bus_id = d.pci_bus_id();
    dev.closest_nic = d.closest_nic();
    dev.local_cpus.assign(d.local_cpus().begin(), d.local_cpus().end());
    t.devices.push_back(std::move(dev));
  }
  return t;
}

}  // namespace

v1::RegisterNodeReply Controller::RegisterNode(const v1::RegisterNodeRequest& req) {
  v1::RegisterNodeReply reply;
  reply.set_heartbeat_interval_ms(config_.heartbeat_interval);
  QueuedWrite write;
  bool targets_changed = false;
  {
    std::unique_lock lock(mu_);
    std::vector<v1::JobInfo> changed;
    int i = FindNodeLocked(req.node());
    if (i < 0) {
      reply.set_error("node " + req.node() + " is not in the cluster config " + config_.path);
      return reply;
    }
    Node& node = nodes_[i];
    NodeResources& r = resources_[i];
    if (static_cast<uint32_t>(req.devices_size()) != node.config.accelerators) {
      reply.set_error("node " + req.node() + " reports " + std::to_string(req.devices_size()) +
                      " accelerators; the config says " + std::to_string(node.config.accelerators));
      node.reason = reply.error();
      return reply;
    }
    if (node.config.topology == "host") {
      // Real hardware: trust what the agent found, keeping what jobs hold.
      uint32_t used_cpus = r.cpus_total - r.cpus_free;
      int64_t used_mem = r.mem_total_mib - r.mem_free_mib;
      r.cpus_total = node.config.cpus ? node.config.cpus : req.cpus();
      r.mem_total_mib = node.config.memory_mib ? node.config.memory_mib : req.memory_mib();
      r.cpus_free = r.cpus_total - std::min(used_cpus, r.cpus_total);
      r.mem_free_mib = r.mem_total_mib - std::min(used_mem, r.mem_total_mib);
      node.topology = TopologyFrom(req);
    }
    node.agent_address = req.agent_address();
    targets_changed = node.metrics_address != req.metrics_address();
    node.metrics_address = req.metrics_address();
    node.agent_instance = req.agent_instance();
    node.last_heartbeat = clock_.Now();
    node.reason.clear();
    if (node.state == v1::NODE_UNKNOWN || node.state == v1::NODE_DOWN) node.state = v1::NODE_IDLE;

    for (const auto& ev : req.unreported()) ApplyEventLocked(ev, changed);
    std::set<uint64_t> running(req.running_jobs().begin(), req.running_jobs().end());
    // Jobs whose batch script ran here but the agent no longer has: lost.
    std::vector<uint64_t> lost;
    for (uint64_t id : active_ids_) {
      const v1::JobInfo& job = jobs_[id];
      if (job.allocation_size() == 0 || job.allocation(0).node() != req.node()) continue;
      bool restored = restored_ids_.erase(id) > 0;
      if (running.count(id)) continue;
      // A launch this controller sent may still be on its way to the same agent.
      if (!restored && job.allocation(0).agent_instance() == req.agent_instance()) continue;
      lost.push_back(id);
    }
    for (uint64_t id : lost) {
      v1::JobInfo& job = jobs_[id];
      if (job.allocation(0).agent_instance() == req.agent_instance() && !job.cancel_requested()) {
        // The same agent neither runs it nor has an event for it: the launch
        // never arrived (the controller died between storing RUNNING and
        // sending it). It never ran, so it simply starts again.
        RequeueJobLocked(job, "launch never reached " + req.node(), /*ran=*/false);
      } else if (RequeuesWhenLost(job)) {
        RequeueJobLocked(job, "agent on " + req.node() + " restarted");
      } else {
        FinishJobLocked(job, job.cancel_requested() ? v1::CANCELLED : v1::NODE_FAIL,
                        "job lost: the agent on " + req.node() + " restarted");
      }
      changed.push_back(job);
    }
    for (uint64_t id : running) {
      auto it = jobs_.find(id);
      if (it == jobs_.end() || !IsActive(it->second.state()) || !UsesNode(it->second, req.node())) {
        reply.add_kill_jobs(id);
      }
    }
    UpdateNodeStateLocked(static_cast<size_t>(i));
    write = QueueWriteLocked(std::move(changed));
  }
  if (Status s = AwaitWrite(std::move(write)); !s.ok()) reply.set_error(s.error().message);
  if (targets_changed) WriteScrapeTargets();
  Wake();
  return reply;
}

v1::HeartbeatReply Controller::Heartbeat(const v1::HeartbeatRequest& req) {
  v1::HeartbeatReply reply;
  std::unique_lock lock(mu_);
  TimeMs now = clock_.Now();
  for (const auto& name : req.nodes()) {
    int i = FindNodeLocked(name);
    if (i < 0) continue;
    Node& node = nodes_[i];
    if (node.agent_instance != req.agent_instance() || node.state == v1::NODE_DOWN ||
        node.state == v1::NODE_UNKNOWN) {
      reply.add_reregister(name);
      continue;
    }
    node.last_heartbeat = now;
  }
  return reply;
}

void Controller::CheckNodeTimeoutsLocked(std::vector<v1::JobInfo>& changed) {
  TimeMs now = clock_.Now();
  for (size_t i = 0; i < nodes_.size(); ++i) {
    Node& node = nodes_[i];
    if (node.state == v1::NODE_DOWN) continue;
    if (node.state == v1::NODE_UNKNOWN && resources_[i].running_jobs == 0) continue;
    DurationMs timeout = config_.node_timeout;
    // Not heard from since this controller started: its agent may be between
    // two tries to reconnect, up to the channel's longest backoff (plus
    // gRPC's 20% jitter) apart. Give it that on top.
    if (node.state == v1::NODE_UNKNOWN) timeout += 2 * kDaemonReconnectBackoffMaxMs;
    if (now - node.last_heartbeat <= timeout) continue;
    node.state = v1::NODE_DOWN;
    node.reason = "Not responding";
    metrics_.CountHeartbeatTimeout();
    std::vector<uint64_t> hit;
    for (uint64_t id : active_ids_) {
      if (UsesNode(jobs_[id], node.config.name)) hit.push_back(id);
    }
    for (uint64_t id : hit) {
      v1::JobInfo& job = jobs_[id];
      if (RequeuesWhenLost(job)) {
        RequeueJobLocked(job, "node " + node.config.name + " failed");
      } else {
        FinishJobLocked(job, job.cancel_requested() ? v1::CANCELLED : v1::NODE_FAIL,
                        "node " + node.config.name + " not responding");
      }
      changed.push_back(job);
    }
  }
}

void Controller::OnLaunchFailed(uint64_t job_id, const std::string& node, const std::string& why) {
  QueuedWrite write;
  {
    std::unique_lock lock(mu_);
    auto it = jobs_.find(job_id);
    if (it == jobs_.end() || !IsActive(it->second.state())) return;
    v1::JobInfo& job = it->second;
    if (RequeuesWhenLost(job)) {
      RequeueJobLocked(job, "launch on " + node + " failed: " + why);
    } else {
      FinishJobLocked(job, v1::NODE_FAIL, "launch on " + node + " failed: " + why);
    }
    write = QueueWriteLocked({job});
  }
  (void)AwaitWrite(std::move(write));
}

}  // namespace tatami
