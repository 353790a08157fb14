#include "sim/simulator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sim/report.h"

namespace tatami::sim {
namespace {

// One 8-GPU H100 node; with `hw4`, an 8-board HW4 host beside it.
ClusterConfig Cluster(bool hw4 = false, const std::string& more_yaml = "") {
  std::string yaml = R"(
nodes:
  - {name: gpu-1, cpus: 64, memory: 512G, accelerators: {kind: h100, count: 8}}
)";
  if (hw4)
    yaml += "  - {name: hw4-1, cpus: 40, memory: 128G, accelerators: {kind: hw4, count: 8}}\n";
  yaml += "partitions:\n  - {name: h100, nodes: gpu-1, default: true}\n";
  if (hw4) yaml += "  - {name: hw4, nodes: hw4-1}\n";
  yaml += more_yaml;
  auto config = ParseClusterConfig(yaml, "test.yaml");
  EXPECT_TRUE(config.ok()) << config.error().message;
  return *config;
}

TraceJob Job(uint64_t id, TimeMs submit_s, uint32_t gpus, DurationMs run_s,
             std::string job_class = "imagenet") {
  TraceJob j;
  j.id = id;
  j.submit = submit_s * 1000;
  j.gpus = gpus;
  j.run_time = run_s * 1000;
  j.account = "acct-" + std::to_string(id % 2);
  j.job_class = std::move(job_class);
  return j;
}

SimRun Replay(const ClusterConfig& config, const std::vector<TraceJob>& trace,
              const std::string& policy_name, const SimOptions& options = {}) {
  auto sim = Simulator::Create(config, options);
  EXPECT_TRUE(sim.ok()) << sim.error().message;
  auto policy = MakeSchedulingPolicy(policy_name, config.backfill_max_jobs, config.rebalance);
  auto run = sim->Run(trace, *policy);
  EXPECT_TRUE(run.ok()) << run.error().message;
  return *run;
}

// (start, end) in seconds per job, trace order.
std::vector<std::pair<TimeMs, TimeMs>> Timeline(const SimRun& run) {
  std::vector<std::pair<TimeMs, TimeMs>> t;
  for (const JobOutcome& j : run.jobs)
    t.emplace_back(j.start < 0 ? -1 : j.start / 1000, j.end < 0 ? -1 : j.end / 1000);
  return t;
}

using T = std::vector<std::pair<TimeMs, TimeMs>>;

TEST(Simulator, TwoJobsOneNodeRunOneAfterTheOther) {
  std::vector<TraceJob> trace{Job(1, 0, 8, 100), Job(2, 10, 8, 50)};
  for (const std::string& policy : PolicyNames()) {
    SimRun run = Replay(Cluster(), trace, policy);
    EXPECT_EQ(Timeline(run), (T{{0, 100}, {100, 150}})) << policy;
    PolicySummary s = Summarize(run);
    EXPECT_EQ(s.mean_jct_s, (100 + 140) / 2.0) << policy;
    EXPECT_EQ(s.mean_queue_s, 90 / 2.0) << policy;
    EXPECT_EQ(s.makespan_s, 150) << policy;
    // 8 GPUs busy for 150 s of 150.
    EXPECT_DOUBLE_EQ(s.utilisation.at(AcceleratorKind::kH100), 1.0) << policy;
  }
}

// Job 1 holds half the node until t=100; job 2 wants all of it; job 3 is
// short enough to run in the hole before job 2's reserved start.
TEST(Simulator, BackfillRunsAShortJobInTheHoleWithoutDelayingTheBigOne) {
  std::vector<TraceJob> trace{Job(1, 0, 4, 100), Job(2, 1, 8, 100), Job(3, 2, 4, 50)};
  EXPECT_EQ(Timeline(Replay(Cluster(), trace, "fifo")), (T{{0, 100}, {100, 200}, {200, 250}}));
  // Slurm-like: the first backfill pass after job 3 arrives is 30 s after the last one (t=0).
  EXPECT_EQ(Timeline(Replay(Cluster(), trace, "fifo-backfill")),
            (T{{0, 100}, {100, 200}, {30, 80}}));
  EXPECT_EQ(Timeline(Replay(Cluster(), trace, "tatami")), (T{{0, 100}, {100, 200}, {2, 52}}));
}

TEST(Simulator, ABackfillCandidateThatWouldDelayTheReservedJobWaits) {
  std::vector<TraceJob> trace{Job(1, 0, 4, 100), Job(2, 1, 8, 100), Job(3, 2, 4, 150)};
  EXPECT_EQ(Timeline(Replay(Cluster(), trace, "tatami")), (T{{0, 100}, {100, 200}, {200, 350}}));
}

// The same jobs when they checkpoint and give --time-min as a quarter of
// their limit: job 3 (150 s, so at least 38 s) starts at once before job
// 2's reservation at t=100, its limit lowered to the one whole minute
// that fits. Cut short at t=62 with 60 s done, it is queued again; 38 s
// is then too little to lower to, so it runs its last 90 s after job 2.
TEST(Simulator, ACheckpointingJobRunsInAHoleAndIsQueuedAgainWithTheWorkLeft) {
  std::vector<TraceJob> trace{Job(1, 0, 4, 100), Job(2, 1, 8, 100), Job(3, 2, 4, 150)};
  SimOptions options;
  options.time_min_share = 0.25;
  SimRun run = Replay(Cluster(), trace, "tatami", options);
  EXPECT_EQ(Timeline(run), (T{{0, 100}, {100, 200}, {2, 290}}));
  EXPECT_EQ(run.jobs[2].cut_short, 1u);
  EXPECT_EQ(run.jobs[2].ran, 150'000);
  EXPECT_EQ(run.jobs[1].cut_short, 0u);
  EXPECT_EQ(Summarize(run).runs_cut_short, 1u);
}

// cifar10 runs at 0.30 of H100 speed on HW4 (speeds.h): 60 s there is 200 s.
TEST(Simulator, RunTimeScalesWithTheSpeedOfTheKindTheJobLandsOn) {
  TraceJob big = Job(1, 0, 8, 1000);
  big.kind = "h100";
  std::vector<TraceJob> trace{big, Job(2, 1, 4, 60, "cifar10")};
  SimRun run = Replay(Cluster(/*hw4=*/true), trace, "tatami");
  EXPECT_EQ(Timeline(run), (T{{0, 1000}, {1, 201}}));
  EXPECT_EQ(run.jobs[1].kind, AcceleratorKind::kHw4);
  // Alone, the job would have had an H100 node: its ideal is 60 s.
  EXPECT_EQ(run.jobs[1].ideal_run, 60'000);
  EXPECT_EQ(run.jobs[1].job_class, "cifar10");
  EXPECT_DOUBLE_EQ(run.jobs[1].speed, 0.30);  // speeds.h: cifar10 on HW4
  EXPECT_DOUBLE_EQ(run.jobs[0].speed, 1.0);   // it names its kind: no class speeds
}

// The same job when the H100 node frees at t=100: there it ends at 160,
// on HW4 at once at 201. tatami waits; blind to speeds, tatami-blind does not.
TEST(Simulator, AJobWaitsForTheBusyFasterKindWhenItFinishesSoonerThere) {
  TraceJob big = Job(1, 0, 8, 100);
  big.kind = "h100";
  std::vector<TraceJob> trace{big, Job(2, 1, 4, 60, "cifar10")};
  SimRun run = Replay(Cluster(/*hw4=*/true), trace, "tatami");
  EXPECT_EQ(Timeline(run), (T{{0, 100}, {100, 160}}));
  EXPECT_EQ(run.jobs[1].kind, AcceleratorKind::kH100);
  EXPECT_EQ(Timeline(Replay(Cluster(/*hw4=*/true), trace, "tatami-blind")),
            (T{{0, 100}, {1, 201}}));
}

// An H100 node and a tray of six tiles; jobs with more than a minute left
// are moved for jobs that have waited at all (`rebalance`, or `off`).
ClusterConfig WithTray(const std::string& rebalance) {
  auto config = ParseClusterConfig(R"(
timing: {kill_wait: 10s}
nodes:
  - {name: gpu-1, cpus: 64, memory: 512G, accelerators: {kind: h100, count: 8}}
  - {name: tray-1, cpus: 64, memory: 512G, accelerators: {kind: d1, count: 6}}
fabric: {dojo_meshes: [{name: m, trays: tray-1}]}
partitions:
  - {name: h100, nodes: gpu-1, default: true}
  - {name: dojo, nodes: tray-1}
rebalance: )" + rebalance + "\n",
                                   "tray.yaml");
  EXPECT_TRUE(config.ok()) << config.error().message;
  return *config;
}

// Five tiles are held for good by jobs 1 and 4; imagenet job 2 takes the
// sixth (1.3x: 5,200 s of H100 work in 4,000 s) when nobody waits for it.
// At t=100 job 3 wants a tile for 100,000 s: job 2 is moved, as the queue
// gains more (27.8 tile-hours on six tiles: 0.39 h, KindRebalancer) than
// job 2 loses (3,900 s left, 30% longer: 0.33 h). It saved 99 s of tile
// work (2.475%), stops when its kill_wait is over (t=110), and finishes the
// rest on the H100s: 5,071.3 s more. Job 3 has the tile from t=110.
TEST(Simulator, ALongJobOnATileMovesToTheH100sWhenTheQueueForTilesGainsMore) {
  TraceJob hold = Job(1, 0, 24, 1'000'000);  // 3 tiles, and 2 more below
  hold.kind = "d1";
  TraceJob hold_more = Job(4, 0, 16, 1'000'000);
  hold_more.kind = "d1";
  TraceJob tile_only = Job(3, 100, 8, 100'000);
  tile_only.kind = "d1";
  std::vector<TraceJob> trace{hold, hold_more, Job(2, 1, 8, 5'200), tile_only};
  SimRun run = Replay(WithTray("{min_wait: 0s, min_remaining: 1m}"), trace, "tatami");
  EXPECT_EQ(Timeline(run), (T{{0, 1'000'000}, {0, 1'000'000}, {1, 5'181}, {110, 100'110}}));
  EXPECT_EQ(run.jobs[2].moves, 1u);
  EXPECT_EQ(run.jobs[2].preemptions, 1u);
  EXPECT_EQ(run.jobs[2].kind, AcceleratorKind::kH100);
  EXPECT_EQ(run.jobs[3].kind, AcceleratorKind::kD1);
  EXPECT_EQ(Summarize(run).moves, 1u);
  // Turned off, or blind to speeds, job 2 keeps the tile and job 3 waits for it.
  for (const auto& [rebalance, policy] : {std::pair{"off", "tatami"}, {"{}", "tatami-blind"}}) {
    SimRun kept = Replay(WithTray(rebalance), trace, policy);
    EXPECT_EQ(Summarize(kept).moves, 0u) << policy;
    EXPECT_EQ(kept.jobs[3].start, policy == std::string("tatami") ? 4'001'000 : 100'000) << policy;
  }
  // A job 3 of 10,000 s: the queue would gain 0.04 h, less than job 2 loses.
  trace[3].run_time = 10'000 * kSecond;
  SimRun short_queue = Replay(WithTray("{min_wait: 0s, min_remaining: 1m}"), trace, "tatami");
  EXPECT_EQ(Summarize(short_queue).moves, 0u);
  EXPECT_EQ(short_queue.jobs[3].start, 4'001'000);
}

// The same tray, but a two-tile job arrives with job 2 and waits for
// tiles: job 2 won its tile against it. That does not keep it from being
// moved when job 3 waits too; `jobs: uncontended` does.
TEST(Simulator, AJobThatWonItsKindAgainstWaitingJobsStaysOnlyUnderJobsUncontended) {
  TraceJob hold = Job(1, 0, 24, 1'000'000);
  hold.kind = "d1";
  TraceJob hold_more = Job(4, 0, 16, 1'000'000);
  hold_more.kind = "d1";
  TraceJob two_tiles = Job(5, 1, 16, 100);
  two_tiles.kind = "d1";
  TraceJob tile_only = Job(3, 100, 8, 100'000);
  tile_only.kind = "d1";
  std::vector<TraceJob> trace{hold, hold_more, Job(2, 1, 8, 5'200), two_tiles, tile_only};
  SimRun moved = Replay(WithTray("{min_wait: 0s, min_remaining: 1m}"), trace, "tatami");
  EXPECT_EQ(moved.jobs[2].kind, AcceleratorKind::kH100);
  EXPECT_EQ(moved.jobs[2].moves, 1u);
  SimRun kept =
      Replay(WithTray("{min_wait: 0s, min_remaining: 1m, jobs: uncontended}"), trace, "tatami");
  EXPECT_EQ(kept.jobs[2].kind, AcceleratorKind::kD1);
  EXPECT_EQ(kept.jobs[2].moves, 0u);
}

// The config's throughput table is the operator's measurement: it wins
// over speeds.h for a class it names, relative to its own H100 figure, and
// adds classes speeds.h does not know.
TEST(Simulator, TheConfigsThroughputTableSetsTheSpeedsOfTheClassesItNames) {
  TraceJob big = Job(1, 0, 8, 1000);
  big.kind = "h100";
  std::vector<TraceJob> trace{big, Job(2, 1, 4, 60, "cifar10"), Job(3, 2, 4, 60, "vision")};
  ClusterConfig config = Cluster(/*hw4=*/true,
                                 "throughput:\n"
                                 "  cifar10: {h100: 1.0, hw4: 0.5}\n"
                                 "  vision: {h100: 2.0, hw4: 0.5}\n");
  SimRun run = Replay(config, trace, "tatami");
  EXPECT_EQ(Timeline(run), (T{{0, 1000}, {1, 121}, {2, 242}}));
  EXPECT_EQ(run.jobs[2].kind, AcceleratorKind::kHw4);
  // A class only the table knows is reported by its own name.
  EXPECT_EQ(run.jobs[2].job_class, "vision");
  EXPECT_DOUBLE_EQ(run.jobs[2].speed, 0.25);
}

TEST(Simulator, AJobTooBigForTheClusterNeverStartsAndIsCounted) {
  std::vector<TraceJob> trace{Job(1, 0, 16, 100), Job(2, 0, 1, 10)};
  SimRun run = Replay(Cluster(), trace, "tatami");
  EXPECT_EQ(run.unplaceable, 1u);
  EXPECT_EQ(Timeline(run), (T{{-1, -1}, {0, 10}}));
  EXPECT_EQ(Summarize(run).never_started, 1u);
}

TEST(Simulator, FinishTimeFairnessIsOneForAJobAloneAndGrowsWithWaiting) {
  SimRun alone = Replay(Cluster(), {Job(1, 0, 8, 100)}, "fifo");
  EXPECT_DOUBLE_EQ(Summarize(alone).mean_rho, 1.0);
  // Job 2 (10 s) waits 100 s behind job 1. Sharing the node with job 1
  // for its 10 s alone would have cost it 20 s: rho 110 / 20.
  SimRun two = Replay(Cluster(), {Job(1, 0, 8, 100), Job(2, 0, 8, 10)}, "fifo");
  EXPECT_EQ(Timeline(two), (T{{0, 100}, {100, 110}}));
  EXPECT_DOUBLE_EQ(Summarize(two).max_rho, 110.0 / 20);
  EXPECT_EQ(two.jobs[1].usable_devices, 8);
}

// One 8-GPU node; fsd-prod may preempt scavenger jobs, which get 5 s of
// grace and are safe for their first 10 s; SIGKILL comes 3 s after the grace.
ClusterConfig Tiered(const std::string& scavenger_mode = "requeue") {
  ClusterConfig c = Cluster();
  c.kill_wait = 3 * kSecond;
  c.qos = {
      QosConfig{"fsd-prod", 1000, {"scavenger"}, 0, 0, true, ""},
      QosConfig{"scavenger", 0, {}, 5 * kSecond, 10 * kSecond, scavenger_mode == "requeue", ""}};
  return c;
}

TraceJob WithQos(TraceJob j, std::string qos) {
  j.qos = std::move(qos);
  return j;
}

// Job 1 (scavenger) has the node; job 2 (fsd-prod) arrives at t=5 but
// job 1 is safe until t=10. At t=10 job 1 gets SIGTERM; at t=18 its grace
// and kill_wait are over: it has done 10 s of its 100, and job 2 starts
// (ends t=38). Job 1 is requeued and runs its remaining 90 s from t=38 to
// t=128.
TEST(Simulator, APreemptedJobIsRequeuedWithTheWorkItHasLeft) {
  std::vector<TraceJob> trace{WithQos(Job(1, 0, 8, 100), "scavenger"),
                              WithQos(Job(2, 5, 8, 20), "fsd-prod")};
  for (const std::string& policy : PolicyNames()) {
    SimRun run = Replay(Tiered(), trace, policy);
    EXPECT_EQ(Timeline(run), (T{{0, 128}, {18, 38}})) << policy;
    EXPECT_EQ(run.jobs[0].preemptions, 1u) << policy;
    EXPECT_EQ(run.jobs[1].preemptions, 0u) << policy;
    EXPECT_FALSE(run.jobs[0].cancelled) << policy;
    EXPECT_EQ(Summarize(run).preemptions, 1u) << policy;
    EXPECT_EQ(run.jobs[0].ran, 18'000 + 90'000) << policy;
    // The node was busy the whole time, grace included.
    EXPECT_DOUBLE_EQ(Summarize(run).utilisation.at(AcceleratorKind::kH100), 1.0) << policy;
  }
}

TEST(Simulator, APreemptedJobWhoseQosSaysCancelEndsUnfinished) {
  std::vector<TraceJob> trace{WithQos(Job(1, 0, 8, 100), "scavenger"),
                              WithQos(Job(2, 5, 8, 20), "fsd-prod")};
  SimRun run = Replay(Tiered("cancel"), trace, "tatami");
  EXPECT_EQ(Timeline(run), (T{{0, 18}, {18, 38}}));
  EXPECT_TRUE(run.jobs[0].cancelled);
  EXPECT_EQ(run.jobs[0].preemptions, 1u);
  PolicySummary s = Summarize(run);
  EXPECT_EQ(s.cancelled, 1u);
  EXPECT_EQ(s.finished, 1u);
  EXPECT_EQ(s.mean_jct_s, 33);  // job 2's alone
}

// Job 1 would end at t=14, before its grace (10 + 5 + 3) is over: it finishes
// normally and counts no preemption; job 2 starts as it ends.
TEST(Simulator, AVictimThatFinishesWithinItsGraceIsNotPreempted) {
  std::vector<TraceJob> trace{WithQos(Job(1, 0, 8, 14), "scavenger"),
                              WithQos(Job(2, 5, 8, 20), "fsd-prod")};
  SimRun run = Replay(Tiered(), trace, "tatami");
  EXPECT_EQ(Timeline(run), (T{{0, 14}, {14, 34}}));
  EXPECT_EQ(run.jobs[0].preemptions, 0u);
}

// acct-1 bought 4 H100s. Its `reserved` jobs 1 and 3 take 4 each: job 1
// within quota runs as reserved, job 3 above it as scavenger (reserved's
// above_quota), so fsd-prod job 2 preempts job 3 once its 10 s minimum is
// run (t=11, SIGTERM; grace and kill_wait over at t=19). Job 3 is requeued
// with its 90 s left, again above quota, and runs once job 2 is done.
TEST(Simulator, AJobAboveItsQuotaRunsAsItsQosAboveQuota) {
  ClusterConfig c = Tiered();
  c.accounts = Cluster(false, "accounts:\n  - {name: acct-1, quota: {h100: 4}}\n").accounts;
  c.qos.push_back(QosConfig{"reserved", 100, {}, 0, 0, true, "scavenger"});
  std::vector<TraceJob> trace{WithQos(Job(1, 0, 4, 100), "reserved"),
                              WithQos(Job(3, 1, 4, 100), "reserved"),
                              WithQos(Job(2, 5, 4, 20), "fsd-prod")};
  SimRun run = Replay(c, trace, "tatami");
  EXPECT_EQ(Timeline(run), (T{{0, 100}, {1, 129}, {19, 39}}));
  EXPECT_EQ(run.jobs[0].preemptions, 0u);
  EXPECT_EQ(run.jobs[1].preemptions, 1u);
}

// Scavenger allows each user one running job. Alice's three 2-GPU jobs run
// one after another though the node has room; Bob's runs beside her first.
TEST(Simulator, AUserAtHerQosJobLimitWaitsForHerOwnJobs) {
  ClusterConfig c = Tiered();
  c.qos[1].max_jobs_per_user = 1;
  auto of = [](TraceJob j, std::string user) {
    j.user = std::move(user);
    return WithQos(std::move(j), "scavenger");
  };
  std::vector<TraceJob> trace{of(Job(1, 0, 2, 100), "alice"), of(Job(2, 0, 2, 100), "alice"),
                              of(Job(3, 0, 2, 50), "bob"), of(Job(4, 1, 2, 100), "alice")};
  EXPECT_EQ(Timeline(Replay(c, trace, "tatami")), (T{{0, 100}, {100, 200}, {0, 50}, {200, 300}}));
}

// Without a QoS that may preempt it, job 1 keeps the node.
TEST(Simulator, NoPreemptionWithoutAQosThatAllowsIt) {
  std::vector<TraceJob> trace{WithQos(Job(1, 0, 8, 100), "fsd-prod"),
                              WithQos(Job(2, 5, 8, 20), "fsd-prod")};
  EXPECT_EQ(Timeline(Replay(Tiered(), trace, "tatami")), (T{{0, 100}, {100, 120}}));
}

TEST(Simulator, ATraceJobWithAnUnknownQosIsRefused) {
  auto sim = Simulator::Create(Tiered(), SimOptions{});
  auto policy = MakeSchedulingPolicy("fifo");
  TraceJob j = WithQos(Job(1, 0, 1, 1), "gold");
  j.line = 7;
  auto run = sim->Run({j}, *policy);
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.error().message,
            "trace job 1 (line 7): unknown qos 'gold' (configured: fsd-prod, scavenger)");
}

TEST(Simulator, ATraceOutOfOrderIsRefused) {
  auto sim = Simulator::Create(Cluster(), SimOptions{});
  auto policy = MakeSchedulingPolicy("fifo");
  auto run = sim->Run({Job(1, 10, 1, 1), Job(2, 5, 1, 1)}, *policy);
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.error().message, "the trace is not in submit order (trace readers sort it)");
}

TEST(Simulator, AHostTopologyCannotBeSimulated) {
  auto config = ParseClusterConfig(R"(
nodes:
  - {name: me, topology: host}
partitions:
  - {name: p, nodes: me}
)",
                                   "host.yaml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  auto sim = Simulator::Create(*config, SimOptions{});
  ASSERT_FALSE(sim.ok());
  EXPECT_THAT(sim.error().message, ::testing::HasSubstr("node me: topology 'host'"));
}

}  // namespace
}  // namespace tatami::sim
