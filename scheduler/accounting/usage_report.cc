#include "scheduler/accounting/usage_report.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "scheduler/job_state.h"

namespace tatami {
namespace {

DurationMs Overlap(TimeMs a, TimeMs b, TimeMs start, TimeMs end) {
  return std::max<DurationMs>(0, std::min(b, end) - std::max(a, start));
}

}  // namespace

std::vector<v1::UsageRow> SummarizeUsage(const std::vector<v1::JobInfo>& jobs, TimeMs start,
                                         TimeMs end, TimeMs now) {
  using Group = std::tuple<std::string, std::string, std::string, std::string, std::string>;
  struct Sum {
    UsageAmount usage;
    uint32_t jobs = 0;
  };
  std::map<Group, Sum> sums;
  for (const v1::JobInfo& job : jobs) {
    const v1::JobSpec& spec = job.spec();
    std::map<Group, bool> counted;  // a job counts once per group however many runs it had
    auto add = [&](const UsageKey& key, const UsageRates& rates, TimeMs a, TimeMs b) {
      DurationMs d = Overlap(a, b, start, end);
      if (d <= 0) return;
      Group g{spec.account(), spec.user(), key.partition, key.kind, key.tier};
      Sum& s = sums[g];
      s.usage.Add(rates, d);
      if (!counted[g]) {
        counted[g] = true;
        ++s.jobs;
      }
    };
    for (const v1::RunRecord& run : job.runs())
      add(KeyOf(job, run), RatesOf(run), run.start_time(), run.end_time());
    if (IsActive(job.state()) && job.start_time() > 0)
      add(KeyOf(job), RatesOf(job), job.start_time(), now);
  }
  std::vector<v1::UsageRow> rows;
  for (const auto& [g, s] : sums) {
    v1::UsageRow row;
    row.set_account(std::get<0>(g));
    row.set_user(std::get<1>(g));
    row.set_partition(std::get<2>(g));
    row.set_kind(std::get<3>(g));
    row.set_tier(std::get<4>(g));
    row.set_accelerator_seconds(s.usage.AcceleratorSeconds());
    row.set_cpu_seconds(s.usage.CpuSeconds());
    row.set_memory_byte_seconds(s.usage.MemoryByteSeconds());
    row.set_jobs(s.jobs);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace tatami
