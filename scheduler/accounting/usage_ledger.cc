#include "scheduler/accounting/usage_ledger.h"

#include <algorithm>

#include "scheduler/job_state.h"

namespace tatami {

void UsageLedger::AddOpen(Series& s, const Run& run, int sign) {
  UsageAmount per_ms;
  per_ms.Add(run.rates, 1);
  s.open_rates += per_ms.Times(sign);
  s.open_rate_starts += per_ms.Times(static_cast<__int128>(run.start) * sign);
}

void UsageLedger::Open(const v1::JobInfo& job) {
  uint64_t id = job.job_id();
  TimeMs start = job.start_time();
  if (frozen_.count({id, start})) return;  // it ended before its start was durable
  auto it = open_.find(id);
  if (it != open_.end()) {
    if (it->second.start == start) return;
    // A newer run replaces one whose end we never heard of: close it there.
    FreezeRun(id, it->second, start, kOutcomeNodeFail);
  }
  Run run{start, KeyOf(job), RatesOf(job)};
  AddOpen(series_[run.key], run, +1);
  open_[id] = std::move(run);
}

void UsageLedger::Freeze(const v1::JobInfo& job, const v1::RunRecord& run) {
  FreezeRun(job.job_id(), Run{run.start_time(), KeyOf(job, run), RatesOf(run)}, run.end_time(),
            run.outcome());
}

void UsageLedger::FreezeRun(uint64_t job, Run run, TimeMs end, const std::string& outcome) {
  TimeMs start = run.start;
  if (frozen_.count({job, start})) return;
  if (auto it = open_.find(job); it != open_.end() && it->second.start == start) {
    run = std::move(it->second);  // what was counted while open, so the sums cancel exactly
    open_.erase(it);
    AddOpen(series_[run.key], run, -1);
  }
  series_[run.key].closed.Add(run.rates, std::max<DurationMs>(0, end - start));
  frozen_[{job, start}] = Frozen{std::move(run), end, outcome};
}

void UsageLedger::Settle(uint64_t job, TimeMs start) {
  auto it = frozen_.find({job, start});
  if (it == frozen_.end()) return;
  const Frozen& f = it->second;
  by_outcome_[{f.run.key, f.outcome}].Add(f.run.rates, std::max<DurationMs>(0, f.end - start));
  frozen_.erase(it);
}

void UsageLedger::Restore(const v1::JobInfo& stored) {
  for (const v1::RunRecord& run : stored.runs()) {
    UsageKey key = KeyOf(stored, run);
    DurationMs d = std::max<DurationMs>(0, run.end_time() - run.start_time());
    series_[key].closed.Add(RatesOf(run), d);
    by_outcome_[{key, run.outcome()}].Add(RatesOf(run), d);
  }
  if (IsActive(stored.state()) && stored.start_time() > 0) Open(stored);
}

bool UsageLedger::IsOpen(uint64_t job, TimeMs start) const {
  auto it = open_.find(job);
  return it != open_.end() && it->second.start == start;
}

std::map<UsageKey, UsageAmount> UsageLedger::Totals(TimeMs now) const {
  std::map<UsageKey, UsageAmount> out;
  for (const auto& [key, s] : series_) {
    UsageAmount a = s.closed;
    a += s.open_rates.Times(now);
    a += s.open_rate_starts.Times(-1);
    out.emplace(key, a);
  }
  return out;
}

}  // namespace tatami
