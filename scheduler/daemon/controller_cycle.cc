// The scheduling loop: snapshot under the lock, think without it, commit
// under it, persist, then hand launches to the agents.
#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>

#include "base/hostlist.h"
#include "base/strings.h"
#include "scheduler/array_spec.h"
#include "scheduler/daemon/controller.h"
#include "scheduler/dependency.h"
#include "scheduler/job_options.h"
#include "scheduler/job_state.h"
#include "topology/binding.h"

namespace tatami {

void Controller::SchedulerLoop() {
  while (true) {
    {
      std::unique_lock lock(wake_mu_);
      wake_cv_.wait_for(lock, std::chrono::milliseconds(500), [&] { return wake_ || stopping_; });
      if (stopping_) return;
      wake_ = false;
    }
    Snapshot snapshot;
    QueuedWrite repairs;  // jobs of failed nodes, records a failed write left behind
    auto cycle_begin = std::chrono::steady_clock::now();
    {
      std::unique_lock lock(mu_);
      std::vector<v1::JobInfo> changed;
      PurgeEndedLocked(clock_.Now());
      CheckNodeTimeoutsLocked(changed);
      RewriteUnwrittenLocked(changed);
      repairs = QueueWriteLocked(std::move(changed));
      snapshot = BuildSnapshotLocked();
    }
    if (snapshot.backfill_pass) last_backfill_ = snapshot.now;
    Plan plan = RunSchedulingCycle(snapshot, *policy_.queue, *policy_.placer);
    std::vector<v1::JobLaunch> launches;
    QueuedWrite starts;
    {
      std::unique_lock lock(mu_);
      std::vector<v1::JobInfo> changed;
      size_t started = CommitPlanLocked(plan, launches, changed);
      starts = QueueWriteLocked(std::move(changed));
      if (!snapshot.pending.empty()) {
        metrics_.ObserveCycle(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - cycle_begin).count(),
            started);
      }
    }
    // RUNNING must be durable before any agent runs the job: after a crash
    // the store then never calls PENDING what an agent is running.
    if (Status s = AwaitWrite(std::move(starts)); !s.ok()) {
      fprintf(stderr, "tatamid: %s\n", s.error().message.c_str());
      UndoStarts(launches, s.error().message);
      launches.clear();
    }
    DispatchLaunches(std::move(launches));
    // Queued before the starts, so written before them; waited for only now,
    // so a failing node never holds up the cycle's thinking.
    if (Status s = AwaitWrite(std::move(repairs)); !s.ok())
      fprintf(stderr, "tatamid: %s\n", s.error().message.c_str());
  }
}

uint32_t Controller::QosOf(const v1::JobInfo& job) const {
  // Submission checked the name; a config edited since may have dropped it.
  auto qos = qos_.Find(RunQos(job));
  return qos.ok() ? *qos : QosTable::kNone;
}

const char* Controller::MissingFromConfig(const v1::JobInfo& job) const {
  if (!config_.FindPartition(job.spec().partition())) return "PartitionConfig";
  const std::string& account = job.spec().account();
  if (!account.empty() && accounts_->Find(account) == kNoAccount) return "InvalidAccount";
  if (!qos_.Find(RunQos(job)).ok()) return "InvalidQOS";
  return nullptr;
}

Snapshot Controller::BuildSnapshotLocked() {
  Snapshot snap;
  snap.now = clock_.Now();
  snap.nodes = resources_;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    v1::NodeState s = nodes_[i].state;
    snap.nodes[i].schedulable = !nodes_[i].drained && (s == v1::NODE_IDLE || s == v1::NODE_MIXED ||
                                                       s == v1::NODE_ALLOCATED);
  }
  // Array tasks running now, for --array=...%N limits.
  std::map<uint64_t, uint32_t> array_running;
  for (uint64_t id : active_ids_) {
    if (uint64_t a = jobs_[id].array_job_id()) ++array_running[a];
  }
  DependencyLookup lookup = DependencyLookupLocked();
  bool may_preempt = false;
  // What the running jobs hold, walked once: fair share, quotas and QoS
  // limits read it.
  std::vector<Holding> holdings;
  if (accounts_->size() > 0 || qos_limits_) holdings = HoldingsLocked();
  RefreshFairShareLocked(snap.now, holdings);
  for (uint64_t id : pending_ids_) {
    v1::JobInfo& job = jobs_[id];
    if (auto missing = missing_from_config_.find(id); missing != missing_from_config_.end()) {
      job.set_reason(missing->second);
      continue;
    }
    if (job.spec().hold()) {
      job.set_reason("JobHeldUser");
      continue;
    }
    if (job.spec().begin_time() > snap.now) {
      job.set_reason("BeginTime");
      continue;
    }
    DependencyStatus dep = EvaluateDependencies(job, lookup);
    if (dep == DependencyStatus::kWaiting) {
      job.set_reason("Dependency");
      continue;
    }
    if (dep == DependencyStatus::kNeverSatisfied) {
      job.set_reason("DependencyNeverSatisfied");
      continue;
    }
    if (uint64_t a = job.array_job_id()) {
      auto shape = arrays_.find(a);
      uint32_t limit = shape == arrays_.end() ? 0 : shape->second.max_running;
      if (limit && array_running[a] >= limit) {
        job.set_reason("JobArrayTaskLimit");
        continue;
      }
      // Count it as if started, so one cycle starts at most the limit.
      if (limit) ++array_running[a];
    }
    auto req = requests_.find(id);
    if (req == requests_.end()) continue;  // PartitionConfig (missing_from_config_)
    PendingJob p = PendingJobOf(job, req->second);
    p.priority = priority_.Priority(p, snap.now);
    may_preempt |= p.preempts != 0;
    snap.pending.push_back(std::move(p));
  }
  // A job within its quota may reclaim borrowed devices from running jobs.
  may_preempt |= accounts_->HasQuotas();
  snap.quotas = accounts_->HasQuotas() ? BooksOf(accounts_, holdings) : QuotaBooks(accounts_);
  if (qos_limits_) snap.qos_limits = QosBooksOf(config_.qos, holdings);
  DurationMs interval = policy_.queue->BackfillInterval();
  snap.backfill_pass = interval >= 0 && snap.now - last_backfill_ >= interval;
  // Backfill and preemption read the running jobs; other cycles skip the copy.
  if (snap.backfill_pass || may_preempt) {
    for (uint64_t id : active_ids_) snap.running.push_back(RunningJobOf(jobs_[id]));
  }
  return snap;
}

size_t Controller::CommitPlanLocked(const Plan& plan, std::vector<v1::JobLaunch>& launches,
                                    std::vector<v1::JobInfo>& changed) {
  size_t started = 0;
  TimeMs now = clock_.Now();
  for (const auto& [id, reason] : plan.reasons) {
    auto it = jobs_.find(id);
    if (it == jobs_.end() || it->second.state() != v1::PENDING) continue;
    it->second.set_reason(reason);
    if (!plan.backfill_pass) continue;  // the last pass's plan still holds
    it->second.set_expected_start(0);   // unless a reservation below says otherwise
    it->second.clear_expected_nodes();
    it->second.set_held_for_job(0);
  }
  for (uint64_t id : plan.passed_over) {
    auto it = jobs_.find(id);
    if (it != jobs_.end() && it->second.state() == v1::PENDING &&
        it->second.passed_over_time() == 0)
      it->second.set_passed_over_time(now);
  }
  for (const auto& [id, holder] : plan.held_for) {
    auto it = jobs_.find(id);
    if (it != jobs_.end() && it->second.state() == v1::PENDING) it->second.set_held_for_job(holder);
  }
  for (const Reservation& r : plan.reservations) {
    auto it = jobs_.find(r.job_id);
    if (it == jobs_.end() || it->second.state() != v1::PENDING) continue;
    std::vector<std::string> nodes;
    for (const NodeShare& s : r.shares) nodes.push_back(s.node);
    it->second.set_expected_start(r.start);
    it->second.set_expected_nodes(CompressHostlist(nodes));
  }
  for (const Preemption& p : plan.preemptions) {
    auto it = jobs_.find(p.victim);
    if (it == jobs_.end() || it->second.state() != v1::RUNNING) continue;  // ended meanwhile
    PreemptLocked(it->second, p.for_job);
    changed.push_back(it->second);  // its preempt_time must survive a restart
  }
  for (uint64_t id : plan.moves) {
    auto it = jobs_.find(id);
    if (it == jobs_.end() || it->second.state() != v1::RUNNING) continue;  // ended meanwhile
    MoveLocked(it->second);
    changed.push_back(it->second);
  }
  for (const PlannedStart& start : plan.starts) {
    auto it = jobs_.find(start.job_id);
    if (it == jobs_.end() || it->second.state() != v1::PENDING) continue;  // cancelled meanwhile
    v1::JobInfo& job = it->second;
    // Re-check against live state: a node may have gone down since the snapshot.
    bool fits = true;
    for (const NodeShare& s : start.shares) {
      int i = FindNodeLocked(s.node);
      v1::NodeState st = i < 0 ? v1::NODE_DOWN : nodes_[i].state;
      if (st != v1::NODE_IDLE && st != v1::NODE_MIXED && st != v1::NODE_ALLOCATED) fits = false;
      if (!fits) break;
      const NodeResources& r = resources_[i];
      if (r.cpus_free < s.cpus || r.mem_free_mib < s.mem_mib || r.exclusive_owned) fits = false;
      for (uint32_t d : s.devices) fits &= d < r.device_free.size() && r.device_free[d];
    }
    if (!fits) {
      job.set_reason("Resources");
      continue;
    }
    ApplyShares(start.shares, job.spec().exclusive(), resources_);
    StartOptionLocked(job, start.option);
    if (start.time_limit > 0) job.set_time_limit_ms(start.time_limit);  // lowered: --time-min
    job.set_limit_lowered(start.time_limit > 0);
    job.set_state(v1::RUNNING);
    job.set_guaranteed(start.guaranteed);
    job.set_movable(MovableLocked(job, start.contended));
    job.set_excluded_kinds(0);
    job.set_qos(std::string(qos_.Name(qos_.RunsAs(QosOf(job), start.guaranteed))));
    job.set_expected_start(0);
    job.clear_expected_nodes();
    job.set_passed_over_time(0);
    job.set_reason("None");
    metrics_.ObserveQueueWait(
        job.partition(),
        static_cast<double>(std::max<TimeMs>(0, now - job.eligible_time())) / 1000);
    job.set_start_time(now);
    job.clear_allocation();
    for (const NodeShare& s : start.shares) {
      v1::NodeAllocation* a = job.add_allocation();
      a->set_node(s.node);
      a->set_cpus(s.cpus);
      a->set_mem_mib(s.mem_mib);
      for (uint32_t d : s.devices) a->add_devices(d);
      int i = FindNodeLocked(s.node);
      a->set_accelerator_kind(std::string(AcceleratorName(resources_[i].accel_kind)));
      a->set_agent_instance(nodes_[i].agent_instance);
    }
    BindJobLocked(job);
    pending_ids_.erase(job.job_id());
    active_ids_.insert(job.job_id());
    UpdateNodeStatesLocked(job);
    for (auto& l : MakeLaunches(job)) launches.push_back(std::move(l));
    changed.push_back(job);
    ++started;
  }
  return started;
}

void Controller::StartOptionLocked(v1::JobInfo& job, size_t option) {
  uint32_t spec_option = 0;
  if (auto req = requests_.find(job.job_id()); req != requests_.end() && option > 0) {
    spec_option = req->second.spec_option[option - 1];
  }
  job.set_run_option(spec_option);
  if (spec_option == 0) {
    job.set_partition(job.spec().partition());
    return;
  }
  const v1::AcceleratorOption& chosen = job.spec().accelerator_options(int(spec_option) - 1);
  job.set_partition(chosen.partition());
  // --time is the main request's; elsewhere the job runs 1/speed as long.
  job.set_time_limit_ms(OptionTimeLimit(job.spec(), chosen, job.time_limit_ms()));
}

std::vector<v1::JobLaunch> Controller::MakeLaunches(const v1::JobInfo& job) const {
  // Everything but the node is the same for every node: built once, so a
  // 512-node job costs 512 copies, not 512 walks over its nodes and ranks.
  v1::JobLaunch l;
  *l.mutable_job() = job;
  l.set_kill_wait_ms(config_.kill_wait);
  if (auto req = requests_.find(job.job_id()); req != requests_.end()) {
    const ResourceRequest& run = req->second.Of(job.run_option());
    l.set_tasks(run.tasks);
    l.set_tasks_per_node(run.tasks_per_node);
  }
  l.add_env("SLURM_CLUSTER_NAME=" + config_.cluster_name);
  l.add_env("TATAMI_CONTROLLER=" + own_address_);
  std::vector<std::string> addresses;
  for (const auto& a : job.allocation()) {
    int i = FindNodeLocked(a.node());
    addresses.push_back(a.node() + "=" + (i >= 0 ? nodes_[i].agent_address : ""));
  }
  l.add_env("TATAMI_NODE_ADDRESSES=" + Join(addresses, ","));
  // Rendezvous for frameworks that want one (torch.distributed, NCCL
  // bootstrap): the first node's host, a port that differs between jobs.
  if (job.allocation_size() > 0) {
    int first = FindNodeLocked(job.allocation(0).node());
    std::string host = first >= 0 ? nodes_[first].agent_address : "";
    host = host.substr(0, host.rfind(':'));
    l.add_env("MASTER_ADDR=" + (host.empty() ? job.allocation(0).node() : host));
    l.add_env("MASTER_PORT=" + std::to_string(MasterPort(job.job_id())));
  }
  if (l.tasks() > 0) l.add_env("WORLD_SIZE=" + std::to_string(l.tasks()));
  // A rankfile binds for real only where every node is the hardware it
  // describes; emulated nodes get it to read, not to apply.
  bool real = job.binding_size() > 0;
  for (const auto& b : job.binding()) real &= !b.cpus().empty();
  for (const auto& a : job.allocation()) {
    int i = FindNodeLocked(a.node());
    real &= i >= 0 && nodes_[i].config.topology == "host";
  }
  l.set_apply_rankfile(real);
  if (auto shape = arrays_.find(job.array_job_id());
      job.array_task_id() >= 0 && shape != arrays_.end()) {
    l.add_env("SLURM_ARRAY_TASK_COUNT=" + std::to_string(shape->second.count));
    l.add_env("SLURM_ARRAY_TASK_MIN=" + std::to_string(shape->second.min));
    l.add_env("SLURM_ARRAY_TASK_MAX=" + std::to_string(shape->second.max));
    l.add_env("SLURM_ARRAY_TASK_STEP=" + std::to_string(shape->second.step));
  }
  for (const auto& [key, value] : config_.job_environment) l.add_env(key + "=" + value);

  std::vector<v1::JobLaunch> launches(static_cast<size_t>(job.allocation_size()), l);
  for (int n = 0; n < job.allocation_size(); ++n) {
    v1::JobLaunch& here = launches[static_cast<size_t>(n)];
    here.set_node(job.allocation(n).node());
    here.set_run_script(n == 0);
    if (n != 0) here.mutable_job()->mutable_spec()->clear_script();
  }
  return launches;
}

void Controller::BindJobLocked(v1::JobInfo& job) const {
  auto req = requests_.find(job.job_id());
  if (req == requests_.end()) return;
  const ResourceRequest& run = req->second.Of(job.run_option());
  uint32_t total = run.tasks, per_node = run.tasks_per_node, first = 0;
  job.clear_binding();
  for (int n = 0; n < job.allocation_size() && first < total; ++n) {
    const v1::NodeAllocation& a = job.allocation(n);
    int i = FindNodeLocked(a.node());
    if (i < 0) continue;
    NodeRanks ranks{a.node(),
                    static_cast<uint32_t>(n),
                    {a.devices().begin(), a.devices().end()},
                    std::min(per_node, total - first),
                    first,
                    job.spec().exclusive()};
    for (const RankBinding& r : BindNodeRanks(nodes_[i].topology, ranks)) {
      v1::RankBinding* b = job.add_binding();
      b->set_rank(r.rank);
      b->set_local_rank(r.local_rank);
      b->set_node(r.node);
      b->set_device(r.device);
      b->set_numa_node(r.numa_node);
      b->set_cpus(CpuRanges(r.cpus));
      b->set_nic(r.nic);
    }
    first += ranks.tasks;
  }
}

void Controller::UndoStarts(const std::vector<v1::JobLaunch>& launches, const std::string& why) {
  std::vector<v1::JobInfo> cancelled;
  std::unique_lock lock(mu_);
  for (const v1::JobLaunch& l : launches) {
    auto it = jobs_.find(l.job().job_id());
    // One launch per node: the first of a job's puts it back.
    if (it == jobs_.end() || it->second.start_time() != l.job().start_time()) continue;
    v1::JobInfo& job = it->second;
    bool running = job.state() == v1::RUNNING;
    if (!running && job.state() != v1::COMPLETING) continue;
    job.set_start_time(0);  // it never ran: no run to record, bill or count
    if (running) {
      RequeueJobLocked(job, "start not recorded (" + why + ")", /*ran=*/false);
      fprintf(stderr, "tatamid: job %lu not launched: its start could not be recorded\n",
              static_cast<unsigned long>(job.job_id()));
    } else {
      // Cancelled meanwhile: nothing runs that could report its end.
      FinishJobLocked(job, v1::CANCELLED, "cancelled before it started");
      cancelled.push_back(job);
    }
  }
  QueuedWrite write = QueueWriteLocked(std::move(cancelled));
  lock.unlock();
  (void)AwaitWrite(std::move(write));  // also lets Wait answer for them
}

void Controller::DispatchLaunches(std::vector<v1::JobLaunch> launches) {
  if (launches.empty()) return;
  std::unique_lock lock(mu_);
  for (auto& l : launches) {
    int i = FindNodeLocked(l.node());
    if (i < 0) continue;
    LinkLocked(nodes_[i].agent_address)->Launch(std::move(l));
  }
}

}  // namespace tatami
