#include "scheduler/scheduling_cycle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scheduler/policy.h"
#include "scheduler/test_nodes.h"
#include "scheduler/topology_placer.h"

namespace tatami {
namespace {

using testing::TestNode;

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Reason = std::pair<uint64_t, std::string>;

ResourceRequest Devices(uint32_t per_node, std::string kind = "h100") {
  ResourceRequest r;
  r.partition = "gpu";
  r.accel_kind = std::move(kind);
  r.accel_per_node = per_node;
  return r;
}

PendingJob Job(uint64_t id, uint32_t gpus, TimeMs submit, DurationMs limit = 0) {
  return PendingJob{id, 0, submit, Devices(gpus), limit, {}};
}

// Job `id` holds devices [first, first + count) of node 0 until `end`.
RunningJob Holding(uint64_t id, uint32_t first, uint32_t count, TimeMs end) {
  NodeShare s{"a", 1, 1024, {}, 0};
  for (uint32_t d = first; d < first + count; ++d) s.devices.push_back(d);
  return RunningJob{id, false, {s}, end};
}

void Hold(Snapshot& snap, const RunningJob& job) {
  ApplyShares(job.shares, false, snap.nodes);
  snap.running.push_back(job);
}

// "option N on NODE" for a plan of exactly one start; "N starts" otherwise.
std::string OnlyStart(const Plan& plan) {
  if (plan.starts.size() != 1) return std::to_string(plan.starts.size()) + " starts";
  const PlannedStart& s = plan.starts[0];
  return "option " + std::to_string(s.option) + " on " + s.shares.at(0).node;
}

TEST(SchedulingCycle, FifoStartsInOrderAndHoldsBackBehindABlockedJob) {
  Snapshot snap;
  snap.nodes = {TestNode("a")};
  snap.pending = {Job(3, 4, 30), Job(1, 4, 10), Job(2, 8, 20), Job(4, 1, 40)};
  Plan plan = RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer());
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].job_id, 1u);
  // Job 2 (8 GPUs) does not fit next to job 1; strict FIFO keeps 3 and 4 behind it.
  EXPECT_THAT(plan.reasons,
              ElementsAre(Reason{2, "Resources"}, Reason{3, "Priority"}, Reason{4, "Priority"}));
  // The books come back with the start applied.
  EXPECT_EQ(snap.nodes[0].DevicesFree(), 4u);
}

TEST(SchedulingCycle, HigherPriorityGoesFirstAndSharesDoNotOverlap) {
  Snapshot snap;
  snap.nodes = {TestNode("a")};
  snap.pending = {Job(1, 4, 10), Job(2, 4, 20)};
  snap.pending[1].priority = 5;
  Plan plan = RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer());
  ASSERT_EQ(plan.starts.size(), 2u);
  EXPECT_EQ(plan.starts[0].job_id, 2u);
  EXPECT_THAT(plan.starts[0].shares[0].devices, ElementsAre(0, 1, 2, 3));
  EXPECT_THAT(plan.starts[1].shares[0].devices, ElementsAre(4, 5, 6, 7));
}

// One 8-GPU node; job 9 holds GPUs 0-3 until t=100. Job 1 wants all 8:
// it is reserved the node from t=100. Job 2 (2 GPUs, 50 s) ends before that
// and starts in the hole; job 3 (2 GPUs, 200 s) would delay job 1 and waits,
// its reason naming job 1's reservation.
TEST(SchedulingCycle, BackfillStartsAShortJobInAHoleAndNeverDelaysTheReservedOne) {
  Snapshot snap;
  snap.nodes = {TestNode("a")};
  Hold(snap, Holding(9, 0, 4, 100'000));
  snap.pending = {Job(1, 8, 1, 50'000), Job(2, 2, 2, 50'000), Job(3, 2, 3, 200'000)};
  snap.backfill_pass = true;
  auto policy = MakeSchedulingPolicy("fifo-backfill");
  ASSERT_TRUE(policy.ok());
  Plan plan = RunSchedulingCycle(snap, *policy->queue, *policy->placer);
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].job_id, 2u);
  EXPECT_THAT(plan.starts[0].shares[0].devices, ElementsAre(4, 5));
  ASSERT_EQ(plan.reservations.size(), 2u);
  EXPECT_EQ(plan.reservations[0].job_id, 1u);
  EXPECT_EQ(plan.reservations[0].start, 100'000);
  EXPECT_THAT(plan.reservations[0].shares[0].devices, ElementsAre(0, 1, 2, 3, 4, 5, 6, 7));
  EXPECT_EQ(plan.reservations[1].job_id, 3u);  // once job 1's ends
  EXPECT_EQ(plan.reservations[1].start, 150'000);
  EXPECT_THAT(plan.reasons, ElementsAre(Reason{1, "Resources"}, Reason{3, "Reservation"}));
  EXPECT_THAT(plan.held_for, ElementsAre(std::pair<uint64_t, uint64_t>{3, 1}));
}

// Nodes a and b: job 9 holds all of a until t=100 s, job 8 GPUs 0-3 of
// b until `b_free_at`. Pending, for a backfill pass: jobs 1 (2000 s) and 2
// (50 s) want a whole node each, job 3 two GPUs for 1000 s.
Snapshot NodeBFreeAt(TimeMs b_free_at) {
  Snapshot snap;
  snap.nodes = {TestNode("a"), TestNode("b")};
  Hold(snap, Holding(9, 0, 8, 100'000));
  RunningJob on_b = Holding(8, 0, 4, b_free_at);
  on_b.shares[0].node = "b";
  on_b.shares[0].node_index = 1;
  Hold(snap, on_b);
  snap.pending = {Job(1, 8, 1, 2'000'000), Job(2, 8, 2, 50'000), Job(3, 2, 3, 1'000'000)};
  snap.backfill_pass = true;
  return snap;
}

// Node a is full until t=100 and reserved for job 1 from then; node b has
// GPUs 4-7 free now but is reserved for job 2 from t=300. Job 3 (2 GPUs,
// 1000 s) would fit on b now: the reservation that keeps it out is job 2's,
// not the earlier one of job 1.
TEST(SchedulingCycle, AJobKeptOutByAReservationNamesTheJobHoldingWhatItNeeds) {
  Snapshot snap = NodeBFreeAt(300'000);
  auto policy = MakeSchedulingPolicy("fifo-backfill");
  ASSERT_TRUE(policy.ok());
  Plan plan = RunSchedulingCycle(snap, *policy->queue, *policy->placer);
  EXPECT_THAT(plan.starts, IsEmpty());
  ASSERT_EQ(plan.reservations.size(), 3u);
  EXPECT_EQ(plan.reservations[1].job_id, 2u);
  EXPECT_EQ(plan.reservations[1].shares[0].node, "b");
  EXPECT_EQ(plan.reservations[2].job_id, 3u);  // on b once job 2's ends
  EXPECT_THAT(plan.reasons, ElementsAre(Reason{1, "Resources"}, Reason{2, "Resources"},
                                        Reason{3, "Reservation"}));
  EXPECT_THAT(plan.held_for, ElementsAre(std::pair<uint64_t, uint64_t>{3, 2}));
}

// --time-min, Slurm's: node a is full until t=100 s and reserved for job
// 1 from then; node b has GPUs 4-7 free now but is reserved for job 2 from
// t=330 s. Job 3 (2 GPUs, 1000 s) fits on b now only if it ends by then:
// allowed to run as little as 120 s, it starts with its limit lowered to
// the 5 whole minutes before job 2's reservation; allowed no less than
// 400 s, it waits, its reason naming job 2. Without a limit, it is
// lowered just the same (Slurm's rule), and without --time-min it waits.
TEST(SchedulingCycle, TimeMinLowersALimitToStartInAHoleBeforeAReservation) {
  auto plan_with_time_min = [](DurationMs time_min, DurationMs time_limit = 1'000'000) {
    Snapshot snap = NodeBFreeAt(330'000);
    snap.pending[2].time_min = time_min;
    snap.pending[2].time_limit = time_limit;
    auto policy = MakeSchedulingPolicy("fifo-backfill");
    EXPECT_TRUE(policy.ok());
    return RunSchedulingCycle(snap, *policy->queue, *policy->placer);
  };
  Plan plan = plan_with_time_min(120'000);
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].job_id, 3u);
  EXPECT_EQ(plan.starts[0].shares[0].node, "b");
  EXPECT_EQ(plan.starts[0].time_limit, 300'000);
  ASSERT_EQ(plan.reservations.size(), 2u);
  EXPECT_EQ(plan.reservations[1].job_id, 2u);
  EXPECT_EQ(plan.reservations[1].start, 330'000);  // not delayed

  plan = plan_with_time_min(400'000);
  EXPECT_THAT(plan.starts, IsEmpty());
  EXPECT_THAT(plan.held_for, ElementsAre(std::pair<uint64_t, uint64_t>{3, 2}));

  plan = plan_with_time_min(120'000, /*time_limit=*/0);
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].job_id, 3u);
  EXPECT_EQ(plan.starts[0].time_limit, 300'000);

  plan = plan_with_time_min(0, /*time_limit=*/0);
  EXPECT_THAT(plan.starts, IsEmpty());
  EXPECT_THAT(plan.held_for, ElementsAre(std::pair<uint64_t, uint64_t>{3, 2}));
}

TEST(SchedulingCycle, BetweenBackfillPassesABlockedJobHoldsItsPartition) {
  Snapshot snap;
  snap.nodes = {TestNode("a")};
  Hold(snap, Holding(9, 0, 4, 100'000));
  snap.pending = {Job(1, 8, 1, 50'000), Job(2, 2, 2, 50'000)};
  auto policy = MakeSchedulingPolicy("fifo-backfill");
  Plan plan = RunSchedulingCycle(snap, *policy->queue, *policy->placer);
  EXPECT_THAT(plan.starts, IsEmpty());
  EXPECT_THAT(plan.reasons, ElementsAre(Reason{1, "Resources"}, Reason{2, "Priority"}));
}

TEST(SchedulingCycle, AJobWithoutATimeLimitNeverPassesAReservation) {
  Snapshot snap;
  snap.nodes = {TestNode("a")};
  Hold(snap, Holding(9, 0, 4, 100'000));
  snap.pending = {Job(1, 8, 1, 50'000), Job(2, 2, 2, /*limit=*/0)};
  snap.backfill_pass = true;
  auto policy = MakeSchedulingPolicy("tatami");
  Plan plan = RunSchedulingCycle(snap, *policy->queue, *policy->placer);
  EXPECT_THAT(plan.starts, IsEmpty());
  ASSERT_EQ(plan.reservations.size(), 2u);
  EXPECT_EQ(plan.reservations[1].job_id, 2u);  // once job 1's reservation ends
  EXPECT_EQ(plan.reservations[1].start, 150'000);
}

// `sbatch -p x,y` without --time: the copy in y has y's default limit, not
// the job's (unlimited in x), and backfill plans each with its own.
TEST(SchedulingCycle, AnOptionWithItsOwnTimeLimitMayPassAReservationTheJobMayNot) {
  Snapshot snap;
  snap.nodes = {TestNode("a")};
  Hold(snap, Holding(9, 0, 4, 100'000));
  PendingJob untimed = Job(2, 2, 2, /*limit=*/0);
  untimed.alternatives.push_back({Devices(2), 1.0, /*time_limit=*/50'000});
  snap.pending = {Job(1, 8, 1, 50'000), untimed};
  snap.backfill_pass = true;
  EXPECT_EQ(LimitOf(untimed, 0), 0);
  EXPECT_EQ(LimitOf(untimed, 1), 50'000);
  auto policy = MakeSchedulingPolicy("tatami");
  Plan plan = RunSchedulingCycle(snap, *policy->queue, *policy->placer);
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].job_id, 2u);
  EXPECT_EQ(plan.starts[0].option, 1u);
  ASSERT_EQ(plan.reservations.size(), 1u);
  EXPECT_EQ(plan.reservations[0].start, 100'000);
}

TEST(SchedulingCycle, ARunningJobWithoutALimitMeansNoReservationAndNoBackfillOnItsNode) {
  Snapshot snap;
  snap.nodes = {TestNode("a")};
  Hold(snap, Holding(9, 0, 4, /*end=*/0));
  snap.pending = {Job(1, 8, 1, 50'000), Job(2, 2, 2, 50'000)};
  snap.backfill_pass = true;
  auto policy = MakeSchedulingPolicy("tatami");
  Plan plan = RunSchedulingCycle(snap, *policy->queue, *policy->placer);
  // Job 1 can never be promised a start, so job 2 delays no one.
  EXPECT_THAT(plan.reservations, IsEmpty());
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].job_id, 2u);
}

// Slurm's backfill plans each blocked job after those before it: the
// second in line for a full node is promised a start when the first's
// reservation ends, not left without one (squeue --start: N/A).
TEST(SchedulingCycle, EachBlockedJobIsPlannedWhenTheReservationsBeforeItEnd) {
  Snapshot snap;
  snap.nodes = {TestNode("a")};
  Hold(snap, Holding(9, 0, 8, 100'000));
  snap.pending = {Job(1, 8, 1, 50'000), Job(2, 8, 2, 60'000), Job(3, 4, 3, 10'000)};
  snap.backfill_pass = true;
  auto policy = MakeSchedulingPolicy("fifo-backfill");
  Plan plan = RunSchedulingCycle(snap, *policy->queue, *policy->placer);
  EXPECT_THAT(plan.starts, IsEmpty());
  ASSERT_EQ(plan.reservations.size(), 3u);
  EXPECT_EQ(plan.reservations[0].start, 100'000);
  EXPECT_EQ(plan.reservations[0].end, 150'000);
  // Jobs 1 and 2 both hold all eight GPUs, one after the other: when job
  // 1's ends, job 2's still holds them, so job 3 waits for job 2's end.
  EXPECT_EQ(plan.reservations[1].job_id, 2u);
  EXPECT_EQ(plan.reservations[1].start, 150'000);
  EXPECT_EQ(plan.reservations[2].job_id, 3u);
  EXPECT_EQ(plan.reservations[2].start, 210'000);
}

// Held CPUs are counted as devices are: two reservations that follow one
// another on a node's 32 CPUs, then a job that needs 20 of them.
TEST(SchedulingCycle, ReservationsThatFollowOneAnotherHoldTheCpusUntilTheLastEnds) {
  Snapshot snap;
  snap.nodes = {TestNode("a")};
  Hold(snap, Holding(9, 0, 8, 100'000));
  ResourceRequest cpus_only;
  cpus_only.partition = "gpu";
  cpus_only.cpus_per_node = 32;
  snap.pending = {PendingJob{1, 0, 1, cpus_only, 50'000, {}},
                  PendingJob{2, 0, 2, cpus_only, 60'000, {}}};
  snap.running[0].shares[0].cpus = 32;
  snap.nodes[0].cpus_free = 0;
  cpus_only.cpus_per_node = 20;
  snap.pending.push_back(PendingJob{3, 0, 3, cpus_only, 10'000, {}});
  snap.backfill_pass = true;
  auto policy = MakeSchedulingPolicy("fifo-backfill");
  Plan plan = RunSchedulingCycle(snap, *policy->queue, *policy->placer);
  ASSERT_EQ(plan.reservations.size(), 3u);
  EXPECT_EQ(plan.reservations[1].start, 150'000);
  EXPECT_EQ(plan.reservations[2].start, 210'000);
}

TEST(SchedulingCycle, AnUnlimitedJobsReservationHoldsItsNodeForGood) {
  Snapshot snap;
  snap.nodes = {TestNode("a")};
  Hold(snap, Holding(9, 0, 8, 100'000));
  snap.pending = {Job(1, 8, 1, /*limit=*/0), Job(2, 8, 2, 50'000)};
  snap.backfill_pass = true;
  auto policy = MakeSchedulingPolicy("fifo-backfill");
  Plan plan = RunSchedulingCycle(snap, *policy->queue, *policy->placer);
  // Job 2 can never use the node job 1 holds from t=100: it gets no
  // promise rather than one that could be wrong.
  ASSERT_EQ(plan.reservations.size(), 1u);
  EXPECT_EQ(plan.reservations[0].job_id, 1u);
  EXPECT_EQ(plan.reservations[0].end, 0);
}

TEST(SchedulingCycle, TatamiTriesTheMostEfficientKindFirstTheBlindPoliciesTheListedOne) {
  Snapshot snap;
  snap.nodes = {TestNode("a"), TestNode("b", AcceleratorKind::kHw4)};
  PendingJob job = Job(1, 4, 1, 60'000);
  job.alternatives.push_back({Devices(4, "hw4"), 2.0});
  snap.pending = {job};
  snap.backfill_pass = true;
  Snapshot blind = snap;
  auto tatami = MakeSchedulingPolicy("tatami");
  Plan plan = RunSchedulingCycle(snap, *tatami->queue, *tatami->placer);
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].option, 1u);
  EXPECT_EQ(plan.starts[0].shares[0].node, "b");
  for (const char* name : {"fifo-backfill", "tatami-blind"}) {
    Snapshot again = blind;
    auto policy = MakeSchedulingPolicy(name);
    Plan listed = RunSchedulingCycle(again, *policy->queue, *policy->placer);
    ASSERT_EQ(listed.starts.size(), 1u) << name;
    EXPECT_EQ(listed.starts[0].option, 0u) << name;
    EXPECT_EQ(listed.starts[0].shares[0].node, "a") << name;
  }
}

// A one-GPU job runs 1.3x faster on a Dojo tile, but a tile is 8 H100s'
// worth: it takes an H100 when one is free, the tile only when none is.
TEST(SchedulingCycle, AOneGpuJobTakesADojoTileOnlyWhenNoH100IsFree) {
  ResourceRequest tile;
  tile.partition = "gpu";
  tile.accel_kind = "d1";
  tile.tiles = 1;
  PendingJob job = Job(1, 1, 1, 60'000);
  job.alternatives.push_back({tile, 1.3});
  NodeResources tray = TestNode("tray", AcceleratorKind::kD1, 6);
  tray.fabric.mesh = 0;
  Snapshot snap;
  snap.nodes = {tray, TestNode("a")};
  snap.pending = {job};
  snap.backfill_pass = true;
  Snapshot busy = snap;
  auto tatami = MakeSchedulingPolicy("tatami");
  Plan plan = RunSchedulingCycle(snap, *tatami->queue, *tatami->placer);
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].shares[0].node, "a");
  busy.nodes[1].device_free.assign(8, false);
  plan = RunSchedulingCycle(busy, *tatami->queue, *tatami->placer);
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].option, 1u);
  EXPECT_EQ(plan.starts[0].shares[0].node, "tray");
}

// SlowOptionRule: a 20-hour job that runs at 0.3x on HW4 waits for the busy
// H100 node (and reserves it); a 1-hour one takes the HW4 board; with no
// H100 in service the HW4 board is the fastest there is.
TEST(SchedulingCycle, ALongJobWaitsForItsFastKindRatherThanRunAtUnderHalfItsSpeed) {
  constexpr DurationMs kHour = 60 * kMinute;
  Snapshot busy_h100;
  busy_h100.nodes = {TestNode("a"), TestNode("b", AcceleratorKind::kHw4)};
  Hold(busy_h100, Holding(9, 0, 8, 5 * kHour));
  busy_h100.backfill_pass = true;
  PendingJob job = Job(1, 4, 1, 20 * kHour);
  job.alternatives.push_back({Devices(4, "hw4"), 0.3});
  auto cycle = [&](const PendingJob& pending, Snapshot snap, const char* policy = "tatami") {
    snap.pending = {pending};
    auto p = MakeSchedulingPolicy(policy);
    return RunSchedulingCycle(snap, *p->queue, *p->placer);
  };

  Plan plan = cycle(job, busy_h100);
  EXPECT_THAT(plan.starts, IsEmpty());
  EXPECT_THAT(plan.reasons, ElementsAre(Reason{1, "Resources"}));
  ASSERT_EQ(plan.reservations.size(), 1u);
  EXPECT_EQ(plan.reservations[0].start, 5 * kHour);

  PendingJob short_job = job;
  short_job.time_limit = kHour;
  EXPECT_EQ(OnlyStart(cycle(short_job, busy_h100)), "option 1 on b");

  Snapshot no_h100 = busy_h100;
  no_h100.nodes[0].schedulable = false;
  EXPECT_EQ(OnlyStart(cycle(job, no_h100)), "option 1 on b");

  // Blind to speeds, tatami-blind starts it on whatever fits.
  EXPECT_EQ(OnlyStart(cycle(job, busy_h100, "tatami-blind")), "option 1 on b");
}

// kEarliestCompletion: a 90-minute one-GPU job that runs at 0.22x on HW4
// (409 minutes) waits 10 minutes for the busy H100s and reserves one; when
// they are busy for 6 hours it takes the HW4 board at once.
TEST(SchedulingCycle, AJobWaitsForABusyFasterKindOnlyWhenItWouldFinishSoonerThere) {
  Snapshot snap;
  snap.nodes = {TestNode("a"), TestNode("b", AcceleratorKind::kHw4, 2)};
  snap.backfill_pass = true;
  PendingJob job = Job(1, 1, 1, 90 * kMinute);
  job.alternatives.push_back({Devices(1, "hw4"), 0.22});
  snap.pending = {job};
  auto cycle = [](Snapshot snap, TimeMs h100s_free_at, const char* policy) {
    Hold(snap, Holding(9, 0, 8, h100s_free_at));
    auto p = MakeSchedulingPolicy(policy);
    return RunSchedulingCycle(snap, *p->queue, *p->placer);
  };

  Plan plan = cycle(snap, 10 * kMinute, "tatami");
  EXPECT_THAT(plan.starts, IsEmpty());
  EXPECT_THAT(plan.reasons, ElementsAre(Reason{1, "FasterKindSooner"}));
  EXPECT_THAT(plan.passed_over, ElementsAre(1u));
  ASSERT_EQ(plan.reservations.size(), 1u);
  EXPECT_EQ(plan.reservations[0].start, 10 * kMinute);
  EXPECT_EQ(plan.reservations[0].shares[0].node, "a");

  EXPECT_EQ(OnlyStart(cycle(snap, 6 * 60 * kMinute, "tatami")), "option 1 on b");
  EXPECT_EQ(OnlyStart(cycle(snap, 10 * kMinute, "tatami-blind")), "option 1 on b");
}

// The plan can slip: each cycle, the H100s free "in 10 minutes". A job
// that first passed over the HW4 board at time 0 (409 minutes there) waits
// only while the H100s would finish it before 409 minutes: at 300 minutes
// (+ 10 + 90 = 400) it still waits, at 310 (410) it takes the board.
TEST(SchedulingCycle, AJobWaitsForAFasterKindNoLongerThanTheStartItPassedOverWasWorth) {
  PendingJob job = Job(1, 1, 1, 90 * kMinute);
  job.alternatives.push_back({Devices(1, "hw4"), 0.22});
  auto tatami = MakeSchedulingPolicy("tatami");
  auto cycle_at = [&](TimeMs now, TimeMs passed_over_at) {
    Snapshot snap;
    snap.nodes = {TestNode("a"), TestNode("b", AcceleratorKind::kHw4, 2)};
    snap.backfill_pass = true;
    snap.now = now;
    Hold(snap, Holding(9, 0, 8, now + 10 * kMinute));
    snap.pending = {job};
    snap.pending[0].passed_over_at = passed_over_at;
    return RunSchedulingCycle(snap, *tatami->queue, *tatami->placer);
  };
  ASSERT_EQ(LimitAtSpeed(90 * kMinute, 0.22), 409 * kMinute + 5455);

  EXPECT_THAT(cycle_at(300 * kMinute, 0).reasons, ElementsAre(Reason{1, "FasterKindSooner"}));
  EXPECT_THAT(cycle_at(300 * kMinute, 1).reasons, ElementsAre(Reason{1, "FasterKindSooner"}));
  Plan gave_up = cycle_at(310 * kMinute, 1);
  EXPECT_EQ(OnlyStart(gave_up), "option 1 on b");
  EXPECT_THAT(gave_up.passed_over, IsEmpty());
  // Without the start it passed over, it would wait again.
  EXPECT_THAT(cycle_at(310 * kMinute, 0).reasons, ElementsAre(Reason{1, "FasterKindSooner"}));
}

// Each job that waits reserves one of the 8 H100s freed at 10 minutes; the
// ninth finds them all promised until 100 minutes, so it would finish
// there at 190, later than on an HW4 board now (150 at 0.6x): it takes
// the board, as does the tenth.
// With room for only 2 reservations, the third job does not wait: without
// one, it could not count on the H100 it would wait for.
TEST(SchedulingCycle, OnlyAsManyJobsWaitForAFasterKindAsItsPlanHasRoomFor) {
  Snapshot snap;
  snap.nodes = {TestNode("a"), TestNode("b", AcceleratorKind::kHw4, 2)};
  snap.backfill_pass = true;
  Hold(snap, Holding(99, 0, 8, 10 * kMinute));
  for (uint64_t id = 1; id <= 10; ++id) {
    PendingJob job = Job(id, 1, TimeMs(id), 90 * kMinute);
    job.alternatives.push_back({Devices(1, "hw4"), 0.6});
    snap.pending.push_back(job);
  }
  Snapshot three = snap;
  three.pending.resize(3);
  auto tatami = MakeSchedulingPolicy("tatami");
  Plan plan = RunSchedulingCycle(snap, *tatami->queue, *tatami->placer);
  EXPECT_EQ(plan.reservations.size(), 8u);
  ASSERT_EQ(plan.starts.size(), 2u);
  EXPECT_EQ(plan.starts[0].job_id, 9u);
  EXPECT_EQ(plan.starts[1].job_id, 10u);
  for (const PlannedStart& s : plan.starts) EXPECT_EQ(s.shares[0].node, "b");

  plan = RunSchedulingCycle(three, BackfillPolicy({0, 2, OptionChoice::kEarliestCompletion}),
                            TopologyPlacer());
  EXPECT_EQ(plan.reservations.size(), 2u);
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].job_id, 3u);
}

// A job that can start nowhere reserves the option the plan finishes it
// on soonest, not merely its most efficient one: a 2-hour job that runs
// twice as fast on HW4 reserves the H100s free in 1 hour (done at 3 h)
// over the boards free in 10 (done at 11 h), and the boards when they free
// in 90 minutes (done at 2.5 h). A job that reserved the fast kind however
// far off would hold it for the long jobs that prefer it, while the queue
// behind them could have had it.
TEST(SchedulingCycle, AJobThatMustWaitReservesWhereThePlanFinishesItSoonest) {
  constexpr DurationMs kHour = 60 * kMinute;
  PendingJob job = Job(1, 4, 1, 2 * kHour);
  job.alternatives.push_back({Devices(4, "hw4"), 2.0});
  auto tatami = MakeSchedulingPolicy("tatami");
  auto reserved = [&](TimeMs boards_free_at) {
    Snapshot snap;
    snap.nodes = {TestNode("a"), TestNode("b", AcceleratorKind::kHw4)};
    snap.backfill_pass = true;
    Hold(snap, Holding(9, 0, 8, kHour));
    RunningJob boards{
        8, false, {NodeShare{"b", 1, 1024, {0, 1, 2, 3, 4, 5, 6, 7}, 1}}, boards_free_at};
    Hold(snap, boards);
    snap.pending = {job};
    Plan plan = RunSchedulingCycle(snap, *tatami->queue, *tatami->placer);
    EXPECT_THAT(plan.starts, IsEmpty());
    EXPECT_THAT(plan.reasons, ElementsAre(Reason{1, "Resources"}));
    if (plan.reservations.size() != 1) return std::string("no reservation");
    const Reservation& r = plan.reservations[0];
    return r.shares.at(0).node + " at " + std::to_string(r.start / kMinute) + " min";
  };
  EXPECT_EQ(reserved(10 * kHour), "a at 60 min");
  EXPECT_EQ(reserved(90 * kMinute), "b at 90 min");
}

TEST(SchedulingCycle, ManyAlikeBlockedJobsAllGetTheReasonOfTheFirst) {
  Snapshot snap;
  snap.nodes = {TestNode("a")};
  Hold(snap, Holding(9, 0, 8, 0));
  snap.backfill_pass = true;
  for (uint64_t id = 1; id <= 100; ++id) snap.pending.push_back(Job(id, 1, TimeMs(id), 1000));
  auto policy = MakeSchedulingPolicy("tatami");
  Plan plan = RunSchedulingCycle(snap, *policy->queue, *policy->placer);
  ASSERT_EQ(plan.reasons.size(), 100u);
  for (const auto& [id, why] : plan.reasons) EXPECT_EQ(why, "Resources") << id;
}

// backfill_max_jobs (Slurm's bf_max_job_test): the fourth blocked job gets
// no reservation when a pass may plan three.
TEST(SchedulingPolicy, BackfillPlansAsManyBlockedJobsAsItIsGiven) {
  Snapshot snap;
  snap.nodes = {TestNode("a")};
  Hold(snap, Holding(9, 0, 8, 100'000));
  for (uint64_t id = 1; id <= 4; ++id) snap.pending.push_back(Job(id, 8, TimeMs(id), 50'000));
  snap.backfill_pass = true;
  for (const char* name : {"fifo-backfill", "tatami-blind", "tatami"}) {
    Snapshot copy = snap;
    auto policy = MakeSchedulingPolicy(name, 3);
    ASSERT_TRUE(policy.ok());
    EXPECT_EQ(RunSchedulingCycle(copy, *policy->queue, *policy->placer).reservations.size(), 3u)
        << name;
  }
  auto by_default = MakeSchedulingPolicy("tatami");
  EXPECT_EQ(RunSchedulingCycle(snap, *by_default->queue, *by_default->placer).reservations.size(),
            4u);
}

TEST(SchedulingPolicy, UnknownNameListsTheKnownOnes) {
  auto p = MakeSchedulingPolicy("lottery");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(
      p.error().message,
      "unknown scheduling policy 'lottery' (known: fifo, fifo-backfill, tatami-blind, tatami)");
}

}  // namespace
}  // namespace tatami
