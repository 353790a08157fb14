#include "scheduler/qos_table.h"

#include <gtest/gtest.h>

namespace tatami {
namespace {

QosTable Tiers() {
  return QosTable({QosConfig{"fsd-prod", 1000, {"burst", "scavenger"}, 0, 0, true, ""},
                   QosConfig{"burst", 10, {"scavenger"}, 2 * kMinute, 10 * kMinute, true, ""},
                   QosConfig{"scavenger", 0, {}, 30 * kSecond, 0, false, ""}});
}

TEST(QosTable, IndicesMasksAndRules) {
  QosTable t = Tiers();
  EXPECT_EQ(*t.Find("scavenger"), 2u);
  EXPECT_EQ(t.PreemptMask(*t.Find("fsd-prod")), 0b110u);
  EXPECT_EQ(t.PreemptMask(*t.Find("burst")), 0b100u);
  EXPECT_EQ(t.PreemptMask(*t.Find("scavenger")), 0u);
  EXPECT_FALSE(t.Preemptible(0));
  EXPECT_TRUE(t.Preemptible(1));
  EXPECT_TRUE(t.Preemptible(2));
  EXPECT_EQ(t.Priority(0), 1000);
  EXPECT_EQ(t.GraceTime(1), 2 * kMinute);
  EXPECT_EQ(t.MinRuntime(1), 10 * kMinute);
  EXPECT_FALSE(t.RequeueOnPreempt(2));
}

TEST(QosTable, NoQosPreemptsNothingAndIsNeverPreempted) {
  QosTable t = Tiers();
  EXPECT_EQ(*t.Find(""), QosTable::kNone);
  EXPECT_EQ(t.PreemptMask(QosTable::kNone), 0u);
  EXPECT_FALSE(t.Preemptible(QosTable::kNone));
  EXPECT_EQ(t.Priority(QosTable::kNone), 0);
  EXPECT_EQ(t.GraceTime(QosTable::kNone), 0);
  EXPECT_TRUE(t.RequeueOnPreempt(QosTable::kNone));
}

TEST(QosTable, AJobAboveItsQuotaRunsAsItsQosAboveQuota) {
  QosConfig reserved{"reserved", 100, {"scavenger"}, 0, 0, true, "burst"};
  QosTable t({QosConfig{"burst", 10, {"scavenger"}, 2 * kMinute, 10 * kMinute, true, ""}, reserved,
              QosConfig{"scavenger", 0, {}, 30 * kSecond, 0, false, ""}});
  EXPECT_EQ(t.RunsAs(1, /*within_quota=*/true), 1u);
  EXPECT_EQ(t.RunsAs(1, /*within_quota=*/false), 0u);
  EXPECT_EQ(t.Name(t.RunsAs(1, false)), "burst");
  EXPECT_EQ(t.RunsAs(0, false), 0u);  // no above_quota: itself
  EXPECT_EQ(t.RunsAs(QosTable::kNone, false), QosTable::kNone);
  EXPECT_EQ(t.Name(QosTable::kNone), "");
}

TEST(QosTable, AnUnknownNameListsTheConfiguredOnes) {
  auto q = Tiers().Find("gold");
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().message, "unknown qos 'gold' (configured: fsd-prod, burst, scavenger)");
  auto none = QosTable({}).Find("gold");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message, "unknown qos 'gold' (configured: none)");
}

}  // namespace
}  // namespace tatami
