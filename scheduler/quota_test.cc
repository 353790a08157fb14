// Account quotas in the scheduling cycle: guarantees, reclaim, borrow
// limits (accounts.h), and the anti-thrash rule for twice-preempted jobs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scheduler/policy.h"
#include "scheduler/scheduling_cycle.h"
#include "scheduler/test_nodes.h"

namespace tatami {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Reason = std::pair<uint64_t, std::string>;

constexpr uint32_t kAcme = 0, kGlobex = 1;  // account indices
constexpr uint32_t kScavenger = 0;          // QoS index

// acme: 8 H100 guaranteed, may borrow 8 more; globex: no quota.
Snapshot Cluster(std::vector<RunningJob> running = {}) {
  AccountConfig acme, globex;
  acme.name = "acme";
  acme.quota[size_t(AcceleratorKind::kH100)] = 8;
  acme.borrow[size_t(AcceleratorKind::kH100)] = 8;
  globex.name = "globex";
  Snapshot snap;
  snap.now = 50 * kSecond;
  snap.nodes = {testing::TestNode("a"), testing::TestNode("b")};
  snap.quotas = QuotaBooks(std::make_shared<AccountTree>(std::vector<AccountConfig>{acme, globex}));
  for (const RunningJob& r : running) {
    ApplyShares(r.shares, r.exclusive, snap.nodes);
    snap.quotas.Charge(r.account, AcceleratorKind::kH100, r.shares[0].devices.size());
  }
  snap.running = std::move(running);
  return snap;
}

PendingJob Job(uint64_t id, uint32_t account, uint32_t gpus) {
  PendingJob p;
  p.job_id = id;
  p.account = account;
  p.request.partition = "gpu";
  p.request.accel_kind = "h100";
  p.request.accel_per_node = gpus;
  p.time_limit = 100 * kSecond;
  return p;
}

RunningJob Running(uint64_t id, uint32_t account, uint32_t node, bool guaranteed,
                   uint32_t qos = kScavenger) {
  RunningJob r;
  r.job_id = id;
  r.account = account;
  r.guaranteed = guaranteed;
  r.qos = qos;
  r.expected_end = 1000 * kSecond;
  NodeShare s{node == 0 ? "a" : "b", 1, 1024, {0, 1, 2, 3, 4, 5, 6, 7}, node};
  r.shares = {s};
  return r;
}

TEST(Quota, StartsWithinQuotaAreGuaranteedAndTheRestBorrow) {
  Snapshot snap = Cluster();
  snap.pending = {Job(1, kAcme, 8), Job(2, kAcme, 8), Job(3, kGlobex, 8)};
  Plan plan = RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer());
  ASSERT_EQ(plan.starts.size(), 2u);
  EXPECT_EQ(plan.starts[0].job_id, 1u);
  EXPECT_TRUE(plan.starts[0].guaranteed);
  EXPECT_EQ(plan.starts[1].job_id, 2u);
  EXPECT_FALSE(plan.starts[1].guaranteed);  // acme's second 8 are borrowed
  EXPECT_EQ(snap.quotas.InUse(kAcme, AcceleratorKind::kH100), 16u);
}

TEST(Quota, AJobPastItsBorrowLimitWaitsWithAssocGrpGres) {
  Snapshot snap = Cluster({Running(7, kAcme, 0, true)});
  // 8 in use + 8 + 1 > quota 8 + borrow 8; the globex job behind it may start.
  snap.pending = {Job(1, kAcme, 8), Job(2, kAcme, 1), Job(3, kGlobex, 4)};
  Plan plan = RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer());
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].job_id, 1u);
  EXPECT_THAT(plan.reasons, Contains(Reason{2, "AssocGrpGRES"}));
  // The job at its limit does not hold back its partition: it waits for its
  // own account, not for resources.
  EXPECT_THAT(plan.reasons, Contains(Reason{3, "Resources"}));
}

// acme is at its H100 limit; its job also accepts an HW4 board, which no
// limit caps but none of which is free: it waits for resources, not for
// its account, and holds back its partition as such a job does.
TEST(Quota, AJobThatOneOptionKeepsWithinItsLimitsWaitsForResources) {
  Snapshot snap = Cluster({Running(7, kAcme, 0, true), Running(8, kAcme, 1, false)});
  PendingJob job = Job(1, kAcme, 1);
  JobOption hw4{job.request, 1.0};
  hw4.request.accel_kind = "hw4";
  job.alternatives.push_back(hw4);
  snap.pending = {job, Job(2, kAcme, 1)};
  Plan plan = RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer());
  EXPECT_THAT(plan.starts, IsEmpty());
  EXPECT_THAT(plan.reasons, ElementsAre(Reason{1, "Resources"}, Reason{2, "Priority"}));
}

TEST(Quota, AJobWithinItsQuotaReclaimsFromABorrowingAccount) {
  // globex borrowed both nodes; acme's job fits its guarantee.
  Snapshot snap = Cluster({Running(7, kGlobex, 0, false), Running(8, kGlobex, 1, false)});
  snap.running[1].start = 10 * kSecond;  // the cheaper victim: started later
  snap.pending = {Job(1, kAcme, 8)};
  Plan plan = RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer());
  EXPECT_THAT(plan.starts, IsEmpty());
  ASSERT_EQ(plan.preemptions.size(), 1u);
  EXPECT_EQ(plan.preemptions[0].victim, 8u);
  EXPECT_THAT(plan.reasons, ElementsAre(Reason{1, "Preempting"}));
}

// As above, but globex's job 2 (higher priority, borrowing) came first and
// reserved node b, where job 8 ends at t=100. acme's reclaim stops job 7 on
// node a instead, though job 8 started later: job 2 keeps its start.
TEST(Quota, AReclaimSparesTheNodesAnEarlierJobHasReserved) {
  Snapshot snap = Cluster({Running(7, kGlobex, 0, false), Running(8, kGlobex, 1, false)});
  snap.running[1].start = 10 * kSecond;
  snap.running[1].expected_end = 100 * kSecond;
  PendingJob first = Job(2, kGlobex, 8);
  first.priority = 10;
  snap.pending = {first, Job(1, kAcme, 8)};
  snap.backfill_pass = true;
  Plan plan = RunSchedulingCycle(snap, BackfillPolicy({}), FirstFitPlacer());
  ASSERT_EQ(plan.reservations.size(), 1u);
  EXPECT_EQ(plan.reservations[0].job_id, 2u);
  EXPECT_EQ(plan.reservations[0].start, 100 * kSecond);
  EXPECT_EQ(plan.reservations[0].shares[0].node, "b");
  ASSERT_EQ(plan.preemptions.size(), 1u);
  EXPECT_EQ(plan.preemptions[0].victim, 7u);
  EXPECT_THAT(plan.reasons, ElementsAre(Reason{2, "Resources"}, Reason{1, "Preempting"}));
  // A claimant that ends (t=50+40) before the reservation starts (t=100)
  // delays nothing on b: the cheaper victim, job 8, goes.
  snap = Cluster({Running(7, kGlobex, 0, false), Running(8, kGlobex, 1, false)});
  snap.running[1].start = 10 * kSecond;
  snap.running[1].expected_end = 100 * kSecond;
  PendingJob brief = Job(1, kAcme, 8);
  brief.time_limit = 40 * kSecond;
  snap.pending = {first, brief};
  snap.backfill_pass = true;
  plan = RunSchedulingCycle(snap, BackfillPolicy({}), FirstFitPlacer());
  ASSERT_EQ(plan.preemptions.size(), 1u);
  EXPECT_EQ(plan.preemptions[0].victim, 8u);
}

TEST(Quota, AGuaranteedJobIsNeverPreemptedEvenByAQosThatPreemptsItsQos) {
  Snapshot snap = Cluster({Running(7, kAcme, 0, true), Running(8, kAcme, 1, true)});
  PendingJob prod = Job(1, kGlobex, 8);
  prod.preempts = 1u << kScavenger;
  snap.pending = {prod};
  Plan plan = RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer());
  EXPECT_THAT(plan.preemptions, IsEmpty());
  EXPECT_THAT(plan.reasons, ElementsAre(Reason{1, "Resources"}));
}

TEST(Quota, NoReclaimFromTheSameAccountNorBeyondTheQuota) {
  // acme borrows node b; acme's next job within quota may not take it back
  // from itself, and a borrowing job (over quota) reclaims nothing.
  Snapshot snap = Cluster({Running(7, kAcme, 0, true), Running(8, kAcme, 1, false)});
  snap.quotas.Charge(kAcme, AcceleratorKind::kH100, -16);  // pretend acme has room again
  snap.pending = {Job(1, kAcme, 8)};
  Plan plan = RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer());
  EXPECT_THAT(plan.preemptions, IsEmpty());
  Snapshot over = Cluster({Running(7, kGlobex, 0, false), Running(8, kGlobex, 1, false)});
  over.pending = {Job(1, kAcme, 16)};  // 16 > quota 8: would borrow
  plan = RunSchedulingCycle(over, FifoPolicy(), FirstFitPlacer());
  EXPECT_THAT(plan.preemptions, IsEmpty());
}

TEST(AntiThrash, AJobPreemptedTwiceWaitsWhileAJobThatMayPreemptItIsPending) {
  Snapshot snap = Cluster({Running(7, kGlobex, 0, false, /*qos=*/5)});
  PendingJob thrashed = Job(1, kGlobex, 8);
  thrashed.qos = kScavenger;
  thrashed.preempted_in_a_row = 2;
  PendingJob prod = Job(2, kGlobex, 16);  // cannot fit: stays pending
  prod.preempts = 1u << kScavenger;
  snap.pending = {thrashed, prod};
  Plan plan = RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer());
  EXPECT_THAT(plan.starts, IsEmpty());
  EXPECT_THAT(plan.reasons, Contains(Reason{1, "PreemptedTwice"}));
  // Once nothing pending may preempt it, it starts; once preempted only once, it starts anyway.
  snap = Cluster({Running(7, kGlobex, 0, false, 5)});
  snap.pending = {thrashed};
  plan = RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer());
  EXPECT_EQ(plan.starts.size(), 1u);
  thrashed.preempted_in_a_row = 1;
  snap = Cluster({Running(7, kGlobex, 0, false, 5)});
  snap.pending = {thrashed, prod};
  plan = RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer());
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].job_id, 1u);
}

// A QoS that nothing preempts, but whose jobs run above quota as one that
// is (reserved -> burst): a job of it preempted twice was borrowing both
// times, and waits as a burst job would.
TEST(AntiThrash, AJobIsJudgedByTheQosItRunsAsAboveQuota) {
  constexpr uint32_t kReserved = 3;
  PendingJob thrashed = Job(1, kGlobex, 8);
  thrashed.qos = kReserved;
  thrashed.qos_above_quota = kScavenger;
  thrashed.preempted_in_a_row = 2;
  PendingJob prod = Job(2, kGlobex, 16);
  prod.preempts = 1u << kScavenger;
  Snapshot snap = Cluster({Running(7, kGlobex, 0, false, 5)});
  snap.pending = {thrashed, prod};
  Plan plan = RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer());
  EXPECT_THAT(plan.starts, IsEmpty());
  EXPECT_THAT(plan.reasons, Contains(Reason{1, "PreemptedTwice"}));
  thrashed.qos_above_quota = UINT32_MAX;  // reserved all the way: nothing preempts it
  snap = Cluster({Running(7, kGlobex, 0, false, 5)});
  snap.pending = {thrashed, prod};
  plan = RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer());
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].job_id, 1u);
}

}  // namespace
}  // namespace tatami
