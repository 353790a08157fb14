// The live billing ledger behind tatami_accelerator_seconds_total and its
// CPU and memory siblings.
//
// A run moves through three states:
//   open     its start is durable; it accrues from its start time on.
//   frozen   it ended in memory; it stops accruing at its end time, but its
//            end may not be durable yet, so it is not yet under an outcome.
//   settled  its end is durable; it also counts under its outcome.
// This order keeps every exported counter monotonic across a crash: a run
// is counted only once its start cannot be lost, and a frozen run whose end
// is lost comes back open and ends later, never earlier. After a restart
// the ledger is rebuilt from the stored records (settled runs and open
// ones), so the counters continue where they were: no reset, no double count.
//
// Totals() costs O(series), not O(running jobs): each series keeps the sum
// of its open runs' rates and of rate x start.
//
// Not thread-safe: the controller guards it with its own lock. Totals() may
// be called by several readers at once (it only reads).
#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <utility>

#include "scheduler/accounting/usage.h"

namespace tatami {

class UsageLedger {
 public:
  using OutcomeKey = std::pair<UsageKey, std::string>;

  // The current run of `job` (from its start_time and allocation), whose
  // start is durable. Ignored if this run is already known.
  void Open(const v1::JobInfo& job);
  // `run` (JobInfo.runs' newest) of `job` ended. A run never opened (its
  // start was not durable yet) is counted from its start anyway.
  void Freeze(const v1::JobInfo& job, const v1::RunRecord& run);
  // The end of the run of `job` that started at `start` is durable: it
  // counts under its outcome too.
  void Settle(uint64_t job, TimeMs start);

  // Rebuilds what one stored job record contributes (after a restart): its
  // ended runs as settled, and its current run, if any, as open.
  void Restore(const v1::JobInfo& stored);

  bool IsOpen(uint64_t job, TimeMs start) const;

  // Usage of every series up to `now` (runs still open accrue to `now`).
  // `now` must not be earlier than any open run's start (the controller
  // passes a clock reading that never goes backwards).
  std::map<UsageKey, UsageAmount> Totals(TimeMs now) const;
  // Settled usage by outcome.
  const std::map<OutcomeKey, UsageAmount>& ByOutcome() const { return by_outcome_; }

 private:
  struct Run {
    TimeMs start = 0;
    UsageKey key;
    UsageRates rates;
  };
  struct Frozen {
    Run run;
    TimeMs end = 0;
    std::string outcome;
  };
  // Per series: closed usage plus the open runs' sums.
  struct Series {
    UsageAmount closed;
    UsageAmount open_rates;        // sum of rates (unit x 1 ms)
    UsageAmount open_rate_starts;  // sum of rate x start
  };

  void AddOpen(Series& s, const Run& run, int sign);
  void FreezeRun(uint64_t job, Run run, TimeMs end, const std::string& outcome);

  std::map<UsageKey, Series> series_;
  std::unordered_map<uint64_t, Run> open_;                // at most one run per job
  std::map<std::pair<uint64_t, TimeMs>, Frozen> frozen_;  // (job, start)
  std::map<OutcomeKey, UsageAmount> by_outcome_;
};

}  // namespace tatami
