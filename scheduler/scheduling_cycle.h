// One scheduling cycle: a Snapshot in, a Plan out.
//
// The controller copies what the cycle needs (free resources per node, the
// eligible pending jobs, the running jobs and when they are expected to end)
// into a Snapshot, releases its lock, and calls RunSchedulingCycle. The Plan
// lists jobs to start with their shares and a pending reason for every job
// it looked at. The controller (the one writer) re-checks each start against
// the live state before committing it. tatami-sim (sim/) keeps its whole
// simulated cluster as a Snapshot and calls the same function.
//
// Who goes next is the QueuePolicy's business; where a job fits is the
// Placer's; what may start early without delaying anyone is backfill.h's.
// This function only walks the order and keeps the books.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/clock.h"
#include "scheduler/accounts.h"
#include "scheduler/placement.h"
#include "scheduler/qos_limits.h"
#include "scheduler/resource_request.h"
#include "scheduler/resources.h"

namespace tatami {

// Another shape a job accepts (Dojo tiles instead of H100s, say) and how
// fast it runs there relative to the job's main request (2.0 = twice as
// fast). tatamid fills it from the job's spec (job_options.h: sbatch
// --gpus='A|B@speed' or --job-class), the simulator from its speed tables.
struct JobOption {
  ResourceRequest request;
  double speed = 1.0;
  // Its own time limit when it does not follow the job's (a -p list's copy
  // of a job without --time takes its partition's default; 0: unlimited);
  // -1: the job's time_limit at `speed`.
  DurationMs time_limit = -1;
};

struct PendingJob {
  uint64_t job_id = 0;
  int64_t priority = 0;  // higher goes first
  TimeMs submit_time = 0;
  ResourceRequest request;
  // The job's --time: backfill plans with it. 0 = unlimited, so the job
  // never starts ahead of a reservation it could overlap.
  DurationMs time_limit = 0;
  std::vector<JobOption> alternatives;
  // Bit q set: may preempt running jobs of QoS index q (preemption.h).
  uint64_t preempts = 0;
  uint32_t account = kNoAccount;  // AccountTree index: quotas (Snapshot::quotas)
  uint32_t user = 0;              // who QoS per-user limits count it for (tatamid: the uid)
  uint32_t qos = UINT32_MAX;      // QosTable index (kNone = UINT32_MAX)
  // What it runs as when it starts above its account's quota
  // (QosTable::RunsAs); UINT32_MAX: `qos`. A job preempted twice was
  // borrowing both times, so the anti-thrash rule below reads this one.
  uint32_t qos_above_quota = UINT32_MAX;
  // Runs in a row that ended in preemption. From 2 on, the job waits while
  // any pending job may preempt it ("PreemptedTwice"): it starts again only
  // when it can run its minimum and more, so preemption never thrashes.
  uint32_t preempted_in_a_row = 0;
  // --nice: what MultifactorPriority subtracts from the job's weighted
  // factors (the cycle reads only `priority`).
  int32_t nice = 0;
  // --time-min: a backfill pass may start the job now with its limit
  // lowered to no less than this, where its whole limit would overlap a
  // reservation (PlannedStart::time_limit); 0: never. In the main
  // request's time, as time_limit; an option's is lowered in proportion.
  // An unlimited job (time_limit 0) may be lowered too.
  DurationMs time_min = 0;
  // When the job first passed over a start to wait for a faster option
  // (reason "FasterKindSooner"); 0: never. The caller remembers it from
  // the plans: it bounds how long the job goes on waiting
  // (OptionChoice::kEarliestCompletion).
  TimeMs passed_over_at = 0;
  // Bit per AcceleratorKind (1 << kind) whose options the job does not
  // take: it was moved off that kind (Plan::moves) and has not started
  // elsewhere since, so it does not go straight back.
  uint32_t excluded_kinds = 0;
};

// Where a running job would go if moved (rebalance.h): its fastest option
// on another kind, and its speed there against the kind it runs on (0: it
// accepts no other kind).
struct Elsewhere {
  double speed = 0;
  ResourceRequest request;
};

struct RunningJob {
  uint64_t job_id = 0;
  bool exclusive = false;
  std::vector<NodeShare> shares;
  TimeMs expected_end = 0;  // start + time limit; 0 = unlimited
  // What preemption reads (preemption.h): the job's QoS index, priority and
  // start; it may not be preempted before `preemptible_from` (start + its
  // QoS's minimum run time); `preempting`: already told to stop (it ends by
  // expected_end, its grace deadline).
  uint32_t qos = 0;
  int64_t priority = 0;
  TimeMs start = 0;
  TimeMs preemptible_from = 0;
  bool preempting = false;
  uint32_t account = kNoAccount;
  // Started within its account's quota (QuotaFit::kWithinQuota): never
  // preempted. A job that started borrowing may be preempted by any job
  // within its own account's quota (Kueue's reclaim), whatever the QoS.
  bool guaranteed = false;
  // What kind rebalancing reads (rebalance.h): whether the job may be
  // moved (it is requeued when stopped, it has never been moved, and, if
  // the config says `jobs: uncontended`, it took its kind uncontended:
  // PlannedStart::contended), and where it would go.
  bool movable = false;
  Elsewhere elsewhere = {};
};

struct Snapshot {
  TimeMs now = 0;
  // The cycle's books: on return they hold the nodes as the plan leaves
  // them (the plan's starts applied), so a caller that commits every start,
  // as the simulator does, keeps them instead of copying 30,000 nodes.
  std::vector<NodeResources> nodes;
  std::vector<PendingJob> pending;  // eligible jobs only (dependencies met, not held)
  std::vector<RunningJob> running;  // read by backfill and preemption
  // Whether this cycle may start jobs past a blocked one (see
  // QueuePolicy::BackfillInterval); the caller decides from its clock.
  bool backfill_pass = false;
  // What each account holds now (the running jobs, victims still stopping
  // included). Like `nodes`, updated in place with the plan's starts. A
  // default QuotaBooks: no quotas.
  QuotaBooks quotas;
  // What the running jobs hold against their QoS's limits, kept the same
  // way. A default QosLimits: no limits.
  QosLimits qos_limits;
};

struct PlannedStart {
  uint64_t job_id = 0;
  size_t option = 0;  // 0: the job's request; i: its alternatives[i - 1]
  std::vector<NodeShare> shares;
  bool guaranteed = false;  // within its account's quota: RunningJob::guaranteed
  // > 0: the limit it starts with, lowered by --time-min (PendingJob::time_min)
  // so that it ends before a reservation; in the option's time, whole minutes.
  DurationMs time_limit = 0;
  // Another job of this cycle waited for the kind it starts on: the
  // caller keeps it, as kind rebalancing may be told to move only jobs
  // that took their kind uncontended (RunningJob::movable).
  bool contended = false;
};

// A start time promised to a job that cannot run now, on named resources:
// later jobs may use them only if they end before `start`.
struct Reservation {
  uint64_t job_id = 0;
  TimeMs start = 0;
  std::vector<NodeShare> shares;
  // start + the job's time limit there: later reservations may use the
  // resources from then on. 0: unlimited, held for good.
  TimeMs end = 0;
};

// Running job `victim` must stop (SIGTERM, then SIGKILL after its QoS's
// grace time) so that pending job `for_job` can start on its resources.
struct Preemption {
  uint64_t victim = 0;
  uint64_t for_job = 0;
};

struct Plan {
  std::vector<PlannedStart> starts;
  std::vector<std::pair<uint64_t, std::string>> reasons;  // job -> Slurm reason code
  // Jobs with reason "Reservation" -> the job whose reservation holds what they need.
  std::vector<std::pair<uint64_t, uint64_t>> held_for;
  // Jobs that passed over a start to wait for a faster option (reason
  // kFasterKindSooner): the caller keeps, per job, when it first did
  // (PendingJob::passed_over_at).
  std::vector<uint64_t> passed_over;
  std::vector<Reservation> reservations;
  bool backfill_pass = false;  // reservations and held_for are meaningful: they were made
  // New victims only: a job already preempting is not listed again. Its
  // beneficiary stays pending ("Preempting") until its victims have ended.
  std::vector<Preemption> preemptions;
  // Running jobs to move off the kind they run on (RebalanceRule): stopped
  // as a victim is (SIGTERM, then SIGKILL after their QoS's grace time) and
  // requeued with their work saved, that kind excluded
  // (PendingJob::excluded_kinds) until they have started on another.
  std::vector<uint64_t> moves;
};

// In which order a job's options (its request and alternatives) are tried;
// the first that can start now wins.
enum class OptionChoice {
  kListed,  // as the job lists them: blind to how fast each is
  // Most speed per H100-equivalent of capacity first (CapacityOf): a
  // one-GPU job that runs 1.3x faster on a Dojo tile (8 H100-equivalents)
  // still tries an H100 first, and takes the tile only when no H100 is free.
  kMostEfficient,
  // kMostEfficient's order, and an option that can start now is passed
  // over when the backfill plan expects an option before it (busy now) to
  // free up soon enough that the job would finish sooner there: a 1.5-hour
  // job waits 10 minutes for an H100 rather than run 7 hours on HW4 at
  // once. Reason "FasterKindSooner"; the job reserves the faster option,
  // and waits only while the pass may make one more reservation
  // (MaxReservations). Needs a backfill pass (the plan); between passes it
  // is kMostEfficient.
  // A job that can start on none of its options reserves the one the plan
  // finishes it on soonest, not the most efficient one however far off: a
  // vision job that finds every Dojo tile held for a day by long jobs
  // reserves the H100s that free in an hour, rather than queue behind them.
  // A plan can slip: jobs of higher priority arrive and take the faster
  // kind first. So a job that has passed over a start (passed_over_at)
  // waits only for a finish sooner than that start's would have been, not
  // merely sooner than one now: waiting costs it at most about the gain
  // it waited for. On GigaTexas at 300x load, a 5-minute job waited 16
  // minutes for a Dojo tile its plan kept promising in one.
  kEarliestCompletion,
};

// The reason of a job that could start now but waits for a faster option
// (OptionChoice::kEarliestCompletion).
inline constexpr const char* kFasterKindSooner = "FasterKindSooner";

// A long job does not start on an option that would run it at under
// `min_relative_speed` of its fastest option (among kinds the cluster has
// in service): it waits for the fast kind, and its backfill reservation
// there bounds the wait. Running a 100-hour job at a third of its speed
// costs it 200 hours; the wait rarely does, and the slow kind stays free
// for jobs that lose little on it. Jobs whose time limit is at most
// `applies_above` (and jobs with none) take any option that fits: short
// work fills holes. On the small Philly cluster at 3.3-6.7x sim.sh's load
// this rule cut tatami's mean JCT 3.5-5x (issue 6 note).
struct SlowOptionRule {
  double min_relative_speed = 0;  // 0: off
  DurationMs applies_above = 0;
};
// What the tatami policy (tatamid's) uses; `tatami explain` reads it too.
inline constexpr SlowOptionRule kTatamiSlowOptions{0.5, 10 * 60 * kMinute};

// Kind rebalancing (rebalance.h): on a backfill pass, when jobs that
// have waited `min_wait` want more of a kind than is free or being freed,
// movable jobs there (RunningJob::movable) are moved to the queue for
// their other kinds: those still expected to run longer than
// `min_remaining`, that would run there at `min_relative_speed` of their
// speed here or better (but not faster), that lose less by the move than
// the waiting jobs gain (KindRebalancer's estimate), that the backfill
// plan would start there within `min_wait`, and of the waiting jobs'
// QoS. The longest go first, until what they hold covers the shortfall.
struct RebalanceRule {
  DurationMs min_remaining = 0;  // 0: off
  double min_relative_speed = 0;
  DurationMs min_wait = 0;
};
// The tatami policy's comes from the config (RebalanceConfig); rebalance.h
// has the figures it was chosen by.

// The default queue order: higher priority, then earlier submission, then
// lower id. A caller that keeps its queue in this order (the simulator)
// spares every cycle a sort.
bool QueuedBefore(const PendingJob& a, const PendingJob& b);

class QueuePolicy {
 public:
  virtual ~QueuePolicy() = default;
  // Indices into snapshot.pending, first to be considered first.
  virtual std::vector<size_t> Order(const Snapshot& snapshot) const;
  // How often a backfill pass may run (0: every cycle); negative: never.
  // Between passes a job that cannot start holds back the jobs behind it
  // in its partition, as Slurm's main scheduler does.
  virtual DurationMs BackfillInterval() const { return -1; }
  // At most this many blocked jobs get a reservation per backfill pass
  // (Slurm: bf_max_job_test); the rest may be passed by backfilled jobs.
  virtual size_t MaxReservations() const { return 0; }
  virtual OptionChoice OptionOrder() const { return OptionChoice::kListed; }
  virtual SlowOptionRule SlowOptions() const { return {}; }
  virtual RebalanceRule Rebalance() const { return {}; }
};

// First come, first served: priority, then submit time, then job id. A job
// that does not fit holds back later jobs of its partition ("Priority").
class FifoPolicy : public QueuePolicy {};

// FIFO order with backfill: jobs start past a blocked one when they do not
// delay the reserved start of any job ahead of them.
class BackfillPolicy : public QueuePolicy {
 public:
  struct Options {
    DurationMs interval = 0;
    size_t max_reservations = 64;
    OptionChoice options = OptionChoice::kListed;
    SlowOptionRule slow_options = {};
    RebalanceRule rebalance = {};
  };
  explicit BackfillPolicy(Options options) : options_(options) {}
  DurationMs BackfillInterval() const override { return options_.interval; }
  size_t MaxReservations() const override { return options_.max_reservations; }
  OptionChoice OptionOrder() const override { return options_.options; }
  SlowOptionRule SlowOptions() const override { return options_.slow_options; }
  RebalanceRule Rebalance() const override { return options_.rebalance; }

 private:
  Options options_;
};

// The Slurm-style reason code a placement error starts with ("NoContiguousTiles:
// ..." -> "NoContiguousTiles"); "Resources" when it names none.
std::string ReasonCode(const std::string& placement_error);

// A job's option (0: its request; i: alternatives[i - 1]): the request, its
// speed relative to the request, and its time limit there (its own, or the
// job's --time divided by that speed; 0: unlimited).
const ResourceRequest& RequestOf(const PendingJob& job, size_t option);
double SpeedOf(const PendingJob& job, size_t option);
DurationMs LimitOf(const PendingJob& job, size_t option);
// A --time of `limit` on an option `speed` times as fast (0 stays unlimited):
// what backfill plans with and what tatamid enforces, so the two agree.
DurationMs LimitAtSpeed(DurationMs limit, double speed);
// What a request takes out of the cluster, in device slots another job
// could have used: an H100 (or any GPU) or an HW4 board counts 1 (a board's
// slowness is in the job's speed there already), a Dojo tile 8 (it serves
// what 8 H100 would: sim/speeds.h's stated assumption). Weighting boards
// by their speed instead (~0.5) made HW4 look cheap and sent jobs there to
// run 2-3x slower: mean JCT 84 h instead of 30 h on the small cluster.
double CapacityOf(const ResourceRequest& req);

// Works on snapshot.nodes (see Snapshot); reads everything else.
Plan RunSchedulingCycle(Snapshot& snapshot, const QueuePolicy& policy, const Placer& placer);

}  // namespace tatami
