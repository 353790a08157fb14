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

void UsageLedger::Open(uint64_t job, TimeMs start, const UsageKey& key, const UsageRates& rates) {
  if (frozen_.count({job, start})) return;  // it ended before its start was durable
  auto it = open_.find(job);
  if (it != open_.end()) {
    if (it->second.start == start) return;
    // A newer run replaces one whose end we never heard of: close it there.
    Freeze(job, it->second.start, start, kOutcomeNodeFail, it->second.key, it->second.rates);
  }
  Run run{start, key, rates};
  AddOpen(series_[key], run, +1);
  open_[job] = std::move(run);
}

void UsageLedger::Freeze(uint64_t job, TimeMs start, TimeMs end, const std::string& outcome,
                         const UsageKey& key, const UsageRates& rates) {
  if (frozen_.count({job, start})) return;
  Run run{start, key, rates};
  if (auto it = open_.find(job); it != open_.end() && it->second.start == start) {
    run = std::move(it->second);
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

void UsageLedger::AddSettled(const UsageKey& key, const UsageRates& rates, TimeMs start, TimeMs end,
                             const std::string& outcome) {
  DurationMs d = std::max<DurationMs>(0, end - start);
  series_[key].closed.Add(rates, d);
  by_outcome_[{key, outcome}].Add(rates, d);
}

void UsageLedger::Restore(const v1::JobInfo& stored) {
  for (const v1::RunRecord& run : stored.runs()) {
    AddSettled(KeyOf(stored.spec(), run.accelerator_kind()), RatesOf(run), run.start_time(),
               run.end_time(), run.outcome());
  }
  if (IsActive(stored.state()) && stored.start_time() > 0) {
    Open(stored.job_id(), stored.start_time(), KeyOf(stored.spec(), KindOf(stored)),
         RatesOf(stored));
  }
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
