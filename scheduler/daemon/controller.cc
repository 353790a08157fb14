// Controller lifecycle, submission and shared helpers.
#include "scheduler/daemon/controller.h"

#include <algorithm>

#include "base/duration.h"
#include "base/strings.h"
#include "scheduler/array_spec.h"
#include "scheduler/job_options.h"
#include "scheduler/job_state.h"
#include "scheduler/placement.h"
#include "scheduler/spec_checks.h"
#include "topology/fabric.h"
#include "topology/node_topology.h"

namespace tatami {

Controller::Controller(ClusterConfig config, std::unique_ptr<JobStore> store, const Clock& clock)
    : config_(std::move(config)),
      store_(std::move(store)),
      clock_(clock),
      priority_(config_, ClusterCapacity(config_)),
      metrics_([this] {
        std::vector<std::string> names;
        for (const PartitionConfig& p : config_.partitions) names.push_back(p.name);
        return names;
      }()) {
  resources_ = NodeResourcesOf(config_);
  for (size_t i = 0; i < config_.nodes.size(); ++i) {
    const NodeConfig& nc = config_.nodes[i];
    Node node;
    node.config = nc;
    node_index_[nc.name] = nodes_.size();
    nodes_.push_back(std::move(node));
  }
}

Controller::~Controller() {
  Stop();
}

Result<ResourceRequest> Controller::RequestFor(const v1::JobSpec& spec,
                                               const PartitionConfig& partition) const {
  uint32_t most = 0;
  if (auto it = largest_node_.find(partition.name); it != largest_node_.end()) {
    for (const auto& [kind, count] : it->second) {
      if (MatchesRequest(kind, spec.accelerators().kind())) most = std::max(most, count);
    }
  }
  return MakeResourceRequest(spec, partition, most);
}

const ResourceRequest& Controller::JobRequests::Of(uint32_t option) const {
  for (size_t i = 0; i < spec_option.size(); ++i) {
    if (spec_option[i] == option) return alternatives[i].request;
  }
  return request;
}

Result<ResourceRequest> Controller::RequestForOption(const v1::JobSpec& spec, size_t option) const {
  v1::JobSpec as_option = SpecForOption(spec, option);
  const PartitionConfig* part = config_.FindPartition(as_option.partition());
  if (!part) return MakeError("no partition '" + as_option.partition() + "'");
  return RequestFor(as_option, *part);
}

Controller::JobRequests Controller::RequestsFor(const v1::JobSpec& spec) const {
  JobRequests out;
  if (auto req = RequestForOption(spec, 0)) out.request = *req;
  for (int i = 0; i < spec.accelerator_options_size(); ++i) {
    auto req = RequestForOption(spec, i + 1);
    if (!req) continue;
    const v1::AcceleratorOption& option = spec.accelerator_options(i);
    out.alternatives.push_back({*req, option.speed(), OwnTimeLimit(spec, option)});
    out.spec_option.push_back(static_cast<uint32_t>(i + 1));
  }
  return out;
}

Result<Controller::JobRequests> Controller::ValidateOptions(v1::JobSpec& spec, ResourceRequest main,
                                                            DurationMs time_limit) {
  JobRequests out{std::move(main), {}, {}};
  google::protobuf::RepeatedPtrField<v1::AcceleratorOption> kept;
  for (int i = 0; i < spec.accelerator_options_size(); ++i) {
    const v1::AcceleratorOption& option = spec.accelerator_options(i);
    std::string what = "alternative " + DescribeShape(option.accelerators()) + " in partition " +
                       option.partition() + ": ";
    Result<ResourceRequest> req = RequestForOption(spec, i + 1);
    if (req.ok()) {
      std::shared_lock lock(mu_);
      if (Status s = CheckFeasible(*req, resources_); !s.ok())
        req = MakeError("impossible request: " + s.error().message);
    }
    const PartitionConfig* part = config_.FindPartition(option.partition());
    DurationMs limit = OptionTimeLimit(spec, option, time_limit);
    // The partition's and the QoS's longest limits hold on every kind.
    for (auto [most, whose] : {std::pair{part ? part->max_time : 0, "the partition's "},
                               std::pair{QosMaxTime(spec), "the qos's max_time of "}}) {
      if (req.ok() && most > 0 && (limit == 0 || limit > most)) {
        req = MakeError("at " + FormatSpeed(option.speed()) + " the time limit " +
                        FormatTimeLimit(time_limit) + " becomes " +
                        (limit ? FormatTimeLimit(limit) : "unlimited") + ", over " + whose +
                        FormatTimeLimit(most) + "; give a shorter --time");
      }
    }
    if (!req.ok()) {
      // The class or the -p list offered it; this job cannot use it there.
      if (option.from_class() || option.from_partition_list()) continue;
      return MakeError(what + req.error().message);
    }
    out.alternatives.push_back({*req, option.speed(), OwnTimeLimit(spec, option)});
    out.spec_option.push_back(static_cast<uint32_t>(kept.size() + 1));
    *kept.Add() = option;
  }
  spec.mutable_accelerator_options()->Swap(&kept);
  return out;
}

Status Controller::Load() {
  // Emulated and XML-described nodes: learn their size now, so jobs can be
  // checked for feasibility before the agents register.
  auto topologies = DiscoverConfiguredNodes(config_);
  if (!topologies) return topologies.error();
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (!(*topologies)[i]) continue;
    nodes_[i].topology = *(*topologies)[i];
    resources_[i].cpus_total = nodes_[i].topology.cpus;
    resources_[i].mem_total_mib = nodes_[i].topology.memory_mib;
  }
  auto drains = store_->LoadDrains();
  if (!drains) return drains.error();
  {
    std::unique_lock lock(mu_);
    for (size_t i = 0; i < nodes_.size(); ++i) {
      resources_[i].cpus_free = resources_[i].cpus_total;
      resources_[i].mem_free_mib = resources_[i].mem_total_mib;
    }
    for (const auto& [name, reason] : *drains) {
      int i = FindNodeLocked(name);
      if (i < 0) {
        fprintf(stderr, "tatamid: drained node %s is no longer configured; forgetting it\n",
                name.c_str());
        continue;
      }
      nodes_[i].drained = true;
      nodes_[i].drain_reason = reason;
    }
    TimeMs now = clock_.Now();
    std::vector<std::pair<TimeMs, uint64_t>> ended;  // kept in memory for now: ended_
    // One record at a time: a store holding months of history is read
    // through, not held in memory next to what is kept of it.
    Status read = store_->ForEachJob([&](v1::JobInfo& job) {
      uint64_t id = job.job_id();
      next_job_id_ = std::max(next_job_id_, id + 1);
      if (!IsTerminal(job.state())) {
        if (config_.FindPartition(job.spec().partition())) requests_[id] = RequestsFor(job.spec());
        if (job.state() == v1::PENDING) {
          if (const char* why = MissingFromConfig(job)) missing_from_config_[id] = why;
        }
      }
      if (uint64_t a = job.array_job_id(); a && !arrays_.count(a)) {
        auto spec = ParseArraySpec(job.spec().array(), config_.max_array_size);
        if (spec.ok()) arrays_[a] = ShapeOf(*spec);
      }
      ledger_.Restore(job);
      for (const v1::RunRecord& run : job.runs())
        fair_share_usage_.AddRun(AccountOf(job), CapacityOfRun(run), run.start_time(),
                                 run.end_time());
      if (IsTerminal(job.state()))
        ++finished_[{job.state(), RunPartition(job), job.spec().account()}];
      if (job.state() == v1::PENDING) pending_ids_.insert(id);
      if (IsActive(job.state())) {
        // Resources stay held until the agents tell us how the job fared.
        ApplyShares(SharesOf(job), job.spec().exclusive(), resources_);
        active_ids_.insert(id);
        restored_ids_.insert(id);
      }
      if (!IsTerminal(job.state())) CountUnfinishedLocked(job.spec(), 1);
      if (IsTerminal(job.state()) && config_.min_job_age > 0) {
        if (job.end_time() + config_.min_job_age <= now) {
          gone_.Add(job);
          return;
        }
        ended.emplace_back(job.end_time(), id);
      }
      jobs_.emplace_hint(jobs_.end(), id, std::move(job));
    });
    if (!read.ok()) return read;
    std::sort(ended.begin(), ended.end());
    ended_.assign(ended.begin(), ended.end());
  }
  return {};
}

void Controller::Start() {
  {
    // The grace an agent has to (re-)register starts now, when the server
    // answers, not when Load() ran: a slow start must not eat into it.
    std::unique_lock lock(mu_);
    TimeMs now = clock_.Now();
    for (Node& node : nodes_) node.last_heartbeat = std::max(node.last_heartbeat, now);
  }
  WriteScrapeTargets();
  scheduler_ = std::thread([this] { SchedulerLoop(); });
}

void Controller::Stop() {
  {
    std::lock_guard lock(wake_mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_cv_.notify_all();
  if (scheduler_.joinable()) scheduler_.join();
  // A link's thread may be reporting a failed launch, which takes mu_:
  // destroy (join) the links outside it.
  std::map<std::string, std::unique_ptr<AgentLink>> links;
  {
    std::unique_lock lock(mu_);
    links.swap(links_);
  }
}

void Controller::Wake() {
  {
    std::lock_guard lock(wake_mu_);
    wake_ = true;
  }
  wake_cv_.notify_one();
}

void Controller::NotifyDone() {
  {
    std::lock_guard lock(done_mu_);
    ++done_generation_;
  }
  done_cv_.notify_all();
}

Controller::QueuedWrite Controller::QueueWriteLocked(std::vector<v1::JobInfo> jobs) {
  QueuedWrite write;
  if (jobs.empty()) return write;
  // What billing learns once these records are durable (usage_ledger.h).
  for (const v1::JobInfo& j : jobs) {
    write.ids.push_back(j.job_id());
    TimeMs start = IsActive(j.state()) ? j.start_time() : 0;
    TimeMs ended = j.runs_size() ? j.runs(j.runs_size() - 1).start_time() : -1;
    if (start > 0 || ended >= 0) write.runs.push_back({j.job_id(), start, ended});
    if (IsTerminal(j.state())) write.ended.push_back(j.job_id());
  }
  write.seq = ++writes_queued_;
  write.queued = std::chrono::steady_clock::now();
  write.done = store_->Put(std::move(jobs));
  return write;
}

Status Controller::AwaitWrite(QueuedWrite write, OnWriteFailure on_failure) {
  if (!write.done.valid()) return {};
  Status s = write.done.get();
  metrics_.ObserveStoreWrite(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - write.queued).count());
  bool rewrite_later = !s.ok() && on_failure == OnWriteFailure::kRewrite;
  if (rewrite_later || !unwritten_ids_empty_.load() || !write.runs.empty() ||
      !write.ended.empty()) {
    std::unique_lock lock(mu_);
    if (s.ok()) OnDurableLocked(write.runs);
    for (uint64_t id : write.ids) {
      if (rewrite_later) {
        uint64_t& failed_seq = unwritten_ids_[id];
        failed_seq = std::max(failed_seq, write.seq);
        continue;
      }
      // Durable and queued after the failed write: the store has caught up.
      auto it = unwritten_ids_.find(id);
      if (s.ok() && it != unwritten_ids_.end() && it->second < write.seq) unwritten_ids_.erase(it);
    }
    unwritten_ids_empty_ = unwritten_ids_.empty();
    for (uint64_t id : write.ended) finishing_ids_.erase(id);
  }
  if (!write.ended.empty()) NotifyDone();
  return s;
}

void Controller::RewriteUnwrittenLocked(std::vector<v1::JobInfo>& changed) {
  std::unordered_set<uint64_t> queued;
  for (const v1::JobInfo& j : changed) queued.insert(j.job_id());
  for (const auto& entry : unwritten_ids_) {
    // What memory holds now: queued under mu_, it lands after every older
    // copy and before any newer one.
    auto it = jobs_.find(entry.first);
    if (it != jobs_.end() && !queued.count(entry.first)) changed.push_back(it->second);
  }
  // Gone from memory (a refused submission): nothing left to write.
  std::erase_if(unwritten_ids_, [&](const auto& entry) { return !jobs_.count(entry.first); });
  unwritten_ids_empty_ = unwritten_ids_.empty();
}

void Controller::OnDurableLocked(const std::vector<DurableRun>& runs) {
  for (const DurableRun& r : runs) {
    if (r.ended_run >= 0) ledger_.Settle(r.job_id, r.ended_run);
    if (r.start <= 0) continue;
    auto it = jobs_.find(r.job_id);
    // Only the run that is still current: one that ended meanwhile was
    // counted by Freeze already.
    if (it == jobs_.end() || !IsActive(it->second.state()) || it->second.start_time() != r.start)
      continue;
    ledger_.Open(it->second);
  }
}

int Controller::FindNodeLocked(const std::string& name) const {
  auto it = node_index_.find(name);
  return it == node_index_.end() ? -1 : static_cast<int>(it->second);
}

std::vector<const v1::JobInfo*> Controller::JobsWithIdLocked(uint64_t id) const {
  std::vector<const v1::JobInfo*> out;
  for (auto it = jobs_.lower_bound(id);
       it != jobs_.end() && IdNamesJob(id, it->first, it->second.array_job_id()); ++it) {
    out.push_back(&it->second);
  }
  return out;
}

Result<Controller::Checked> Controller::CheckResolvedSpec(v1::JobSpec& spec) {
  const PartitionConfig* part = config_.FindPartition(spec.partition());
  if (!part) {
    std::vector<std::string> names;
    for (const auto& p : config_.partitions) names.push_back(p.name);
    return MakeError("invalid partition '" + spec.partition() +
                     "' (partitions: " + Join(names, ", ") + ")");
  }
  if (spec.account().empty()) spec.set_account(config_.DefaultAccountOf(spec.user()));
  if (!spec.account().empty() && !config_.accounts.empty()) {
    const AccountConfig* acct = config_.FindAccount(spec.account());
    if (!acct) return MakeError("invalid account '" + spec.account() + "'");
    if (!acct->MayCharge(spec.user())) {
      return MakeError("user " + spec.user() + " may not charge account '" + spec.account() + "'");
    }
  }
  if (!spec.qos().empty() && !config_.qos.empty() && !config_.FindQos(spec.qos())) {
    return MakeError("invalid qos '" + spec.qos() + "'");
  }
  if (part->max_time > 0 && spec.time_limit_ms() > part->max_time) {
    return MakeError("--time=" + FormatTimeLimit(spec.time_limit_ms()) + " exceeds partition " +
                     part->name + "'s limit of " + FormatTimeLimit(part->max_time));
  }
  if (DurationMs most = QosMaxTime(spec); most > 0 && spec.time_limit_ms() > most) {
    return MakeError("--time=" + FormatTimeLimit(spec.time_limit_ms()) + " exceeds qos " +
                     spec.qos() + "'s max_time of " + FormatTimeLimit(most));
  }
  auto req = RequestFor(spec, *part);
  if (!req) return req.error();
  {
    std::shared_lock lock(mu_);
    if (Status s = CheckFeasible(*req, resources_); !s.ok())
      return MakeError("impossible request: " + s.error().message);
  }
  DurationMs limit = RequestedTimeLimit(spec);
  // An unlimited job may have a minimum too (Slurm's rule): a backfill
  // pass may then start it with a limit it did not have.
  if (spec.time_min_ms() > 0 && limit > 0 && spec.time_min_ms() > limit) {
    return MakeError("--time-min=" + FormatTimeLimit(spec.time_min_ms()) +
                     " is longer than the time limit " + FormatTimeLimit(limit));
  }
  auto requests = ValidateOptions(spec, std::move(req).value(), limit);
  if (!requests) return requests.error();
  if (Status s = CheckQosLimits(spec.qos(), *requests); !s.ok()) return s.error();
  return Checked{std::move(requests).value(), limit};
}

Status CheckNice(const std::string& user, int32_t nice) {
  if (nice >= 0 || IsAdmin(user)) return {};
  return MakeError("--nice=" + std::to_string(nice) +
                   ": only an admin may give a negative nice (it raises a job above its factors)");
}

Result<Controller::Accepted> Controller::ValidateAndExpand(v1::JobSpec spec) {
  if (spec.script().empty()) return MakeError("the job has no script");
  if (Status s = CheckSpecFields(spec); !s.ok()) return s.error();
  if (!StartsWith(spec.script(), "#!")) {
    return MakeError(
        "the script does not start with #! (a batch script needs an interpreter line)");
  }
  if (Status s = ResolveJobOptions(spec, config_, largest_node_); !s.ok()) return s.error();
  auto checked = CheckResolvedSpec(spec);
  if (!checked) return checked.error();
  if (Status s = CheckDependencies(0, spec, spec.user()); !s.ok()) return s.error();
  if (Status s = CheckNice(spec.user(), spec.nice()); !s.ok()) return s.error();

  v1::JobInfo base;
  TimeMs now = clock_.Now();
  base.set_state(v1::PENDING);
  base.set_reason("None");
  base.set_submit_time(now);
  base.set_eligible_time(now);
  base.set_array_task_id(-1);
  base.set_time_limit_ms(checked->time_limit);
  *base.mutable_spec() = std::move(spec);

  Accepted accepted{{}, std::move(checked->requests), {}};
  if (base.spec().array().empty()) {
    accepted.jobs.push_back(std::move(base));
    return accepted;
  }
  auto array = ParseArraySpec(base.spec().array(), config_.max_array_size);
  if (!array) return array.error();
  accepted.array = ShapeOf(*array);
  for (int32_t index : array->indices) {
    v1::JobInfo task = base;
    task.set_array_task_id(index);
    accepted.jobs.push_back(std::move(task));
  }
  return accepted;
}

Result<v1::SubmitReply> Controller::Submit(v1::JobSpec spec) {
  auto accepted = ValidateAndExpand(std::move(spec));
  if (!accepted) return accepted.error();
  std::vector<v1::JobInfo>& jobs = accepted->jobs;
  uint64_t first_id;
  QueuedWrite write;
  const v1::JobSpec& submitted = jobs.front().spec();
  int64_t count = static_cast<int64_t>(jobs.size());
  {
    std::unique_lock lock(mu_);
    // Counted in now, before the write, so that two submissions at once
    // cannot both pass the limit.
    if (Status s = CountInLocked(submitted, count); !s.ok()) return s.error();
    first_id = next_job_id_;
    next_job_id_ += jobs.size();
    for (size_t i = 0; i < jobs.size(); ++i) {
      jobs[i].set_job_id(first_id + i);
      if (jobs[i].array_task_id() >= 0) jobs[i].set_array_job_id(first_id);
    }
    write = QueueWriteLocked(jobs);
  }
  // Nothing sees the jobs until they are durable: a cycle that started one
  // whose submission then failed would run a job sbatch called refused,
  // and a cancel or a start queued behind a failed submission could land
  // in the store on its own.
  if (Status s = AwaitWrite(std::move(write), OnWriteFailure::kForget); !s.ok()) {
    std::unique_lock lock(mu_);
    CountUnfinishedLocked(submitted, -count);
    return MakeError("the job could not be stored, so it was not accepted: " + s.error().message);
  }
  v1::SubmitReply reply;
  reply.set_job_id(first_id);
  reply.set_array_tasks(jobs.front().array_task_id() >= 0 ? static_cast<uint32_t>(jobs.size()) : 0);
  {
    std::unique_lock lock(mu_);
    for (v1::JobInfo& j : jobs) {
      uint64_t id = j.job_id();
      jobs_[id] = std::move(j);
      requests_[id] = accepted->requests;
      pending_ids_.insert(id);
    }
    if (accepted->array.count) arrays_[first_id] = accepted->array;
  }
  Wake();
  return reply;
}

}  // namespace tatami
