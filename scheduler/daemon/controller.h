// The controller's state machine: jobs, nodes, and the scheduling loop.
//
// Ownership and threads:
// - Controller owns the job table and node table, guarded by `mu_`. RPC
//   handlers (gRPC threads) take it briefly to read or change state; nothing
//   slow (disk, network, the scheduling cycle itself) happens under it.
// - The scheduler thread copies an immutable Snapshot under the lock, runs
//   the cycle without it, then re-takes it to commit the Plan (the one
//   writer re-checks every start against live state).
// - Every change a client or agent is told about is durable first: handlers
//   wait on the JobStore's group commit after releasing the lock.
// - Agents are reached through AgentLinks (one thread each), never inline.
//
// Errors come back as Result/Status with messages meant for the user.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "proto/tatami.pb.h"
#include "scheduler/accounting/usage.h"
#include "scheduler/accounting/usage_ledger.h"
#include "scheduler/accounts.h"
#include "scheduler/array_spec.h"
#include "scheduler/daemon/agent_link.h"
#include "scheduler/daemon/controller_metrics.h"
#include "scheduler/daemon/gone_jobs.h"
#include "scheduler/dependency.h"
#include "scheduler/fair_share.h"
#include "scheduler/job_options.h"
#include "scheduler/job_state.h"
#include "scheduler/policy.h"
#include "scheduler/priority.h"
#include "scheduler/qos_limits.h"
#include "scheduler/qos_table.h"
#include "scheduler/resource_request.h"
#include "scheduler/scheduling_cycle.h"
#include "scheduler/store/job_store.h"
#include "topology/cluster_config.h"
#include "topology/node_topology.h"

namespace tatami {

// H100-equivalents (scheduling_cycle.h's CapacityOf) of a run, and of every
// device the config lists: fair-share usage and the job-size factor.
double CapacityOfRun(const v1::RunRecord& run);
double ClusterCapacity(const ClusterConfig& config);
// Runs in a row, up to the last, that ended in preemption (PendingJob::preempted_in_a_row).
uint32_t PreemptedInARow(const v1::JobInfo& job);
// Admins, as Slurm's: root and the user tatamid runs as (its SlurmUser).
bool IsAdmin(const std::string& user);
// Whether `user` may give a job this --nice: anyone a positive one (it
// lowers the job), only an admin a negative one, as Slurm.
Status CheckNice(const std::string& user, int32_t nice);
// What one active job holds, as fair share (capacity, from its start),
// quotas (kind, devices) and QoS limits (qos, user) count it. Copied under
// the lock, weighed after.
struct Holding {
  uint32_t account = kNoAccount;
  double capacity = 0;  // H100-equivalents
  AcceleratorKind kind = AcceleratorKind::kNone;
  uint32_t devices = 0;
  TimeMs start = 0;                // 0: not started yet (quotas count it, usage does not)
  uint32_t qos = QosTable::kNone;  // what it runs as
  uint32_t user = 0;               // its uid
};
// Decayed usage per account at `now`: `usage`'s ended runs plus the
// holdings' runs so far.
std::vector<double> UsageWithRunning(const FairShareUsage& usage, size_t accounts,
                                     const std::vector<Holding>& holdings, TimeMs now);
// What the holdings charge each account (and its ancestors).
QuotaBooks BooksOf(std::shared_ptr<const AccountTree> tree, const std::vector<Holding>& holdings);
// What the holdings hold against the limits of their QoS.
QosLimits QosBooksOf(const std::vector<QosConfig>& qos, const std::vector<Holding>& holdings);
// Every QoS's rules and limits, by index, with what the holdings hold
// against them, and `uid`'s part if given. What `tatami qos` lists and the
// QoS gauges export.
std::vector<v1::QosInfo> QosStandings(const std::vector<QosConfig>& qos,
                                      const std::vector<Holding>& holdings,
                                      std::optional<uint32_t> uid);
// Every account's standing, by index: fair share from decayed `usage`
// (FairShareUsage::UsageAt), devices `in_use` against quota and borrow
// limit. What `tatami share` lists and the account gauges export.
std::vector<v1::AccountStanding> AccountStandings(const AccountTree& tree,
                                                  const std::vector<double>& usage,
                                                  const QuotaBooks& in_use);

class Controller {
 public:
  Controller(ClusterConfig config, std::unique_ptr<JobStore> store, const Clock& clock);
  ~Controller();

  // The address jobs use to reach this controller (TATAMI_CONTROLLER). Set
  // once, before Start(): the port is known only after the server binds.
  void set_own_address(std::string address) { own_address_ = std::move(address); }

  // Loads the store and restores the allocations of running jobs. Call
  // before the server takes RPCs: an agent registering against an empty job
  // table would leave its jobs' records orphaned.
  Status Load();
  // Starts the scheduler thread. After Load() and set_own_address().
  void Start();
  void Stop();

  // ---- CLI API
  // Answers once the jobs are durable; until then no query, cancel or
  // cycle sees them, and a refused submission leaves nothing behind but
  // the ids it used.
  Result<v1::SubmitReply> Submit(v1::JobSpec spec);
  v1::ListJobsReply ListJobs(const v1::ListJobsRequest& req) const;
  v1::CancelReply Cancel(const v1::CancelRequest& req);
  // tatami update: changes pending jobs' time limit, QoS, account,
  // partition, dependency or nice (a running job's time limit too), each
  // change checked as a submission is (controller_update.cc).
  v1::UpdateJobsReply UpdateJobs(const v1::UpdateJobsRequest& req);
  v1::ClusterInfoReply ClusterInfo() const;
  // Drains or resumes nodes; errors name each node or rule that failed.
  v1::UpdateNodesReply UpdateNodes(const v1::UpdateNodesRequest& req);
  Result<v1::AcctReply> Acct(const v1::AcctRequest& req);
  v1::WaitReply Wait(const v1::WaitRequest& req);
  // Usage per account, user, kind and tier over a period, from the store.
  Result<v1::ReportReply> Report(const v1::ReportRequest& req);
  // Every account's fair share and devices in use against its quota, now.
  // Error: an account the config lacks.
  Result<v1::SharesReply> Shares(const v1::SharesRequest& req);
  // The QoS tiers, their limits and what their running jobs hold now.
  v1::QosReply Qos(const v1::QosRequest& req) const;

  // ---- metrics (controller_metrics.h)
  // Gauges and billing counters computed from the current state, for a scrape.
  std::vector<prometheus::MetricFamily> CollectState() const;
  ControllerMetrics& metrics() { return metrics_; }
  const ControllerMetrics& metrics() const { return metrics_; }
  // Where to keep a Prometheus file_sd list of every /metrics endpoint
  // (this controller's and each registered agent's). Set before Start().
  void set_scrape_targets(std::string file, std::string own_metrics_address);

  // ---- agent API
  v1::RegisterNodeReply RegisterNode(const v1::RegisterNodeRequest& req);
  v1::HeartbeatReply Heartbeat(const v1::HeartbeatRequest& req);
  Status ReportJobs(const v1::ReportJobsRequest& req);

 private:
  // A node's identity and liveness; its free resources live in the parallel
  // `resources_` vector so a snapshot is one vector copy.
  struct Node {
    NodeConfig config;
    v1::NodeState state = v1::NODE_UNKNOWN;
    std::string reason;
    // An admin's drain (tatami node drain): kept across DOWN and re-registration.
    bool drained = false;
    std::string drain_reason;
    std::string agent_address;
    std::string agent_instance;
    TimeMs last_heartbeat = 0;
    std::string metrics_address;  // the agent's /metrics
    NodeTopology topology;  // from the config's XML/synthesis, or what the agent found ("host")
  };

  // ---- helpers; the *Locked ones need mu_ held exclusively.
  // What sinfo and the metrics show: the node's state, or DRAIN/DRAINING
  // while an admin's drain holds and it is up. Shared lock suffices.
  v1::NodeState ShownStateLocked(size_t i) const;
  // A checked submission: its job records (several for an array) and what each needs.
  // What a job may run as: its main request and the alternatives the cycle
  // may choose instead (job_options.h). `spec_option[i]` is the spec's
  // option (JobInfo.run_option) that alternatives[i] stands for: an option
  // a changed config can no longer place is left out after a restart.
  struct JobRequests {
    ResourceRequest request;
    std::vector<JobOption> alternatives;
    std::vector<uint32_t> spec_option;
    // The request of spec option `option` (0: the main one); the main one
    // when it was left out.
    const ResourceRequest& Of(uint32_t option) const;
  };
  struct Accepted {
    std::vector<v1::JobInfo> jobs;
    JobRequests requests;
    ArrayShape array;  // count 0: not an array
  };
  Result<Accepted> ValidateAndExpand(v1::JobSpec spec);
  // What a job whose options are resolved (ResolveJobOptions) asks for,
  // checked against the config: partition, account (defaulted), QoS, time
  // limits, feasibility, its options and QoS device limits. Submission and
  // tatami update both check with it. Takes mu_ (shared) for a while.
  struct Checked {
    JobRequests requests;
    DurationMs time_limit;  // the job's, defaults applied
  };
  Result<Checked> CheckResolvedSpec(v1::JobSpec& spec);
  // That every job spec's --dependency names exists (or existed), and, for
  // job `id` (0: a new one, which no job can wait on yet), that none of
  // them waits, directly or through others, on it: a cycle that would
  // never start. Takes mu_ (shared); the Locked form needs it held, so
  // that an update checks and applies under one lock. Under private_data a
  // `requester` who is not an admin may name only their own jobs.
  Status CheckDependencies(uint64_t id, const v1::JobSpec& spec,
                           const std::string& requester) const;
  Status CheckDependenciesLocked(uint64_t id, const v1::JobSpec& spec,
                                 const std::string& requester) const;
  // Evaluates --dependency terms against the jobs in memory and gone_.
  // Valid while mu_ is held (shared suffices) and no job is added.
  DependencyLookup DependencyLookupLocked() const;
  // Applies what `req` asks to `spec` (a copy of `job`'s), refusing what
  // `admin` or not the requester may not do; the caller then checks the
  // whole spec (CheckResolvedSpec), and a new dependency against the other
  // jobs as it applies it (CheckDependenciesLocked). Takes mu_ (shared)
  // for a while.
  Status ApplyUpdate(const v1::UpdateJobsRequest& req, bool admin, const v1::JobInfo& job,
                     v1::JobSpec& spec) const;
  // The unfinished jobs a CancelRequest names (ids, array tasks, filters);
  // what it cannot resolve goes to `errors`.
  std::set<uint64_t> SelectLocked(const v1::CancelRequest& req,
                                  google::protobuf::RepeatedPtrField<std::string>* errors) const;
  void SchedulerLoop();
  Snapshot BuildSnapshotLocked();
  // The QoS it runs as (RunQos: pending, its spec's); QosTable::kNone for none.
  uint32_t QosOf(const v1::JobInfo& job) const;
  uint32_t AccountOf(const v1::JobInfo& job) const { return accounts_->Find(job.spec().account()); }
  // Slurm's reason code for a pending job that names a partition, account
  // or QoS the config no longer has (edited since it was accepted), else
  // null. Such a job waits, neither dropped nor run uncharged, until an
  // admin restores the name or cancels it, or tatami update gives it valid
  // ones. The config never changes while tatamid runs, so only Load asks
  // (missing_from_config_), not every cycle.
  const char* MissingFromConfig(const v1::JobInfo& job) const;
  // The cycle's view of a pending job, priority left 0.
  PendingJob PendingJobOf(const v1::JobInfo& job, const JobRequests& requests) const;
  // A listed pending job's priority and its factors in words, computed now
  // (as sprio does) rather than stored by every cycle. Shared lock suffices.
  void DescribePriorityLocked(v1::JobInfo& listed, TimeMs now) const;
  // Fair-share factors from the usage so far and the running jobs' (`holdings`).
  void RefreshFairShareLocked(TimeMs now, const std::vector<Holding>& holdings);
  // What an active job holds (none without its requests), and every one's.
  std::optional<Holding> HoldingOfLocked(const v1::JobInfo& job) const;
  std::vector<Holding> HoldingsLocked() const;
  // SIGTERM now, SIGKILL after its QoS's grace time plus kill_wait; the scheduler's plan
  // named it (preemption.h). Its end requeues or ends it (PreemptedEndLocked).
  void PreemptLocked(v1::JobInfo& job, uint64_t for_job);
  // Kind rebalancing (rebalance.h) moves it: as PreemptLocked, and its end
  // requeues it with the kind it ran on excluded (JobInfo.excluded_kinds).
  void MoveLocked(v1::JobInfo& job);
  // A preempted job's processes ended: requeued when its QoS's preempt_mode
  // and its --requeue allow, else PREEMPTED. A moved one is requeued.
  void PreemptedEndLocked(v1::JobInfo& job);
  // Whether a job starting now may later be moved (JobInfo.movable), and
  // where a running job would go if it were (RunningJob::elsewhere).
  bool MovableLocked(const v1::JobInfo& job, bool contended) const;
  Elsewhere ElsewhereLocked(const v1::JobInfo& job) const;
  // Applies the plan's preemptions, moves and starts; adds every record it changed
  // to `changed`. Returns how many jobs started.
  size_t CommitPlanLocked(const Plan& plan, std::vector<v1::JobLaunch>& launches,
                          std::vector<v1::JobInfo>& changed);
  void DispatchLaunches(std::vector<v1::JobLaunch> launches);
  // The store could not record these starts: launching them would run jobs
  // it calls PENDING, which a restarted controller would start again. They
  // are pending again, in memory, as the store has them. Takes mu_.
  void UndoStarts(const std::vector<v1::JobLaunch>& launches, const std::string& why);
  // Records which option a starting job takes (PlannedStart::option): its
  // run_option, partition and the time limit there.
  void StartOptionLocked(v1::JobInfo& job, size_t option);
  // Decides each rank's device, cores and NIC (topology/binding.h) for a job
  // whose allocation was just set.
  void BindJobLocked(v1::JobInfo& job) const;
  // One launch per node of the job's allocation, in allocation order.
  std::vector<v1::JobLaunch> MakeLaunches(const v1::JobInfo& job) const;

  // Ends a job: state, exit, resources back, other nodes told. Returns the record to persist.
  void FinishJobLocked(v1::JobInfo& job, JobState state, const std::string& reason);
  // Whether a job whose run was lost (its node or agent failed, or its
  // launch) is queued again: it asked (--requeue) and was not cancelled, or
  // tatami requeue was already ending its run.
  static bool RequeuesWhenLost(const v1::JobInfo& job) {
    return job.requeue_requested() || (job.spec().requeue() && !job.cancel_requested());
  }
  // `ran`: the job started somewhere (counts a restart); false when its
  // launch never reached an agent.
  // `outcome`: how the run that ends here is recorded (usage.h).
  void RequeueJobLocked(v1::JobInfo& job, const std::string& reason, bool ran = true,
                        const char* outcome = kOutcomeNodeFail);
  // Records the end of the job's current run (JobInfo.runs, the ledger).
  void EndRunLocked(v1::JobInfo& job, TimeMs end, const std::string& outcome);
  // These records are durable now: their runs' starts open in the ledger,
  // their ends settle.
  struct DurableRun {
    uint64_t job_id;
    TimeMs start;      // current run's start; 0 = none
    TimeMs ended_run;  // start of the run that just ended; -1 = none
  };
  void OnDurableLocked(const std::vector<DurableRun>& runs);
  // Job records on their way to the store. They are queued while mu_ is
  // held, right where they changed, so the store writes the copies of a
  // record in the order they were made: an older copy never lands over a
  // newer one (a PENDING from a submission over the RUNNING of the cycle
  // that started the job a moment later). Then they are waited for without
  // mu_ (AwaitWrite): the answer to a client, or an agent, waits for them.
  struct QueuedWrite {
    std::shared_future<Status> done;  // invalid: nothing was queued
    std::vector<uint64_t> ids;        // every job it writes
    uint64_t seq = 0;                 // queue order: a later write holds newer records
    std::vector<DurableRun> runs;
    std::vector<uint64_t> ended;  // jobs whose end this writes (finishing_ids_)
    std::chrono::steady_clock::time_point queued;
  };
  QueuedWrite QueueWriteLocked(std::vector<v1::JobInfo> jobs);
  // What a failed write leaves: kRewrite, memory stays as it is and its
  // jobs join unwritten_ids_; kForget, nothing is kept (a refused
  // submission, which memory only takes once durable).
  enum class OnWriteFailure { kRewrite, kForget };
  // Once durable: runs open and settle in the ledger, and Wait may report
  // the ended jobs (even after a failed write: a waiter must not hang on a
  // store error, which the caller reports). Takes mu_ itself.
  Status AwaitWrite(QueuedWrite write, OnWriteFailure on_failure = OnWriteFailure::kRewrite);
  // Adds the current records of the jobs a failed write left behind, so
  // that the store catches up with memory once it can write again.
  void RewriteUnwrittenLocked(std::vector<v1::JobInfo>& changed);
  void WriteScrapeTargets();
  void ReleaseLocked(const v1::JobInfo& job);
  std::vector<NodeShare> SharesOf(const v1::JobInfo& job) const;
  // An active job as backfill and preemption see it.
  RunningJob RunningJobOf(const v1::JobInfo& job) const;
  void ApplyEventLocked(const v1::JobEvent& ev, std::vector<v1::JobInfo>& changed);
  void CheckNodeTimeoutsLocked(std::vector<v1::JobInfo>& changed);
  // Signal 0: SIGTERM, then SIGKILL after `kill_wait` (negative: the config's).
  void TerminateOnNodesLocked(const v1::JobInfo& job, int signal, DurationMs kill_wait = -1);
  void UpdateNodeStateLocked(size_t node_index);
  void UpdateNodeStatesLocked(const v1::JobInfo& job);
  void OnLaunchFailed(uint64_t job_id, const std::string& node, const std::string& why);
  AgentLink* LinkLocked(const std::string& address);
  int FindNodeLocked(const std::string& name) const;  // -1 when unknown
  // The job's resource request in `partition` (lets --gpus=N fill whole nodes).
  Result<ResourceRequest> RequestFor(const v1::JobSpec& spec,
                                     const PartitionConfig& partition) const;
  // The request of each option of a stored spec that this config can still
  // build (Load); submission checks more (ValidateOptions).
  JobRequests RequestsFor(const v1::JobSpec& spec) const;
  // Option `option` of a spec (job_options.h SpecForOption) as a request.
  Result<ResourceRequest> RequestForOption(const v1::JobSpec& spec, size_t option) const;
  // Builds and checks each alternative of a resolved spec: one the user
  // wrote must be possible, and within its partition's time limit at its
  // speed; one its job class brought that is not is dropped from the spec.
  Result<JobRequests> ValidateOptions(v1::JobSpec& spec, ResourceRequest main,
                                      DurationMs time_limit);
  // The --time a job asked for, or its main partition's default.
  DurationMs RequestedTimeLimit(const v1::JobSpec& spec) const;
  // The limit of the job when it runs as `option`: the main request's
  // `main_limit` at the option's speed, or, for a -p list's copy of a job
  // without --time, the default of the copy's own partition.
  DurationMs OptionTimeLimit(const v1::JobSpec& spec, const v1::AcceleratorOption& option,
                             DurationMs main_limit) const;
  // max_submit_jobs_per_user: whose unfinished jobs a job counts among (its
  // own QoS, not what it runs as, and its uid); none when its QoS sets no
  // such limit. Submit counts jobs in, FinishJobLocked out.
  std::optional<std::pair<uint32_t, uint32_t>> SubmitLimitKey(const v1::JobSpec& spec) const;
  void CountUnfinishedLocked(const v1::JobSpec& spec, int64_t jobs);
  // Counts `jobs` more of the spec's QoS and user in, or says which limit
  // they would pass (and counts nothing).
  Status CountInLocked(const v1::JobSpec& spec, int64_t jobs);
  // The job's QoS's max_time; 0: none.
  DurationMs QosMaxTime(const v1::JobSpec& spec) const;
  // Refuses a job that its QoS's limits would never let start, naming the limit.
  Status CheckQosLimits(const std::string& qos, const JobRequests& requests) const;
  // That default, when the option has one (JobOption::time_limit); else -1.
  DurationMs OwnTimeLimit(const v1::JobSpec& spec, const v1::AcceleratorOption& option) const;
  // The jobs in memory that `id` names: the job itself, or every task of
  // array `id` (tasks have consecutive ids from the array's own, and some
  // may be gone: min_job_age).
  std::vector<const v1::JobInfo*> JobsWithIdLocked(uint64_t id) const;

  // ---- retention (controller_retention.cc): finished jobs leave memory
  // min_job_age after their end, once their record is written; gone_
  // keeps what dependencies and tatami wait ask of them.
  void PurgeEndedLocked(TimeMs now);
  // The gone jobs `id` names, as records with what GoneJobs kept.
  std::vector<v1::JobInfo> GoneWithIdLocked(uint64_t id) const { return gone_.NamedBy(id); }
  void Wake();
  void NotifyDone();

  const ClusterConfig config_;
  const std::unique_ptr<JobStore> store_;
  const Clock& clock_;
  std::string own_address_;
  SchedulingPolicy policy_ =
      MakeSchedulingPolicy("tatami", config_.backfill_max_jobs, config_.rebalance).value();
  const QosTable qos_{config_.qos};
  const bool qos_limits_ = QosLimits(config_.qos).any();  // whether any QoS has limits
  const std::shared_ptr<const AccountTree> accounts_ =
      std::make_shared<AccountTree>(config_.accounts);
  TimeMs last_backfill_ = 0;  // scheduler thread only

  mutable std::shared_mutex mu_;
  std::map<uint64_t, v1::JobInfo> jobs_;
  std::unordered_map<uint64_t, JobRequests> requests_;  // pending and running jobs
  // Pending jobs Load found naming what the config lacks, and the reason
  // they wait with (MissingFromConfig); left by an update that mends them.
  std::unordered_map<uint64_t, const char*> missing_from_config_;
  std::unordered_map<uint64_t, ArrayShape> arrays_;  // by array job id, parsed once
  std::vector<Node> nodes_;
  std::vector<NodeResources> resources_;  // parallel to nodes_
  std::set<uint64_t> pending_ids_;        // PENDING jobs, in id order
  std::set<uint64_t> active_ids_;         // RUNNING and COMPLETING jobs
  std::set<uint64_t> restored_ids_;  // active when Load() ran; not yet confirmed by their agent
  // Ended in memory, record not yet written: Wait does not call them done
  // yet, so `tatami wait J && sacct -j J` never shows J still running.
  std::unordered_set<uint64_t> finishing_ids_;
  // Changed in memory, but the write of that change failed: each scheduling
  // cycle writes their records again until the store takes them. By job,
  // the seq of the last failed write: any later write that succeeds holds
  // a record at least as new.
  std::map<uint64_t, uint64_t> unwritten_ids_;
  // Read without mu_ so that the common write skips the lock; a stale
  // answer costs one extra rewrite or one extra lock, never a lost record.
  std::atomic<bool> unwritten_ids_empty_{true};
  // Finished jobs in end order, to leave memory min_job_age after their end,
  // and what is left of those that have.
  std::deque<std::pair<TimeMs, uint64_t>> ended_;
  GoneJobs gone_;
  // Unfinished jobs by SubmitLimitKey, for the QoS that limit them.
  std::map<std::pair<uint32_t, uint32_t>, int64_t> unfinished_by_qos_user_;
  uint64_t writes_queued_ = 0;
  std::unordered_map<std::string, size_t> node_index_;
  const LargestNodes largest_node_ = LargestNodesOf(config_);
  std::map<std::string, std::unique_ptr<AgentLink>> links_;
  uint64_t next_job_id_ = 1;
  UsageLedger ledger_;
  // Every ended run, decayed, for fair share; running jobs are added per cycle.
  FairShareUsage fair_share_usage_{config_.priority.usage_half_life};
  MultifactorPriority priority_;
  // Jobs that reached each end state, by (state, partition, account).
  std::map<std::tuple<JobState, std::string, std::string>, uint64_t> finished_;
  // Billing reads never go backwards even if the clock does.
  mutable std::atomic<TimeMs> metrics_now_{0};
  ControllerMetrics metrics_;
  std::string scrape_targets_file_;
  std::string own_metrics_address_;
  std::mutex scrape_targets_mu_;  // one writer of the file at a time

  std::mutex wake_mu_;
  std::condition_variable wake_cv_;
  bool wake_ = false;
  bool stopping_ = false;
  std::thread scheduler_;

  std::mutex done_mu_;
  std::condition_variable done_cv_;  // a job's end became durable
  uint64_t done_generation_ = 0;
};

}  // namespace tatami
