// Read-side handlers (queue, info, acct, report, wait) and cancel.
#include <algorithm>
#include <csignal>

#include "base/hostlist.h"
#include "base/strings.h"
#include "scheduler/accounting/usage_report.h"
#include "scheduler/daemon/controller.h"
#include "scheduler/job_options.h"
#include "scheduler/job_state.h"

namespace tatami {
namespace {

template <class T>
bool ContainsOrEmpty(const google::protobuf::RepeatedPtrField<T>& list, const T& v) {
  return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
}

// squeue -p dojo lists a pending job that may start in h100 or dojo.
bool AnyPartitionListed(const google::protobuf::RepeatedPtrField<std::string>& listed,
                        const std::string& partitions) {
  if (listed.empty()) return true;
  for (const std::string& p : Split(partitions, ',')) {
    if (std::find(listed.begin(), listed.end(), p) != listed.end()) return true;
  }
  return false;
}

bool StateMatches(const google::protobuf::RepeatedField<int>& states, JobState s,
                  bool include_finished) {
  if (states.empty()) return include_finished || !IsTerminal(s);
  return std::find(states.begin(), states.end(), s) != states.end();
}

// What listings carry: the record without its script and environment.
v1::JobInfo Summary(const v1::JobInfo& job) {
  v1::JobInfo out = job;
  out.mutable_spec()->clear_script();
  out.mutable_spec()->clear_env();
  return out;
}

// PrivateData (ClusterConfig::private_data): a request's user filter
// (none: everyone) narrowed to the requester's own, unless it is hidden
// from no one or the requester is an admin. False: it named only others,
// so nothing matches.
bool NarrowToOwn(bool hidden, const std::string& requester,
                 google::protobuf::RepeatedPtrField<std::string>* users) {
  if (!hidden || IsAdmin(requester)) return true;
  bool asked_for_own = ContainsOrEmpty(*users, requester);
  users->Clear();
  *users->Add() = requester;
  return asked_for_own;
}

bool IdMatches(const google::protobuf::RepeatedField<uint64_t>& ids, const v1::JobInfo& job) {
  if (ids.empty()) return true;
  for (uint64_t id : ids) {
    if (job.job_id() == id || job.array_job_id() == id) return true;
  }
  return false;
}

}  // namespace

v1::ListJobsReply Controller::ListJobs(const v1::ListJobsRequest& asked) const {
  v1::ListJobsReply reply;
  v1::ListJobsRequest req = asked;
  if (!NarrowToOwn(config_.private_data.jobs, req.requester(), req.mutable_users())) return reply;
  std::shared_lock lock(mu_);
  TimeMs now = clock_.Now();
  DependencyLookup dependencies = DependencyLookupLocked();
  // Whether `id` names a job array: its tasks (the first may be gone) come
  // first from it on. 0 (singleton's) names no job.
  auto names_array = [&](uint64_t id) {
    auto first = jobs_.lower_bound(id);
    return id != 0 && first != jobs_.end() && first->second.array_job_id() == id;
  };
  auto consider = [&](const v1::JobInfo& job) {
    if (!IdMatches(req.job_ids(), job)) return;
    if (!StateMatches(req.states(), job.state(), req.include_finished() || !req.job_ids().empty()))
      return;
    if (!ContainsOrEmpty(req.users(), job.spec().user())) return;
    if (!ContainsOrEmpty(req.accounts(), job.spec().account())) return;
    if (!AnyPartitionListed(req.partitions(), PartitionsOf(job))) return;
    if (!ContainsOrEmpty(req.names(), job.spec().name())) return;
    v1::JobInfo* listed = reply.add_jobs();
    *listed = Summary(job);
    DescribePriorityLocked(*listed, now);
    if (job.state() == v1::PENDING) {
      for (v1::DependencyState d : EachDependencyState(job, dependencies))
        listed->add_dependency_states(d);
      for (const v1::Dependency& d : job.spec().dependencies())
        listed->add_dependency_on_array(names_array(d.job_id()));
    }
  };
  for (const auto& [id, job] : jobs_) consider(job);
  return reply;
}

v1::ClusterInfoReply Controller::ClusterInfo() const {
  v1::ClusterInfoReply reply;
  reply.set_cluster_name(config_.cluster_name);
  std::shared_lock lock(mu_);
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const Node& n = nodes_[i];
    const NodeResources& r = resources_[i];
    v1::NodeInfo* info = reply.add_nodes();
    info->set_name(n.config.name);
    info->set_state(ShownStateLocked(i));
    for (const auto& p : r.partitions) info->add_partitions(p);
    info->set_cpus(r.cpus_total);
    info->set_cpus_allocated(r.cpus_total - r.cpus_free);
    info->set_memory_mib(r.mem_total_mib);
    info->set_memory_allocated_mib(r.mem_total_mib - r.mem_free_mib);
    info->set_accelerator_kind(std::string(AcceleratorName(r.accel_kind)));
    info->set_accelerators(r.DevicesTotal());
    info->set_accelerators_allocated(r.DevicesTotal() - r.DevicesFree());
    for (const auto& f : r.features) info->add_features(f);
    info->set_reason(n.drained && n.reason.empty() ? n.drain_reason : n.reason);
    info->set_agent_address(n.agent_address);
    info->set_last_heartbeat(n.last_heartbeat);
  }
  for (const auto& p : config_.partitions) {
    v1::PartitionInfo* info = reply.add_partitions();
    info->set_name(p.name);
    info->set_is_default(p.is_default);
    info->set_up(true);
    info->set_max_time_ms(p.max_time);
    info->set_default_time_ms(p.default_time);
    for (const auto& n : p.nodes) info->add_nodes(n);
  }
  return reply;
}

Result<v1::AcctReply> Controller::Acct(const v1::AcctRequest& asked) {
  v1::AcctRequest req = asked;
  if (!NarrowToOwn(config_.private_data.jobs, req.requester(), req.mutable_users()))
    return v1::AcctReply();
  JobQuery q;
  q.job_ids.assign(req.job_ids().begin(), req.job_ids().end());
  q.users.assign(req.users().begin(), req.users().end());
  q.accounts.assign(req.accounts().begin(), req.accounts().end());
  q.start_time = req.start_time();
  q.end_time = req.end_time();
  auto rows = store_->Query(q);
  if (!rows) return rows.error();
  v1::AcctReply reply;
  for (const auto& job : *rows) {
    if (!req.states().empty() &&
        std::find(req.states().begin(), req.states().end(), job.state()) == req.states().end()) {
      continue;
    }
    *reply.add_jobs() = Summary(job);
  }
  return reply;
}

Result<v1::ReportReply> Controller::Report(const v1::ReportRequest& asked) {
  TimeMs now = clock_.Now();
  v1::ReportRequest req = asked;
  TimeMs end = req.end_time() ? req.end_time() : now;
  if (end < req.start_time()) return MakeError("the report's end is before its start");
  bool any = NarrowToOwn(config_.private_data.usage, req.requester(), req.mutable_users());
  JobQuery q;
  q.users.assign(req.users().begin(), req.users().end());
  q.accounts.assign(req.accounts().begin(), req.accounts().end());
  q.start_time = req.start_time();
  q.end_time = end;
  Result<std::vector<v1::JobInfo>> jobs = std::vector<v1::JobInfo>();
  if (any) jobs = store_->Query(q);
  if (!jobs) return jobs.error();
  v1::ReportReply reply;
  reply.set_start_time(req.start_time());
  reply.set_end_time(end);
  reply.set_currency(config_.billing.currency);
  for (auto& row : SummarizeUsage(*jobs, req.start_time(), end, now))
    *reply.add_rows() = std::move(row);
  for (const PriceConfig& p : config_.billing.prices) {
    v1::Price* price = reply.add_prices();
    price->set_kind(std::string(AcceleratorName(p.kind)));
    price->set_tier(p.tier);
    price->set_per_hour(p.per_hour);
  }
  return reply;
}

v1::WaitReply Controller::Wait(const v1::WaitRequest& req) {
  TimeMs deadline = req.timeout_ms() > 0 ? clock_.Now() + req.timeout_ms() : 0;
  // Under private_data, another user's job is waited on as one that does
  // not exist, also once it has left memory (min_job_age: GoneJobs keeps
  // its owner).
  bool own_only = config_.private_data.jobs && !IsAdmin(req.requester());
  auto visible = [&](const v1::JobInfo* job) {
    return !own_only || job->spec().user() == req.requester();
  };
  while (true) {
    uint64_t generation;
    {
      std::lock_guard lock(done_mu_);
      generation = done_generation_;
    }
    bool all_done = true;
    bool timed_out = deadline && clock_.Now() >= deadline;
    {
      std::shared_lock lock(mu_);
      // Check in place; copy the records only for the answer, once.
      for (uint64_t id : req.job_ids()) {
        for (const v1::JobInfo* job : JobsWithIdLocked(id)) {
          if (visible(job))
            all_done &= IsTerminal(job->state()) && !finishing_ids_.count(job->job_id());
        }
      }
      if (all_done || timed_out) {
        v1::WaitReply reply;
        reply.set_all_done(all_done);
        for (uint64_t id : req.job_ids()) {
          for (const v1::JobInfo* job : JobsWithIdLocked(id))
            if (visible(job)) *reply.add_jobs() = Summary(*job);
          // Ended long ago (min_job_age): what is left of them.
          for (v1::JobInfo& job : GoneWithIdLocked(id))
            if (visible(&job)) *reply.add_jobs() = std::move(job);
        }
        return reply;
      }
    }
    std::unique_lock lock(done_mu_);
    done_cv_.wait_for(lock, std::chrono::seconds(1),
                      [&] { return done_generation_ != generation; });
    std::lock_guard stop(wake_mu_);
    if (stopping_) return v1::WaitReply();
  }
}

std::set<uint64_t> Controller::SelectLocked(
    const v1::CancelRequest& req, google::protobuf::RepeatedPtrField<std::string>* errors) const {
  // Resolve "12", "12_3", "12_[1-3]" into concrete job ids.
  std::set<uint64_t> targets;
  auto pick = [&](const v1::JobInfo& job) {
    if (!ContainsOrEmpty(req.users(), job.spec().user())) return;
    if (!ContainsOrEmpty(req.accounts(), job.spec().account())) return;
    if (!ContainsOrEmpty(req.names(), job.spec().name())) return;
    if (!req.states().empty() &&
        std::find(req.states().begin(), req.states().end(), job.state()) == req.states().end())
      return;
    targets.insert(job.job_id());
  };
  if (req.job_ids().empty()) {
    for (const auto& [id, job] : jobs_) {
      if (!IsTerminal(job.state())) pick(job);
    }
  }
  for (const std::string& text : req.job_ids()) {
    std::string base = text.substr(0, text.find('_'));
    auto id = ParseInt(base);
    if (!id) {
      *errors->Add() = "invalid job id " + text;
      continue;
    }
    std::vector<const v1::JobInfo*> jobs = JobsWithIdLocked(static_cast<uint64_t>(*id));
    if (text.find('_') != std::string::npos) {
      std::string tasks = text.substr(text.find('_') + 1);
      if (tasks.size() >= 2 && tasks.front() == '[' && tasks.back() == ']')
        tasks = tasks.substr(1, tasks.size() - 2);
      auto indices = ExpandHostlist("t[" + tasks + "]");
      if (!indices) {
        *errors->Add() = "invalid array task list in " + text;
        continue;
      }
      // Once each: a list of a million indices against a thousand tasks
      // must not cost a billion comparisons under the lock.
      std::set<int64_t> wanted;
      for (const std::string& want : *indices)
        if (auto index = ParseInt(want.substr(1))) wanted.insert(*index);
      std::erase_if(jobs, [&](const v1::JobInfo* j) { return !wanted.count(j->array_task_id()); });
    }
    if (jobs.empty()) {
      *errors->Add() = "Invalid job id specified: " + text;
      continue;
    }
    for (const v1::JobInfo* j : jobs) {
      if (IsTerminal(j->state())) {
        if (jobs.size() == 1) {
          *errors->Add() = "Job " + text + " is already " + std::string(StateName(j->state()));
        }
        continue;
      }
      pick(*j);
    }
  }
  return targets;
}

v1::CancelReply Controller::Cancel(const v1::CancelRequest& req) {
  v1::CancelReply reply;
  bool has_filter = !req.users().empty() || !req.accounts().empty() || !req.names().empty() ||
                    !req.states().empty();
  if (req.job_ids().empty() && !has_filter) {
    reply.add_errors("no job ids and no filters (-u, -A, -n, -t) given");
    return reply;
  }
  QueuedWrite write;
  {
    std::unique_lock lock(mu_);
    std::vector<v1::JobInfo> changed;
    std::set<uint64_t> targets = SelectLocked(req, reply.mutable_errors());
    for (uint64_t id : targets) {
      v1::JobInfo& job = jobs_[id];
      if (!IsAdmin(req.requester()) && req.requester() != job.spec().user()) {
        reply.add_errors("Job " + std::to_string(id) + " belongs to " + job.spec().user() +
                         ": access denied");
        continue;
      }
      if (req.requeue()) {
        if (job.state() != v1::RUNNING) {
          reply.add_errors("Job " + std::to_string(id) + " is " +
                           std::string(StateName(job.state())) +
                           ": only a running job can be requeued");
          continue;
        }
        // Ended as a cancel is, then queued again (ApplyEventLocked); held
        // now, so that no cycle starts it before the user releases it.
        job.set_requeue_requested(true);
        if (req.hold_action() == v1::CancelRequest::HOLD) job.mutable_spec()->set_hold(true);
        job.set_state(v1::COMPLETING);
        TerminateOnNodesLocked(job, 0);
        reply.add_affected(id);
        changed.push_back(job);
        continue;
      }
      if (req.hold_action() != v1::CancelRequest::NO_HOLD_ACTION) {
        if (job.state() != v1::PENDING) {
          reply.add_errors("Job " + std::to_string(id) + " is " +
                           std::string(StateName(job.state())) + ", not pending: only a " +
                           "pending job can be held or released");
          continue;
        }
        bool hold = req.hold_action() == v1::CancelRequest::HOLD;
        job.mutable_spec()->set_hold(hold);
        if (hold) job.set_reason("JobHeldUser");
        job.set_passed_over_time(0);  // a start passed over before the hold is none to beat now
        reply.add_affected(id);
        changed.push_back(job);
        continue;
      }
      reply.add_affected(id);
      if (req.signal() != 0) {
        if (IsActive(job.state())) TerminateOnNodesLocked(job, req.signal());
        continue;
      }
      if (job.state() == v1::PENDING) {
        job.set_cancel_requested(true);
        FinishJobLocked(job, v1::CANCELLED, "cancelled by " + req.requester());
      } else if (job.state() == v1::RUNNING) {
        job.set_cancel_requested(true);
        job.set_state(v1::COMPLETING);
        TerminateOnNodesLocked(job, 0);
      } else if (job.requeue_requested()) {  // ending to be requeued: it ends for good
        job.set_requeue_requested(false);
        job.set_cancel_requested(true);
      }
      changed.push_back(job);
    }
    write = QueueWriteLocked(std::move(changed));
  }
  if (Status s = AwaitWrite(std::move(write)); !s.ok()) {
    reply.add_errors("done, but not yet in the job store (" + s.error().message +
                     "): tatamid writes it again every cycle until the store takes it");
  }
  if (req.hold_action() == v1::CancelRequest::RELEASE) Wake();  // it may start now
  return reply;
}

}  // namespace tatami
