#include "scheduler/fair_share.h"

#include <gtest/gtest.h>

#include "scheduler/priority.h"

namespace tatami {
namespace {

constexpr DurationMs kHalfLife = kHour;

TEST(FairShareUsage, UsageHalvesEveryHalfLife) {
  FairShareUsage usage(kHalfLife);
  // 1 device for one second, a moment ago: about 1 device-second.
  usage.AddRun(0, 1.0, 0, kSecond);
  EXPECT_NEAR(usage.UsageAt(kSecond, 1)[0], 1.0, 1e-3);
  EXPECT_NEAR(usage.UsageAt(kSecond + kHalfLife, 1)[0], 0.5, 1e-3);
  EXPECT_NEAR(usage.UsageAt(kSecond + 2 * kHalfLife, 1)[0], 0.25, 1e-3);
  // A run added later, from further back, is weighed as of now.
  usage.AddRun(1, 2.0, 0, kSecond);
  EXPECT_NEAR(usage.UsageAt(kSecond + kHalfLife, 2)[1], 1.0, 1e-3);
}

TEST(FairShareUsage, RunningJobsCountUntilNowAndNoHalfLifeMeansNoDecay) {
  FairShareUsage usage(0);
  usage.AddRun(0, 8.0, 0, 10 * kSecond);
  std::vector<double> at = usage.UsageAt(kDay, 2, {{1, 4.0, kDay - 5 * kSecond}});
  EXPECT_DOUBLE_EQ(at[0], 80.0);
  EXPECT_DOUBLE_EQ(at[1], 20.0);
  // Accounts beyond those charged read 0; kNoAccount is not charged.
  usage.AddRun(kNoAccount, 1.0, 0, kSecond);
  EXPECT_EQ(usage.UsageAt(kDay, 3)[2], 0.0);
}

TEST(FairShareFactors, OneForNoUsageHalfForExactlyTheShareLowerForMore) {
  AccountConfig fsd, acme, vision;
  fsd.name = "fsd";
  fsd.shares = 3;
  acme.name = "acme";
  vision.name = "vision";
  vision.parent = "fsd";
  AccountTree tree({fsd, acme, vision});
  EXPECT_EQ(FairShareFactors(tree, {0, 0, 0}), (std::vector<double>{1, 1, 1}));
  // fsd (shares 0.75) used 75% through its child; acme 25%: both exactly their share.
  std::vector<double> f = FairShareFactors(tree, {0, 25, 75});
  EXPECT_DOUBLE_EQ(f[0], 0.5);
  EXPECT_DOUBLE_EQ(f[1], 0.5);
  EXPECT_DOUBLE_EQ(f[2], 0.5);
  // acme used everything: 2^-4; fsd nothing: 1.
  f = FairShareFactors(tree, {0, 10, 0});
  EXPECT_DOUBLE_EQ(f[0], 1.0);
  EXPECT_DOUBLE_EQ(f[1], 1.0 / 16);
}

TEST(Priority, WeightedSumOfNormalizedFactors) {
  PriorityConfig c;
  c.age_weight = 1000;
  c.fair_share_weight = 10000;
  c.job_size_weight = 100;
  c.partition_weight = 0;
  c.qos_weight = 2000;
  c.max_age = kDay;
  PriorityScale scale{/*max_qos_priority=*/1000, /*max_partition_priority=*/0, /*capacity=*/64};
  PriorityFactors f = FactorsOf(c, scale, /*submit=*/0, /*now=*/kDay / 2, /*fair_share=*/0.25,
                                /*capacity=*/16, /*partition_priority=*/5, /*qos_priority=*/500);
  EXPECT_DOUBLE_EQ(f.age, 0.5);
  EXPECT_DOUBLE_EQ(f.fair_share, 0.25);
  EXPECT_DOUBLE_EQ(f.job_size, 0.25);
  EXPECT_DOUBLE_EQ(f.partition, 0.0);
  EXPECT_DOUBLE_EQ(f.qos, 0.5);
  EXPECT_EQ(Weighted(c, f), 500 + 2500 + 25 + 1000);
  EXPECT_EQ(DescribePriority(c, f),
            "age 0.50 x 1000 + fair_share 0.25 x 10000 + job_size 0.25 x 100 + qos 0.50 x 2000 "
            "= 4025");
  // Age stops at max_age; a negative QoS priority counts 0.
  f = FactorsOf(c, scale, 0, 3 * kDay, 1, 0, 0, -10);
  EXPECT_DOUBLE_EQ(f.age, 1.0);
  EXPECT_DOUBLE_EQ(f.qos, 0.0);
}

TEST(Priority, WithoutAPrioritySectionTheQosPriorityOrdersAsBefore) {
  ClusterConfig config;
  for (auto [name, priority] : {std::pair{"normal", 0}, {"burst", 10}, {"fsd-prod", 1000}}) {
    QosConfig q;
    q.name = name;
    q.priority = priority;
    config.qos.push_back(q);
  }
  PriorityScale scale = PriorityScaleOf(config, 64);
  auto prio = [&](int64_t qos) {
    return Weighted(config.priority, FactorsOf(config.priority, scale, 0, kDay, 0.1, 8, 0, qos));
  };
  EXPECT_EQ(prio(1000), 1000);
  EXPECT_EQ(prio(10), 10);
  EXPECT_EQ(prio(0), 0);
}

}  // namespace
}  // namespace tatami
