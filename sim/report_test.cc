#include "sim/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace tatami::sim {
namespace {

using ::testing::HasSubstr;

// Two jobs of 4 H100s on 8: one waits 10 s, runs 20 s; one runs 30 s at once.
SimRun TwoJobs(const std::string& policy, TimeMs wait_ms) {
  SimRun run;
  run.policy = policy;
  run.devices[AcceleratorKind::kH100] = 8;
  run.busy_seconds[AcceleratorKind::kH100] = 4 * 20 + 4 * 30;
  JobOutcome a{1, "x", 0,     wait_ms, wait_ms + 20'000, 20'000, 4, 4, AcceleratorKind::kH100, 8,
               0, "",  false, 20'000};
  JobOutcome b{2, "y", 0, 0, 30'000, 30'000, 4, 4, AcceleratorKind::kH100, 8, 0, "", false, 30'000};
  a.job_class = "bert";
  b.job_class = "yolov3";
  a.speed = b.speed = 1.0;
  run.jobs = {a, b};
  run.last_end = std::max<TimeMs>(30'000, wait_ms + 20'000);
  run.samples = {{0, {{AcceleratorKind::kH100, 1.0}}}, {20'000, {{AcceleratorKind::kH100, 0.5}}}};
  return run;
}

TEST(Report, SummaryFiguresFollowTheirDefinitions) {
  PolicySummary s = Summarize(TwoJobs("p", 10'000));
  EXPECT_EQ(s.finished, 2u);
  EXPECT_DOUBLE_EQ(s.mean_jct_s, (30 + 30) / 2.0);
  EXPECT_DOUBLE_EQ(s.mean_queue_s, 5);
  EXPECT_DOUBLE_EQ(s.p99_queue_s, 10);
  EXPECT_DOUBLE_EQ(s.makespan_s, 30);
  EXPECT_DOUBLE_EQ(s.utilisation.at(AcceleratorKind::kH100), 200.0 / (8 * 30));
  // Fair share 8 >= 4 asked: ideal is the run alone; job 1 took 30 s of 20.
  EXPECT_DOUBLE_EQ(s.max_rho, 1.5);
  EXPECT_DOUBLE_EQ(s.mean_rho_by_account.at("x"), 1.5);
  EXPECT_DOUBLE_EQ(s.mean_rho_by_account.at("y"), 1.0);
  // Bounded slowdown: job 1 30/20, job 2 1.
  EXPECT_DOUBLE_EQ(s.mean_bounded_slowdown, (1.5 + 1) / 2);
}

// Ideal runs: a [0, 100 s), b [0, 10 s), c [50 s, 150 s); d never started.
TEST(Report, OfferedContentionIsTheMeanOverlapOfIdealRuns) {
  auto job = [](TimeMs submit, DurationMs ideal, TimeMs start) {
    JobOutcome j;
    j.submit = submit;
    j.ideal_run = ideal;
    j.start = start;
    return j;
  };
  std::vector<double> n = OfferedContention(
      {job(0, 100'000, 0), job(0, 10'000, 500'000), job(50'000, 100'000, 50'000), job(0, 0, -1)});
  ASSERT_EQ(n.size(), 4u);
  EXPECT_DOUBLE_EQ(n[0], (10 * 2 + 40 * 1 + 50 * 2) / 100.0);
  EXPECT_DOUBLE_EQ(n[1], 2);  // where it actually started does not matter
  EXPECT_DOUBLE_EQ(n[2], (50 * 2 + 50 * 1) / 100.0);
  EXPECT_DOUBLE_EQ(n[3], 1);
}

// Job 2 (5 s) ends at once under one policy and waits 20 s under the
// other. Counting the jobs each policy kept active, job 1 would share with
// job 2 for its whole life under the second and score better there for
// finishing no sooner. Counting ideal runs, its rho is its own JCT's alone.
TEST(Report, AJobsRhoDoesNotDependOnWhenOtherJobsRan) {
  SimRun prompt = TwoJobs("prompt", 10'000), late = TwoJobs("late", 10'000);
  for (SimRun* run : {&prompt, &late}) {
    run->jobs[0].gpus = 8;  // its share, not the node, bounds its ideal
    run->jobs[1].ideal_run = run->jobs[1].ran = 5'000;
  }
  prompt.jobs[1].end = 5'000;
  late.jobs[1].start = 20'000;
  late.jobs[1].end = 25'000;
  // Job 1's ideal run [0, 20 s) overlaps job 2's [0, 5 s): N = 1.25.
  double rho = 30.0 / (20 * 1.25);
  EXPECT_DOUBLE_EQ(Summarize(prompt).mean_rho_by_account.at("x"), rho);
  EXPECT_DOUBLE_EQ(Summarize(late).mean_rho_by_account.at("x"), rho);
}

TEST(Report, TableShowsEachBaselineOverTheJudgedPolicy) {
  std::string table =
      ComparisonTable({Summarize(TwoJobs("base", 30'000)), Summarize(TwoJobs("new", 0))});
  EXPECT_THAT(table, HasSubstr("base/new"));
  // Mean JCT 40 s against 25 s: 1.60x.
  EXPECT_THAT(table, HasSubstr("mean JCT (h)"));
  EXPECT_THAT(table, HasSubstr("1.60x"));
  EXPECT_THAT(table, HasSubstr("utilisation h100 (%)"));
}

TEST(Report, JsonParsesAndCarriesTheSamples) {
  std::vector<SimRun> runs{TwoJobs("fifo", 10'000), TwoJobs("tatami", 0)};
  std::vector<PolicySummary> summaries{Summarize(runs[0]), Summarize(runs[1])};
  auto json = nlohmann::json::parse(ResultsJson("c.yaml", "t.csv", runs, summaries));
  EXPECT_EQ(json["cluster"], "c.yaml");
  ASSERT_EQ(json["policies"].size(), 2u);
  EXPECT_EQ(json["policies"][0]["policy"], "fifo");
  EXPECT_DOUBLE_EQ(json["policies"][0]["jct_seconds"]["mean"].get<double>(), 30);
  EXPECT_TRUE(json["policies"][0]["dojo_fragmentation"].is_null());
  EXPECT_EQ(json["policies"][1]["utilisation_over_time"]["h100"].size(), 2u);
}

TEST(Report, JobsCsvHasARowPerJobWithItsRho) {
  SimRun run = TwoJobs("p", 10'000);
  JobOutcome never{3, "z", 5'000, -1, -1, 1'000, 2, 0, AcceleratorKind::kNone, 8, 0, "", false, 0};
  never.job_class = "ncf";
  run.jobs.push_back(never);
  run.jobs[1].speed = 1.3;  // as on a Dojo tile
  run.jobs[1].preemptions = 2;
  run.jobs[1].moves = 1;
  std::istringstream csv(JobsCsv(run));
  std::vector<std::string> lines;
  for (std::string line; std::getline(csv, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0],
            "id,account,gpus,submit_s,start_s,end_s,ran_s,ideal_run_s,kind,devices,preemptions,"
            "moves,outcome,rho,class,speed");
  EXPECT_EQ(lines[1],
            "1,x,4,0.000,10.000,30.000,20.000,20.000,h100,4,0,0,finished,1.5000,bert,1.00");
  EXPECT_EQ(lines[2],
            "2,y,4,0.000,0.000,30.000,30.000,30.000,h100,4,2,1,finished,1.0000,yolov3,1.30");
  EXPECT_EQ(lines[3], "3,z,2,5.000,,,0.000,1.000,,0,0,0,never-started,,ncf,");
}

TEST(Report, PlotsAreSvgWithALinePerSeries) {
  std::vector<SimRun> runs{TwoJobs("fifo", 10'000), TwoJobs("tatami", 0)};
  std::string cdf = JctCdfSvg(runs);
  EXPECT_EQ(cdf.rfind("<svg", 0), 0u);
  EXPECT_THAT(cdf, HasSubstr("</svg>"));
  size_t lines = 0;
  for (size_t at = cdf.find("<polyline"); at != std::string::npos;
       at = cdf.find("<polyline", at + 1))
    ++lines;
  EXPECT_EQ(lines, 2u);
  EXPECT_THAT(UtilisationSvg(runs[0]), HasSubstr("h100 (8)"));
}

}  // namespace
}  // namespace tatami::sim
