#include "scheduler/rebalance.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scheduler/policy.h"
#include "scheduler/test_nodes.h"
#include "scheduler/topology_placer.h"

namespace tatami {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::TestNode;

constexpr TimeMs kNow = 1000 * kHour;
constexpr uint32_t kNoQos = UINT32_MAX;

ResourceRequest Devices(uint32_t per_node, std::string kind) {
  ResourceRequest r;
  r.partition = "gpu";
  r.accel_kind = std::move(kind);
  r.accel_per_node = per_node;
  return r;
}

// A vision job: 8 H100s, or one Dojo tile at 1.3x (what it tries first).
PendingJob Vision(uint64_t id, DurationMs waited) {
  PendingJob p{id, 0, kNow - waited, Devices(8, "h100"), 2 * kHour, {}};
  p.alternatives.push_back({Devices(1, "d1"), 1.3});
  return p;
}

// Job `id` on `tiles` of the tray (node 1) until `end`: it took them
// uncontended and would run at 1/1.3 of its speed on H100s.
RunningJob OnTiles(uint64_t id, std::vector<uint32_t> tiles, TimeMs end) {
  RunningJob r{id, false, {NodeShare{"tray", 1, 1024, std::move(tiles), 1}}, end};
  r.qos = kNoQos;
  r.movable = true;
  r.speed_elsewhere = 1 / 1.3;
  return r;
}

// One H100 node, busy for an hour, and one tray of six tiles.
Snapshot Busy(std::vector<RunningJob> on_tiles, std::vector<PendingJob> pending) {
  Snapshot snap;
  snap.now = kNow;
  snap.backfill_pass = true;
  snap.nodes = {TestNode("h"), TestNode("tray", AcceleratorKind::kD1, 6)};
  on_tiles.push_back(
      RunningJob{99, false, {NodeShare{"h", 1, 1024, {0, 1, 2, 3, 4, 5, 6, 7}, 0}}, kNow + kHour});
  for (const RunningJob& r : on_tiles) {
    ApplyShares(r.shares, false, snap.nodes);
    snap.running.push_back(r);
  }
  snap.pending = std::move(pending);
  return snap;
}

std::vector<uint64_t> Moves(Snapshot snap, const char* policy = "tatami") {
  SchedulingPolicy p = std::move(MakeSchedulingPolicy(policy)).value();
  return RunSchedulingCycle(snap, *p.queue, *p.placer).moves;
}

TEST(Rebalance, ALongJobThatTookATileUncontendedMovesOnceAJobHasWaitedTwoHoursForOne) {
  RunningJob held = OnTiles(9, {0, 1, 2, 3, 4, 5}, kNow + 100 * kHour);
  EXPECT_THAT(Moves(Busy({held}, {Vision(1, 3 * kHour)})), ElementsAre(9u));
  // Not before the wait; never under the blind policy, which has no rule.
  EXPECT_THAT(Moves(Busy({held}, {Vision(1, kHour)})), IsEmpty());
  EXPECT_THAT(Moves(Busy({held}, {Vision(1, 3 * kHour)}), "tatami-blind"), IsEmpty());
  // An unlimited job is the longest of all.
  held.expected_end = 0;
  EXPECT_THAT(Moves(Busy({held}, {Vision(1, 3 * kHour)})), ElementsAre(9u));
}

TEST(Rebalance, OnlyMovableJobsFarFromTheirEndThatLoseLittleElsewhereMove) {
  std::vector<PendingJob> waiting{Vision(1, 3 * kHour)};
  RunningJob held = OnTiles(9, {0, 1, 2, 3, 4, 5}, kNow + 100 * kHour);
  RunningJob nearly_done = held;
  nearly_done.expected_end = kNow + 9 * kHour;
  EXPECT_THAT(Moves(Busy({nearly_done}, waiting)), IsEmpty());
  RunningJob stays = held;
  stays.movable = false;  // no --requeue, moved before, or won its tile against waiting jobs
  EXPECT_THAT(Moves(Busy({stays}, waiting)), IsEmpty());
  RunningJob halved = held;
  halved.speed_elsewhere = 0.5;
  EXPECT_THAT(Moves(Busy({halved}, waiting)), IsEmpty());
  RunningJob faster_elsewhere = held;
  faster_elsewhere.speed_elsewhere = 1.2;
  EXPECT_THAT(Moves(Busy({faster_elsewhere}, waiting)), IsEmpty());
}

TEST(Rebalance, TheLongestMoveFirstAndOnlyUntilTheShortfallIsCovered) {
  RunningJob shorter = OnTiles(8, {0, 1, 2}, kNow + 50 * kHour);
  RunningJob longer = OnTiles(9, {3, 4, 5}, kNow + 300 * kHour);
  EXPECT_THAT(Moves(Busy({shorter, longer}, {Vision(1, 3 * kHour)})), ElementsAre(9u));
  // Four waiting jobs want four tiles: both go.
  std::vector<PendingJob> four;
  for (uint64_t id = 1; id <= 4; ++id) four.push_back(Vision(id, 3 * kHour));
  EXPECT_THAT(Moves(Busy({shorter, longer}, four)), ElementsAre(9u, 8u));
  // A job already stopping frees three tiles: that covers three of them.
  longer.preempting = true;
  EXPECT_THAT(Moves(Busy({shorter, longer}, {Vision(1, 3 * kHour)})), IsEmpty());
  EXPECT_THAT(Moves(Busy({shorter, longer}, four)), ElementsAre(8u));
}

TEST(Rebalance, WaitingJobsMoveOnlyJobsOfTheirOwnQosThatAPreemptionWouldSpareToo) {
  RunningJob prod = OnTiles(9, {0, 1, 2, 3, 4, 5}, kNow + 100 * kHour);
  prod.qos = 2;
  PendingJob scavenger = Vision(1, 3 * kHour);
  scavenger.qos = 0;
  EXPECT_THAT(Moves(Busy({prod}, {scavenger})), IsEmpty());
  PendingJob peer = scavenger;
  peer.qos = 2;
  EXPECT_THAT(Moves(Busy({prod}, {peer})), ElementsAre(9u));
  // Not within its account's quota, nor before its QoS's minimum run time.
  RunningJob guaranteed = prod;
  guaranteed.guaranteed = true;
  EXPECT_THAT(Moves(Busy({guaranteed}, {peer})), IsEmpty());
  RunningJob young = prod;
  young.preemptible_from = kNow + kMinute;
  EXPECT_THAT(Moves(Busy({young}, {peer})), IsEmpty());
}

TEST(Rebalance, AStartIsContendedWhenAnotherJobOfTheCycleWaitedForItsKind) {
  Snapshot snap;
  snap.now = kNow;
  snap.backfill_pass = true;
  snap.nodes = {TestNode("tray", AcceleratorKind::kD1, 1)};
  PendingJob first = Vision(1, 0);
  PendingJob second = Vision(2, 0);
  second.alternatives.clear();
  second.request = Devices(1, "d1");
  SchedulingPolicy p = std::move(MakeSchedulingPolicy("tatami")).value();
  Snapshot alone = snap;
  alone.pending = {first};
  Plan uncontended = RunSchedulingCycle(alone, *p.queue, *p.placer);
  ASSERT_EQ(uncontended.starts.size(), 1u);
  EXPECT_FALSE(uncontended.starts[0].contended);
  snap.pending = {first, second};
  Plan contended = RunSchedulingCycle(snap, *p.queue, *p.placer);
  ASSERT_EQ(contended.starts.size(), 1u);
  EXPECT_EQ(contended.starts[0].job_id, 1u);
  EXPECT_TRUE(contended.starts[0].contended);
}

// Against the option it runs on, the best of those on other kinds: a copy
// of its request in another partition (-p list) is not elsewhere.
TEST(Rebalance, SpeedElsewhereIsTheBestOtherKindAgainstTheOneItRunsOn) {
  ResourceRequest h100 = Devices(8, "h100");
  ResourceRequest other_partition = h100;
  other_partition.partition = "h100-spare";
  std::vector<JobOption> options{
      {other_partition, 1.0}, {Devices(1, "d1"), 1.3}, {Devices(8, "hw4"), 0.45}};
  EXPECT_DOUBLE_EQ(SpeedElsewhere(h100, options, 2), 1 / 1.3);  // on the tile
  EXPECT_DOUBLE_EQ(SpeedElsewhere(h100, options, 0), 1.3);      // on H100s
  EXPECT_DOUBLE_EQ(SpeedElsewhere(h100, options, 1), 1.3);      // the -p list copy
  EXPECT_DOUBLE_EQ(SpeedElsewhere(h100, {{other_partition, 1.0}}, 0), 0);
}

TEST(Rebalance, AMovedJobDoesNotTakeTheKindItWasMovedOff) {
  Snapshot snap;
  snap.now = kNow;
  snap.backfill_pass = true;
  snap.nodes = {TestNode("h"), TestNode("tray", AcceleratorKind::kD1, 6)};
  PendingJob moved = Vision(1, 0);
  moved.excluded_kinds = 1u << static_cast<unsigned>(AcceleratorKind::kD1);
  snap.pending = {moved};
  SchedulingPolicy p = std::move(MakeSchedulingPolicy("tatami")).value();
  Plan plan = RunSchedulingCycle(snap, *p.queue, *p.placer);
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].option, 0u);  // 8 H100s, though a tile is free and faster
}

}  // namespace
}  // namespace tatami
