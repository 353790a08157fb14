// QoS limits (qos_limits.h): the books alone, then in the scheduling cycle.
#include "scheduler/qos_limits.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scheduler/qos_table.h"
#include "scheduler/scheduling_cycle.h"
#include "scheduler/test_nodes.h"

namespace tatami {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Reason = std::pair<uint64_t, std::string>;

constexpr AcceleratorKind kH100 = AcceleratorKind::kH100;
constexpr uint32_t kBurst = 0, kReserved = 1, kFree = 2;  // QoS indices
constexpr uint32_t kAlice = 1001, kBob = 1002;            // users

// burst: 2 jobs and 8 H100 per user, 12 H100 for all; reserved runs as
// burst above its quota and has no limits of its own; free has none.
std::vector<QosConfig> Tiers() {
  QosConfig burst, reserved, free;
  burst.name = "burst";
  burst.max_jobs_per_user = 2;
  burst.max_devices_per_user[size_t(kH100)] = 8;
  burst.max_devices[size_t(kH100)] = 12;
  reserved.name = "reserved";
  reserved.above_quota = "burst";
  free.name = "free";
  return {burst, reserved, free};
}

TEST(QosLimits, CountsJobsAndDevicesPerUserAndForAllUsers) {
  QosLimits books(Tiers());
  EXPECT_TRUE(books.any());
  EXPECT_EQ(books.Check(kBurst, kAlice, kH100, 8), nullptr);
  EXPECT_STREQ(books.Check(kBurst, kAlice, kH100, 9), kQosDevicesPerUser);
  books.Charge(kBurst, kAlice, kH100, 4, 1);
  books.Charge(kBurst, kAlice, kH100, 2, 1);
  EXPECT_STREQ(books.Check(kBurst, kAlice, kH100, 1), kQosJobsPerUser);  // her third job
  EXPECT_EQ(books.Check(kBurst, kBob, kH100, 6), nullptr);
  EXPECT_STREQ(books.Check(kBurst, kBob, kH100, 7), kQosDevices);  // 6 + 7 > 12 for all
  EXPECT_EQ(books.JobsOf(kBurst, kAlice), 2u);
  EXPECT_EQ(books.DevicesOf(kBurst, kAlice, kH100), 6u);
  EXPECT_EQ(books.Devices(kBurst, kH100), 6u);
  // A job ends: room again.
  books.Charge(kBurst, kAlice, kH100, -4, -1);
  EXPECT_EQ(books.Check(kBurst, kAlice, kH100, 6), nullptr);
  EXPECT_EQ(books.Devices(kBurst, kH100), 2u);
}

TEST(QosLimits, AQosWithoutLimitsIsNeitherCheckedNorCounted) {
  QosLimits books(Tiers());
  books.Charge(kFree, kAlice, kH100, 1000, 50);
  EXPECT_EQ(books.Check(kFree, kAlice, kH100, 1000), nullptr);
  EXPECT_EQ(books.JobsOf(kFree, kAlice), 0u);
  EXPECT_EQ(books.Check(QosTable::kNone, kAlice, kH100, 1000), nullptr);
  EXPECT_FALSE(QosLimits().any());
  EXPECT_FALSE(QosLimits({QosConfig{}}).any());
}

TEST(QosLimits, AJobThatNoLimitEverAdmitsIsNamedWithTheLimit) {
  std::vector<QosConfig> tiers = Tiers();
  EXPECT_EQ(NeverWithinLimits(tiers[kBurst], kH100, 8), "");
  EXPECT_EQ(NeverWithinLimits(tiers[kBurst], AcceleratorKind::kHw4, 64), "");
  EXPECT_EQ(NeverWithinLimits(tiers[kBurst], kH100, 9),
            "qos burst allows at most 8 h100 per user (max_devices_per_user); the job asks for 9");
  tiers[kBurst].max_devices_per_user = kNoKindLimits;
  EXPECT_EQ(NeverWithinLimits(tiers[kBurst], kH100, 13),
            "qos burst allows at most 12 h100 for all its users together (max_devices); the job "
            "asks for 13");
  tiers[kBurst].max_jobs_per_user = 0;
  EXPECT_EQ(NeverWithinLimits(tiers[kBurst], AcceleratorKind::kNone, 0),
            "qos burst allows no running jobs (max_jobs_per_user: 0)");
  EXPECT_EQ(NeverWithinLimits(tiers[kFree], kH100, 100000), "");
}

// One node's worth of H100 per job, on four nodes.
Snapshot Cluster() {
  Snapshot snap;
  snap.now = 50 * kSecond;
  for (const char* name : {"a", "b", "c", "d"}) snap.nodes.push_back(testing::TestNode(name));
  snap.qos_limits = QosLimits(Tiers());
  return snap;
}

PendingJob Job(uint64_t id, uint32_t user, uint32_t gpus, uint32_t qos = kBurst) {
  PendingJob p;
  p.job_id = id;
  p.user = user;
  p.qos = qos;
  p.request.partition = "gpu";
  p.request.accel_kind = "h100";
  p.request.accel_per_node = gpus;
  p.time_limit = 100 * kSecond;
  return p;
}

TEST(QosLimits, TheCycleCountsItsOwnStartsAndAJobAtALimitHoldsNoOneBack) {
  Snapshot snap = Cluster();
  // Alice's two 4-GPU jobs fill her per-user device limit of 8; her third
  // waits for her own jobs, and Bob's job behind it starts.
  snap.pending = {Job(1, kAlice, 4), Job(2, kAlice, 4), Job(3, kAlice, 1), Job(4, kBob, 4),
                  Job(5, kBob, 4)};
  Plan plan = RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer());
  std::vector<uint64_t> started;
  for (const PlannedStart& s : plan.starts) started.push_back(s.job_id);
  EXPECT_THAT(started, ElementsAre(1, 2, 4));
  EXPECT_THAT(plan.reasons, ElementsAre(Reason{3, kQosJobsPerUser}, Reason{5, kQosDevices}));
  EXPECT_EQ(snap.qos_limits.Devices(kBurst, kH100), 12u);
  EXPECT_EQ(snap.qos_limits.JobsOf(kBurst, kAlice), 2u);
}

TEST(QosLimits, AJobAboveItsQuotaIsHeldToTheLimitsOfTheQosItWouldRunAs) {
  AccountConfig acme;
  acme.name = "acme";
  acme.quota[size_t(kH100)] = 8;
  auto accounts = std::make_shared<AccountTree>(std::vector<AccountConfig>{acme});
  Snapshot snap = Cluster();
  snap.quotas = QuotaBooks(accounts);
  PendingJob within = Job(1, kAlice, 8, kReserved);
  within.account = 0;
  within.qos_above_quota = kBurst;
  PendingJob above = within;
  above.job_id = 2;
  PendingJob third = within;
  third.job_id = 3;
  // Alice already runs 8 H100 as burst: her reserved job within quota is
  // not burst, her second (above quota) would be.
  snap.qos_limits.Charge(kBurst, kAlice, kH100, 8, 1);
  snap.pending = {within, above};
  Plan plan = RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer());
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].job_id, 1u);
  EXPECT_TRUE(plan.starts[0].guaranteed);
  EXPECT_THAT(plan.reasons, ElementsAre(Reason{2, kQosDevicesPerUser}));
  EXPECT_EQ(snap.qos_limits.DevicesOf(kBurst, kAlice, kH100), 8u);  // job 1 is not burst's
}

TEST(QosLimits, AnotherKindWithinTheLimitsStartsAndAJobAtItsLimitsPreemptsNothing) {
  Snapshot snap = Cluster();
  snap.nodes.push_back(testing::TestNode("hw", AcceleratorKind::kHw4));
  snap.qos_limits.Charge(kBurst, kAlice, kH100, 8, 1);
  PendingJob job = Job(1, kAlice, 4);
  JobOption board{job.request, 0.5};
  board.request.accel_kind = "hw4";
  job.alternatives.push_back(board);
  snap.pending = {job};
  Plan plan = RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer());
  ASSERT_EQ(plan.starts.size(), 1u);
  EXPECT_EQ(plan.starts[0].option, 1u);  // the boards: burst limits no hw4
  // Every node busy with a job it may preempt: at its limit, it still waits.
  snap = Cluster();
  snap.qos_limits.Charge(kBurst, kAlice, kH100, 8, 1);
  for (uint32_t n = 0; n < snap.nodes.size(); ++n) {
    RunningJob victim;
    victim.job_id = 10 + n;
    victim.qos = kFree;
    victim.expected_end = 1000 * kSecond;
    victim.shares = {{snap.nodes[n].name, 1, 1024, {0, 1, 2, 3, 4, 5, 6, 7}, n}};
    ApplyShares(victim.shares, false, snap.nodes);
    snap.running.push_back(victim);
  }
  PendingJob preemptor = Job(2, kAlice, 4);
  preemptor.preempts = 1u << kFree;
  snap.pending = {preemptor, Job(3, kBob, 4)};
  snap.pending[1].preempts = 1u << kFree;
  plan = RunSchedulingCycle(snap, FifoPolicy(), FirstFitPlacer());
  ASSERT_EQ(plan.preemptions.size(), 1u);
  EXPECT_EQ(plan.preemptions[0].for_job, 3u);  // Bob's, not Alice's
  EXPECT_THAT(plan.reasons, Contains(Reason{2, kQosDevicesPerUser}));
  EXPECT_THAT(plan.starts, IsEmpty());
}

}  // namespace
}  // namespace tatami
