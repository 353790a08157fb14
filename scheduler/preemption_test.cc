#include "scheduler/preemption.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scheduler/policy.h"
#include "scheduler/test_nodes.h"

namespace tatami {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Reason = std::pair<uint64_t, std::string>;

constexpr uint32_t kScavenger = 0;
constexpr uint32_t kBurst = 1;

NodeResources Node(const std::string& name) {
  return testing::TestNode(name);
}

// A job of the production tier: may preempt scavenger (and, if asked, burst) jobs.
PendingJob Prod(uint64_t id, uint32_t gpus, uint32_t nodes = 1, bool also_burst = false) {
  PendingJob p;
  p.job_id = id;
  p.priority = 1000;
  p.request.partition = "gpu";
  p.request.accel_kind = "h100";
  p.request.accel_per_node = gpus;
  p.request.nodes = nodes;
  p.time_limit = 100 * kSecond;
  p.preempts = 1u << kScavenger | (also_burst ? 1u << kBurst : 0);
  return p;
}

PendingJob Plain(uint64_t id, uint32_t gpus) {
  PendingJob p = Prod(id, gpus);
  p.priority = 0;
  p.preempts = 0;
  return p;
}

// Running job `id` of QoS `qos` on devices [first, first + count) of node `node`.
RunningJob Running(uint64_t id, uint32_t qos, uint32_t node, uint32_t first, uint32_t count,
                   TimeMs start = 0) {
  RunningJob r;
  r.job_id = id;
  r.qos = qos;
  r.start = start;
  r.expected_end = start + 1000 * kSecond;
  NodeShare s{node == 0 ? "a" : "b", 1, 1024, {}, node};
  for (uint32_t d = first; d < first + count; ++d) s.devices.push_back(d);
  r.shares = {s};
  return r;
}

Snapshot Cluster(std::vector<RunningJob> running, size_t nodes = 1) {
  Snapshot snap;
  snap.now = 50 * kSecond;
  snap.nodes = {Node("a")};
  if (nodes > 1) snap.nodes.push_back(Node("b"));
  for (const RunningJob& r : running) ApplyShares(r.shares, r.exclusive, snap.nodes);
  snap.running = std::move(running);
  return snap;
}

std::vector<uint64_t> Victims(const Plan& plan, uint64_t for_job) {
  std::vector<uint64_t> v;
  for (const Preemption& p : plan.preemptions)
    if (p.for_job == for_job) v.push_back(p.victim);
  return v;
}

TEST(Preemption, AProdJobPreemptsTheScavengerHoldingItsNode) {
  Snapshot snap = Cluster({Running(7, kScavenger, 0, 0, 8)});
  snap.pending = {Prod(1, 8)};
  Plan plan = RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer());
  EXPECT_THAT(plan.starts, IsEmpty());
  EXPECT_THAT(Victims(plan, 1), ElementsAre(7));
  EXPECT_THAT(plan.reasons, ElementsAre(Reason{1, "Preempting"}));
  // The victim runs on until its grace time is over: the books still hold it.
  EXPECT_EQ(snap.nodes[0].DevicesFree(), 0u);
  EXPECT_EQ(snap.nodes[0].running_jobs, 1u);
  EXPECT_EQ(snap.nodes[0].cpus_free, 31u);
}

// SlowOptionRule: a 20-hour prod job that would run at 0.3x on the HW4 host
// does not stop the scavenger there; it waits for the H100 node, which a
// job it may not preempt holds. A 1-hour one does preempt.
TEST(Preemption, ALongJobStopsNoOneForAKindItWouldNotStartOn) {
  constexpr uint32_t kUnpreemptable = 2;
  Snapshot snap =
      Cluster({Running(8, kUnpreemptable, 0, 0, 8), Running(7, kScavenger, 1, 0, 8)}, 2);
  snap.nodes[1] = testing::TestNode("b", AcceleratorKind::kHw4);
  ApplyShares(snap.running[1].shares, false, snap.nodes);
  snap.backfill_pass = true;
  PendingJob job = Prod(1, 8);
  job.time_limit = 20 * 60 * kMinute;
  ResourceRequest hw4 = job.request;
  hw4.accel_kind = "hw4";
  job.alternatives.push_back({hw4, 0.3});
  auto tatami = MakeSchedulingPolicy("tatami");

  Snapshot long_job = snap;
  long_job.pending = {job};
  Plan plan = RunSchedulingCycle(long_job, *tatami->queue, *tatami->placer);
  EXPECT_THAT(plan.preemptions, IsEmpty());
  EXPECT_THAT(plan.reasons, ElementsAre(Reason{1, "Resources"}));

  Snapshot short_job = snap;
  short_job.pending = {job};
  short_job.pending[0].time_limit = 60 * kMinute;
  plan = RunSchedulingCycle(short_job, *tatami->queue, *tatami->placer);
  EXPECT_THAT(Victims(plan, 1), ElementsAre(7));
}

TEST(Preemption, NeverBeforeTheVictimsMinimumRunTime) {
  RunningJob young = Running(7, kScavenger, 0, 0, 8);
  young.preemptible_from = 60 * kSecond;  // now is 50 s
  Snapshot snap = Cluster({young});
  snap.pending = {Prod(1, 8)};
  Plan plan = RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer());
  EXPECT_THAT(plan.preemptions, IsEmpty());
  EXPECT_THAT(plan.reasons, ElementsAre(Reason{1, "Resources"}));
  snap.now = 60 * kSecond;
  EXPECT_THAT(Victims(RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer()), 1), ElementsAre(7));
}

TEST(Preemption, OnlyTheQosTheJobMayPreempt) {
  Snapshot snap = Cluster({Running(7, kBurst, 0, 0, 8)});
  snap.pending = {Prod(1, 8), Plain(2, 8)};
  snap.pending[1].preempts = 1u << kScavenger;  // a burst job may not preempt burst
  Plan plan = RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer());
  EXPECT_THAT(plan.preemptions, IsEmpty());
  snap.pending = {Prod(1, 8, 1, /*also_burst=*/true)};
  EXPECT_THAT(Victims(RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer()), 1), ElementsAre(7));
}

TEST(Preemption, TheFewestCheapestVictims) {
  // Four 2-GPU scavengers; the one started last loses least, unless another
  // has lower priority.
  Snapshot snap =
      Cluster({Running(11, kScavenger, 0, 0, 2, 1), Running(12, kScavenger, 0, 2, 2, 2),
               Running(13, kScavenger, 0, 4, 2, 4), Running(14, kScavenger, 0, 6, 2, 3)});
  snap.pending = {Prod(1, 2)};
  EXPECT_THAT(Victims(RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer()), 1),
              ElementsAre(13));
  snap.running[0].priority = -5;
  EXPECT_THAT(Victims(RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer()), 1),
              ElementsAre(11));
  // Four GPUs: two victims, not the whole node.
  snap.running[0].priority = 0;
  snap.pending = {Prod(1, 4)};
  Plan plan = RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer());
  EXPECT_EQ(Victims(plan, 1).size(), 2u);
}

TEST(Preemption, AJobReleasedOnTheWayButNotInTheWayIsSpared) {
  // The cheaper scavenger (started later) is on node a, where a burst job
  // keeps the other half busy; only node b can hold a whole-node job, so
  // only b's scavenger goes.
  Snapshot snap = Cluster({Running(7, kScavenger, 0, 0, 4, 5), Running(8, kBurst, 0, 4, 4),
                           Running(9, kScavenger, 1, 0, 8, 1)},
                          2);
  snap.pending = {Prod(1, 8)};
  EXPECT_THAT(Victims(RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer()), 1), ElementsAre(9));
  EXPECT_EQ(snap.nodes[0].running_jobs, 2u);
}

TEST(Preemption, AJobAlreadyStoppingIsClaimedNotPreemptedAgain) {
  RunningJob stopping = Running(7, kScavenger, 0, 0, 8);
  stopping.preempting = true;
  Snapshot snap = Cluster({stopping, Running(8, kScavenger, 1, 0, 8)}, 2);
  snap.pending = {Prod(1, 8)};
  Plan plan = RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer());
  EXPECT_THAT(plan.preemptions, IsEmpty());
  EXPECT_THAT(plan.reasons, ElementsAre(Reason{1, "Preempting"}));
}

TEST(Preemption, TwoClaimantsNeverShareAVictim) {
  Snapshot snap = Cluster({Running(7, kScavenger, 0, 0, 4), Running(8, kScavenger, 0, 4, 4)});
  snap.pending = {Prod(1, 4), Prod(2, 4), Prod(3, 4)};
  Plan plan = RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer());
  ASSERT_EQ(plan.preemptions.size(), 2u);
  EXPECT_NE(plan.preemptions[0].victim, plan.preemptions[1].victim);
  EXPECT_NE(plan.preemptions[0].for_job, plan.preemptions[1].for_job);
  // The third finds nothing left to take.
  EXPECT_THAT(plan.reasons, ElementsAre(Reason{1, "Preempting"}, Reason{2, "Preempting"},
                                        Reason{3, "Resources"}));
}

TEST(Preemption, WhatTheClaimTakesFromFreeDevicesIsHeldForIt) {
  // Node a: GPUs 0-3 a scavenger's, 4-7 free. Node b: a burst job on 0-5.
  // Job 1 needs a whole node: it preempts on a and holds 4-7 there, so job
  // 2, lower in the queue, starts on b's last two GPUs, not on a's.
  Snapshot snap = Cluster({Running(7, kScavenger, 0, 0, 4), Running(8, kBurst, 1, 0, 6)}, 2);
  snap.pending = {Prod(1, 8), Plain(2, 2)};
  Plan plan =
      RunSchedulingCycle(snap, BackfillPolicy({0, 64, OptionChoice::kListed}), FirstFitPlacer());
  EXPECT_THAT(Victims(plan, 1), ElementsAre(7));
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].job_id, 2u);
  EXPECT_EQ(plan.starts[0].shares[0].node, "b");
  // The books come back with job 2 started and no hold: it was for this cycle only.
  EXPECT_EQ(snap.nodes[0].DevicesFree(), 4u);
  EXPECT_EQ(snap.nodes[0].running_jobs, 1u);
  EXPECT_EQ(snap.nodes[0].cpus_free, 31u);
  EXPECT_EQ(snap.nodes[1].DevicesFree(), 0u);
}

TEST(Preemption, AGangPreemptsOnEveryNodeOrNowhere) {
  Snapshot snap = Cluster({Running(7, kScavenger, 0, 0, 8), Running(8, kScavenger, 1, 0, 8)}, 2);
  snap.pending = {Prod(1, 8, 2)};
  EXPECT_THAT(Victims(RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer()), 1),
              ElementsAre(7, 8));
  // With node b's job not preemptible, stopping node a's alone cannot help.
  snap.running[1].qos = kBurst;
  Plan plan = RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer());
  EXPECT_THAT(plan.preemptions, IsEmpty());
  EXPECT_THAT(plan.reasons, ElementsAre(Reason{1, "Resources"}));
  EXPECT_EQ(snap.nodes[0].DevicesFree(), 0u);
  EXPECT_EQ(snap.nodes[0].running_jobs, 1u);
}

}  // namespace
}  // namespace tatami
