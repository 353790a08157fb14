#include "scheduler/accounting/usage_ledger.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "scheduler/accounting/usage_report.h"

namespace tatami {
namespace {

constexpr TimeMs kT0 = 1'800'000'000'000;  // 2027-01-15, ms

v1::JobInfo RunningJob(uint64_t id, const std::string& account, uint32_t gpus, TimeMs start) {
  v1::JobInfo job;
  job.set_job_id(id);
  job.mutable_spec()->set_account(account);
  job.mutable_spec()->set_user("alice");
  job.mutable_spec()->set_partition("h100");
  job.set_state(v1::RUNNING);
  job.set_start_time(start);
  v1::NodeAllocation* a = job.add_allocation();
  a->set_node("h100-01");
  a->set_cpus(8 * gpus);
  a->set_mem_mib(1024);
  a->set_accelerator_kind("h100");
  for (uint32_t d = 0; d < gpus; ++d) a->add_devices(d);
  return job;
}

// Ends the job's current run the way the controller does, and tells the ledger.
void EndRun(v1::JobInfo& job, TimeMs end, v1::JobState state, UsageLedger& ledger) {
  *job.add_runs() = MakeRunRecord(job, end, OutcomeOf(state));
  ledger.Freeze(job, job.runs(job.runs_size() - 1));
  job.set_state(state);
  job.set_end_time(end);
}

void OpenRun(const v1::JobInfo& job, UsageLedger& ledger) {
  ledger.Open(job);
}

double GpuSeconds(const UsageLedger& ledger, TimeMs now, const std::string& account) {
  double sum = 0;
  for (const auto& [key, amount] : ledger.Totals(now))
    if (key.account == account) sum += amount.AcceleratorSeconds();
  return sum;
}

TEST(UsageLedger, OpenRunAccruesAsItRunsAndStopsWhenItEnds) {
  UsageLedger ledger;
  v1::JobInfo job = RunningJob(1, "acme", 8, kT0);
  OpenRun(job, ledger);
  EXPECT_DOUBLE_EQ(GpuSeconds(ledger, kT0, "acme"), 0);
  EXPECT_DOUBLE_EQ(GpuSeconds(ledger, kT0 + 10 * kSecond, "acme"), 80);
  // A 30-day job is billed while it runs, not at its end.
  EXPECT_DOUBLE_EQ(GpuSeconds(ledger, kT0 + 30 * kDay, "acme"), 8.0 * 30 * 86400);
  EndRun(job, kT0 + 60 * kSecond, v1::COMPLETED, ledger);
  EXPECT_DOUBLE_EQ(GpuSeconds(ledger, kT0 + 90 * kSecond, "acme"), 480);
  auto key = KeyOf(job);
  EXPECT_EQ(key.kind, "h100");
  EXPECT_EQ(key.tier, "normal");
  auto totals = ledger.Totals(kT0 + 90 * kSecond);
  EXPECT_DOUBLE_EQ(totals[key].CpuSeconds(), 64 * 60);
  EXPECT_DOUBLE_EQ(totals[key].MemoryByteSeconds(), 1024.0 * 1024 * 1024 * 60);
}

TEST(UsageLedger, OutcomesCountOnlyOnceTheEndIsDurable) {
  UsageLedger ledger;
  v1::JobInfo ok = RunningJob(1, "acme", 1, kT0);
  v1::JobInfo lost = RunningJob(2, "acme", 2, kT0);
  OpenRun(ok, ledger);
  OpenRun(lost, ledger);
  EndRun(ok, kT0 + 10 * kSecond, v1::COMPLETED, ledger);
  EndRun(lost, kT0 + 20 * kSecond, v1::NODE_FAIL, ledger);
  EXPECT_TRUE(ledger.ByOutcome().empty());
  ledger.Settle(1, kT0);
  ledger.Settle(2, kT0);
  ledger.Settle(2, kT0);  // repeated: no double count
  auto key = KeyOf(ok);
  EXPECT_DOUBLE_EQ(ledger.ByOutcome().at({key, "completed"}).AcceleratorSeconds(), 10);
  EXPECT_DOUBLE_EQ(ledger.ByOutcome().at({key, "node_fail"}).AcceleratorSeconds(), 40);
  EXPECT_DOUBLE_EQ(GpuSeconds(ledger, kT0 + kHour, "acme"), 50);
}

TEST(UsageLedger, RunEndedBeforeItsStartWasDurableIsCountedOnce) {
  UsageLedger ledger;
  v1::JobInfo job = RunningJob(1, "acme", 4, kT0);
  EndRun(job, kT0 + 5 * kSecond, v1::NODE_FAIL, ledger);
  OpenRun(job, ledger);  // the start's Persist returned after the end was seen
  EXPECT_FALSE(ledger.IsOpen(1, kT0));
  EXPECT_DOUBLE_EQ(GpuSeconds(ledger, kT0 + kHour, "acme"), 20);
}

// What a restarted controller rebuilds from the store must continue the
// counters: never below what was exported, and not counting anything twice.
TEST(UsageLedger, RestartNeitherResetsNorDoubleCounts) {
  UsageLedger before;
  v1::JobInfo done = RunningJob(1, "acme", 8, kT0);
  v1::JobInfo requeued = RunningJob(2, "fsd", 2, kT0);
  v1::JobInfo running = RunningJob(3, "acme", 1, kT0 + kSecond);
  for (auto* j : {&done, &requeued, &running}) OpenRun(*j, before);
  EndRun(done, kT0 + 100 * kSecond, v1::COMPLETED, before);
  before.Settle(1, kT0);
  // Job 2 lost its node at +50 s and was requeued; it runs again from +70 s.
  EndRun(requeued, kT0 + 50 * kSecond, v1::NODE_FAIL, before);
  before.Settle(2, kT0);
  requeued.set_state(v1::RUNNING);
  requeued.set_start_time(kT0 + 70 * kSecond);
  OpenRun(requeued, before);

  TimeMs crash = kT0 + 200 * kSecond;
  auto exported = before.Totals(crash);

  UsageLedger after;  // rebuilt from the stored records
  for (const auto* j : {&done, &requeued, &running}) after.Restore(*j);
  auto restored = after.Totals(crash);
  ASSERT_EQ(restored.size(), exported.size());
  for (const auto& [key, amount] : exported) EXPECT_EQ(restored.at(key), amount) << key.account;
  EXPECT_DOUBLE_EQ(GpuSeconds(after, crash, "acme"), 800 + 199);
  EXPECT_DOUBLE_EQ(GpuSeconds(after, crash, "fsd"), 2 * 50 + 2 * 130);
  EXPECT_EQ(after.ByOutcome(), before.ByOutcome());
}

TEST(UsageLedger, EndLostInACrashComesBackOpenAndNeverDecreases) {
  UsageLedger before;
  v1::JobInfo job = RunningJob(1, "acme", 8, kT0);
  OpenRun(job, before);
  v1::JobInfo stored = job;  // the store still says RUNNING: the end never became durable
  EndRun(job, kT0 + 10 * kSecond, v1::COMPLETED, before);
  double exported = GpuSeconds(before, kT0 + 20 * kSecond, "acme");
  UsageLedger after;
  after.Restore(stored);
  EXPECT_GE(GpuSeconds(after, kT0 + 20 * kSecond, "acme"), exported);
  EXPECT_TRUE(after.ByOutcome().empty());  // the outcome waits for the re-reported end
}

// tatami report over [S, E) equals the counters' increase between S and E,
// the counters read at S and at E as a scrape would (the ledger having seen
// every start and end up to then).
TEST(UsageReport, AgreesWithTheCountersIncrease) {
  struct Event {
    TimeMs time;
    size_t job;
    bool end;
  };
  std::vector<v1::JobInfo> jobs;
  std::vector<Event> events;
  std::vector<v1::JobState> final_state;
  for (uint64_t id = 1; id <= 40; ++id) {
    TimeMs start = kT0 + static_cast<TimeMs>(id * 37 % 101) * kSecond;
    v1::JobInfo job = RunningJob(id, id % 3 ? "acme" : "fsd", 1 + id % 8, start);
    job.mutable_spec()->set_qos(id % 2 ? "burst" : "");
    events.push_back({start, jobs.size(), false});
    if (id % 4 != 0)  // three in four end; the rest still run
      events.push_back(
          {start + static_cast<TimeMs>(id * 53 % 307) * kSecond + 123, jobs.size(), true});
    final_state.push_back(id % 5 ? v1::COMPLETED : v1::FAILED);
    jobs.push_back(job);
  }
  std::sort(events.begin(), events.end(),
            [](const Event& a, const Event& b) { return a.time < b.time; });
  UsageLedger ledger;
  TimeMs s = kT0 + 60 * kSecond, e = kT0 + 250 * kSecond + 7;
  std::map<UsageKey, UsageAmount> at_s, at_e;
  size_t next = 0;
  for (TimeMs scrape : {s, e}) {
    for (; next < events.size() && events[next].time <= scrape; ++next) {
      v1::JobInfo& job = jobs[events[next].job];
      if (!events[next].end) {
        OpenRun(job, ledger);
      } else {
        EndRun(job, events[next].time, final_state[events[next].job], ledger);
        ledger.Settle(job.job_id(), job.start_time());
      }
    }
    (scrape == s ? at_s : at_e) = ledger.Totals(scrape);
  }
  std::map<UsageKey, UsageAmount> increase;
  for (const auto& [key, amount] : at_e) {
    UsageAmount d = amount;
    if (at_s.count(key)) d += at_s.at(key).Times(-1);
    if (d.accelerator_ms != 0) increase[key] = d;
  }
  // The records as the store holds them at E.
  auto rows = SummarizeUsage(jobs, s, e, /*now=*/e);
  std::map<UsageKey, double> reported;
  for (const auto& r : rows)
    reported[{r.account(), r.partition(), r.kind(), r.tier()}] += r.accelerator_seconds();
  ASSERT_EQ(reported.size(), 4u);
  ASSERT_EQ(reported.size(), increase.size());
  for (const auto& [key, amount] : increase)
    EXPECT_DOUBLE_EQ(reported.at(key), amount.AcceleratorSeconds()) << key.account << key.tier;
}

TEST(UsageReport, CountsEveryRunOfARequeuedJobInsideThePeriodOnly) {
  v1::JobInfo job = RunningJob(7, "acme", 2, kT0);
  UsageLedger unused;
  EndRun(job, kT0 + 100 * kSecond, v1::NODE_FAIL, unused);
  job.set_state(v1::RUNNING);
  job.set_start_time(kT0 + 200 * kSecond);
  auto rows = SummarizeUsage({job}, kT0 + 50 * kSecond, kT0 + 1000 * kSecond,
                             /*now=*/kT0 + 300 * kSecond);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_DOUBLE_EQ(rows[0].accelerator_seconds(), 2 * 50 + 2 * 100);
  EXPECT_EQ(rows[0].jobs(), 1u);
  EXPECT_EQ(rows[0].kind(), "h100");
  EXPECT_TRUE(SummarizeUsage({job}, kT0 + 100 * kSecond, kT0 + 200 * kSecond, kT0 + kHour).empty());
}

}  // namespace
}  // namespace tatami
