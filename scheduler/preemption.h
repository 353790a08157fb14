// Preemption: which running jobs must stop so that a blocked job can start.
//
// A pending job may preempt a running job when its `preempts` mask holds
// the running job's QoS and the running job has run its minimum
// (preemptible_from): Slurm's preempt/qos with PreemptExemptTime. A job
// that would start within its account's quota may also reclaim: preempt
// any other account's job that started borrowing (Kueue's reclaimWithinCohort).
// A job that started within its quota (RunningJob::guaranteed) is never
// preempted, whatever the QoS rules say. Jobs
// already told to stop cost nothing and are used first; then the cheapest:
// lowest priority, then those on no node a backfill reservation holds
// before the claimant would end, then the most recently started (least
// work lost).
// Candidates are released from the books in that order until the Placer
// finds room (trying at doubling gaps, as backfill.h does, so thousands of
// scavenger jobs cost O(log n) placements); then every released job the
// chosen shares do not touch is put back, so a one-GPU job evicts one
// one-GPU job, not a node of them.
//
// A successful claim changes the books only by a hold: the part of the
// claimant's shares its victims do not already occupy (devices, CPUs and
// memory that were free) is taken, so later jobs of the same cycle cannot
// start there; the victims stay on the books, since they run until their
// grace time is over. No two claims release the same job. The destructor
// gives the holds back, leaving the books as they were before the first
// claim plus whatever the cycle started. Grace times and requeueing are the
// caller's: the plan only names victims. One per cycle; not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "scheduler/placement.h"
#include "scheduler/scheduling_cycle.h"

namespace tatami {

struct Claim {
  std::vector<NodeShare> shares;            // where the claimant runs once they are gone
  std::vector<const RunningJob*> released;  // every job whose resources it takes
  std::vector<uint64_t> victims;            // those of them not already preempting
  std::vector<NodeShare> hold;              // what it took that was free
};

class PreemptionPlanner {
 public:
  // `books` and `running` must outlive the planner.
  PreemptionPlanner(std::vector<NodeResources>& books, const std::vector<RunningJob>& running,
                    TimeMs now);
  PreemptionPlanner(const PreemptionPlanner&) = delete;
  PreemptionPlanner& operator=(const PreemptionPlanner&) = delete;
  ~PreemptionPlanner();

  // Room for `job` shaped as `req` (one of its options), made by stopping
  // jobs it may preempt; nullopt when even stopping all of them leaves none.
  // `reclaim`: `job` would start within its quota, so borrowing jobs of
  // other accounts count as jobs it may preempt. `reserved` (by node index;
  // empty: none): nodes an earlier job's backfill reservation holds before
  // `job` would end. Among victims alike in priority, those elsewhere go
  // first, so a claim delays no reserved start it can avoid delaying.
  std::optional<Claim> ClaimFor(const PendingJob& job, const ResourceRequest& req,
                                const Placer& placer, bool reclaim = false,
                                const std::vector<bool>& reserved = {});

 private:
  // Running jobs `job` could take resources from for `req`, cheapest first.
  std::vector<size_t> Candidates(const PendingJob& job, const ResourceRequest& req, bool reclaim,
                                 const std::vector<bool>& reserved) const;
  // Whether `ran` (released) must stay released for `shares` to hold.
  bool Touches(const RunningJob& ran, const std::vector<NodeShare>& shares, bool exclusive) const;
  // The part of `shares` that `released` do not hold, taken on the books.
  std::vector<NodeShare> Hold(const std::vector<NodeShare>& shares, bool exclusive,
                              const std::vector<const RunningJob*>& released);

  struct Held {
    size_t node;
    NodeShare share;
    bool set_exclusive;
  };

  std::vector<NodeResources>& books_;
  const std::vector<RunningJob>& running_;
  TimeMs now_;
  std::vector<bool> released_;  // by index into running_: taken by an earlier claim
  std::vector<Held> held_;      // given back by the destructor
};

}  // namespace tatami
