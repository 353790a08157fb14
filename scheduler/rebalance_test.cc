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

// A job that only a Dojo tile will do, for `limit`.
PendingJob TileOnly(uint64_t id, DurationMs waited, DurationMs limit = 2 * kHour) {
  return PendingJob{id, 0, kNow - waited, Devices(1, "d1"), limit, {}};
}

// Job `id` on `tiles` of the tray (node 3) until `end`: it would run on 8
// H100s at 1/1.3 of its speed there.
RunningJob OnTiles(uint64_t id, std::vector<uint32_t> tiles, TimeMs end) {
  RunningJob r{id, false, {NodeShare{"tray", 1, 1024, std::move(tiles), 3}}, end};
  r.qos = kNoQos;
  r.movable = true;
  r.elsewhere = {1 / 1.3, Devices(8, "h100")};
  return r;
}

// Three H100 nodes, the first busy for an hour, and one tray of six tiles.
// Behind `pending` wait 40 more jobs for a tile, just submitted: too new to
// ask for a move, they make one worth its cost (KindRebalancer::Queue).
Snapshot Busy(std::vector<RunningJob> on_tiles, std::vector<PendingJob> pending,
              size_t backlog = 40) {
  Snapshot snap;
  snap.now = kNow;
  snap.backfill_pass = true;
  snap.nodes = {TestNode("h"), TestNode("h2"), TestNode("h3"),
                TestNode("tray", AcceleratorKind::kD1, 6)};
  on_tiles.push_back(
      RunningJob{99, false, {NodeShare{"h", 1, 1024, {0, 1, 2, 3, 4, 5, 6, 7}, 0}}, kNow + kHour});
  for (const RunningJob& r : on_tiles) {
    ApplyShares(r.shares, false, snap.nodes);
    snap.running.push_back(r);
  }
  snap.pending = std::move(pending);
  for (size_t i = 0; i < backlog; ++i) snap.pending.push_back(TileOnly(100 + i, 0));
  return snap;
}

std::vector<uint64_t> Moves(Snapshot snap, const char* policy = "tatami") {
  SchedulingPolicy p = std::move(MakeSchedulingPolicy(policy)).value();
  return RunSchedulingCycle(snap, *p.queue, *p.placer).moves;
}

TEST(Rebalance, ALongJobOnTheTilesMovesOnceAJobHasWaitedFourHoursForOne) {
  RunningJob held = OnTiles(9, {0, 1, 2, 3, 4, 5}, kNow + 100 * kHour);
  EXPECT_THAT(Moves(Busy({held}, {TileOnly(1, 5 * kHour)})), ElementsAre(9u));
  // Not before the wait; never under the blind policy, which has no rule.
  EXPECT_THAT(Moves(Busy({held}, {TileOnly(1, 3 * kHour)})), IsEmpty());
  EXPECT_THAT(Moves(Busy({held}, {TileOnly(1, 5 * kHour)}), "tatami-blind"), IsEmpty());
  // A job without a limit: what it would lose cannot be weighed.
  held.expected_end = 0;
  EXPECT_THAT(Moves(Busy({held}, {TileOnly(1, 5 * kHour)})), IsEmpty());
}

TEST(Rebalance, OnlyMovableJobsFarFromTheirEndThatLoseLittleElsewhereMove) {
  std::vector<PendingJob> waiting{TileOnly(1, 5 * kHour)};
  RunningJob held = OnTiles(9, {0, 1, 2, 3, 4, 5}, kNow + 100 * kHour);
  RunningJob nearly_done = held;
  nearly_done.expected_end = kNow + 9 * kHour;
  EXPECT_THAT(Moves(Busy({nearly_done}, waiting)), IsEmpty());
  RunningJob stays = held;
  stays.movable = false;  // no --requeue, or moved before
  EXPECT_THAT(Moves(Busy({stays}, waiting)), IsEmpty());
  RunningJob halved = held;
  halved.elsewhere.speed = 0.5;
  EXPECT_THAT(Moves(Busy({halved}, waiting)), IsEmpty());
  RunningJob faster_elsewhere = held;
  faster_elsewhere.elsewhere.speed = 1.2;
  EXPECT_THAT(Moves(Busy({faster_elsewhere}, waiting)), IsEmpty());
}

// The queue's gain, as KindRebalancer estimates it: 41 jobs bring 82
// tile-hours (2 h each), which six tiles get through in 13.7 h. Six more
// tiles shorten each job's wait (6.8 h on average) by as much: 280 h in
// all. A job with 100 h left loses 30 h on the H100s, one with 1,000 h
// 300 h; with five jobs queued the gain is 4.2 h.
TEST(Rebalance, AJobMovesOnlyWhereTheQueueGainsMoreThanItLoses) {
  std::vector<PendingJob> waiting{TileOnly(1, 5 * kHour)};
  RunningJob held = OnTiles(9, {0, 1, 2, 3, 4, 5}, kNow + 100 * kHour);
  EXPECT_THAT(Moves(Busy({held}, waiting)), ElementsAre(9u));
  EXPECT_THAT(Moves(Busy({held}, waiting, /*backlog=*/4)), IsEmpty());
  RunningJob longer = held;
  longer.expected_end = kNow + 1000 * kHour;
  EXPECT_THAT(Moves(Busy({longer}, waiting)), IsEmpty());
  // Jobs that bring more work make the same queue worth it.
  std::vector<PendingJob> long_waiting{TileOnly(1, 5 * kHour, 20 * kHour)};
  Snapshot heavy = Busy({longer}, long_waiting, 0);
  for (uint64_t id = 100; id < 140; ++id) heavy.pending.push_back(TileOnly(id, 0, 20 * kHour));
  EXPECT_THAT(Moves(heavy), ElementsAre(9u));
}

// Busy's H100 node `node` (1 or 2, idle) busy for 5 h, longer than the wait.
void OccupyFiveHours(Snapshot& snap, uint32_t node) {
  RunningJob r{90 + node,
               false,
               {NodeShare{snap.nodes[node].name, 1, 1024, {0, 1, 2, 3, 4, 5, 6, 7}, node}},
               kNow + 5 * kHour};
  ApplyShares(r.shares, false, snap.nodes);
  snap.running.push_back(r);
}

// A move that sent the job to the back of another kind's queue would cost
// it more than the queue it leaves gains.
TEST(Rebalance, AJobMovesOnlyWhereThePlanStartsItAgainWithinTheWait) {
  RunningJob held = OnTiles(9, {0, 1, 2, 3, 4, 5}, kNow + 100 * kHour);
  Snapshot snap = Busy({held}, {TileOnly(1, 5 * kHour)});
  OccupyFiveHours(snap, 1);
  OccupyFiveHours(snap, 2);
  // The first H100 node frees in an hour, within the wait.
  EXPECT_THAT(Moves(snap), ElementsAre(9u));
  // In 5 h: too late.
  for (RunningJob& r : snap.running)
    if (r.job_id == 99) r.expected_end = kNow + 5 * kHour;
  EXPECT_THAT(Moves(snap), IsEmpty());
}

TEST(Rebalance, TheFirstJobToMoveHoldsTheStartItWasPromised) {
  std::vector<PendingJob> four;
  for (uint64_t id = 1; id <= 4; ++id) four.push_back(TileOnly(id, 5 * kHour));
  Snapshot snap = Busy(
      {OnTiles(8, {0, 1, 2}, kNow + 50 * kHour), OnTiles(9, {3, 4, 5}, kNow + 80 * kHour)}, four);
  for (RunningJob& r : snap.running)
    if (r.job_id == 99) r.expected_end = kNow + 5 * kHour;
  OccupyFiveHours(snap, 1);
  // One idle H100 node, for the longer job: the other has nowhere to go.
  Plan plan = [&] {
    SchedulingPolicy p = std::move(MakeSchedulingPolicy("tatami")).value();
    return RunSchedulingCycle(snap, *p.queue, *p.placer);
  }();
  EXPECT_THAT(plan.moves, ElementsAre(9u));
  // The hold is the move's, not a reservation any job was promised.
  for (const Reservation& r : plan.reservations) EXPECT_NE(r.job_id, 9u);
}

TEST(Rebalance, TheLongestMoveFirstAndOnlyUntilTheShortfallIsCovered) {
  RunningJob shorter = OnTiles(8, {0, 1, 2}, kNow + 50 * kHour);
  RunningJob longer = OnTiles(9, {3, 4, 5}, kNow + 80 * kHour);
  EXPECT_THAT(Moves(Busy({shorter, longer}, {TileOnly(1, 5 * kHour)})), ElementsAre(9u));
  // Four waiting jobs want four tiles: both go, each to an idle H100 node.
  std::vector<PendingJob> four;
  for (uint64_t id = 1; id <= 4; ++id) four.push_back(TileOnly(id, 5 * kHour));
  EXPECT_THAT(Moves(Busy({shorter, longer}, four)), ElementsAre(9u, 8u));
  // A job already stopping frees three tiles: that covers three of them.
  longer.preempting = true;
  EXPECT_THAT(Moves(Busy({shorter, longer}, {TileOnly(1, 5 * kHour)})), IsEmpty());
  EXPECT_THAT(Moves(Busy({shorter, longer}, four)), ElementsAre(8u));
}

TEST(Rebalance, WaitingJobsMoveOnlyJobsOfTheirOwnQosThatAPreemptionWouldSpareToo) {
  RunningJob prod = OnTiles(9, {0, 1, 2, 3, 4, 5}, kNow + 100 * kHour);
  prod.qos = 2;
  PendingJob scavenger = TileOnly(1, 5 * kHour);
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
TEST(Rebalance, ElsewhereIsTheFastestOtherKindAgainstTheOneItRunsOn) {
  ResourceRequest h100 = Devices(8, "h100");
  ResourceRequest other_partition = h100;
  other_partition.partition = "h100-spare";
  std::vector<JobOption> options{
      {other_partition, 1.0}, {Devices(1, "d1"), 1.3}, {Devices(8, "hw4"), 0.45}};
  Elsewhere from_tile = ElsewhereOf(h100, options, 2);
  EXPECT_DOUBLE_EQ(from_tile.speed, 1 / 1.3);
  EXPECT_EQ(from_tile.request.partition, "gpu");  // the first of the equally fast H100 options
  Elsewhere from_h100 = ElsewhereOf(h100, options, 0);
  EXPECT_DOUBLE_EQ(from_h100.speed, 1.3);
  EXPECT_EQ(from_h100.request.accel_kind, "d1");
  EXPECT_DOUBLE_EQ(ElsewhereOf(h100, options, 1).speed, 1.3);  // the -p list copy
  EXPECT_DOUBLE_EQ(ElsewhereOf(h100, {{other_partition, 1.0}}, 0).speed, 0);
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
