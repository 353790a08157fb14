#include "scheduler/fair_share.h"

#include <gtest/gtest.h>

#include <cmath>

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

// The cluster of the priority tests: 64 H100-equivalents, partitions
// "gpu" (priority 5) and "big" (10), QoS normal (0), burst (10), fsd-prod (1000).
ClusterConfig PriorityCluster() {
  ClusterConfig config;
  for (auto [name, priority] : {std::pair{"normal", 0}, {"burst", 10}, {"fsd-prod", 1000}}) {
    QosConfig q;
    q.name = name;
    q.priority = priority;
    config.qos.push_back(q);
  }
  config.partitions = {{"gpu", {}, false, 0, 0, 1024, 5}, {"big", {}, false, 0, 0, 1024, 10}};
  return config;
}

PendingJob SixteenGpus(uint32_t qos) {
  PendingJob job;
  job.account = 1;
  job.qos = qos;
  job.request.partition = "gpu";
  job.request.accel_kind = "h100";
  job.request.accel_per_node = 16;
  return job;
}

TEST(Priority, WeightedSumOfNormalizedFactors) {
  ClusterConfig config = PriorityCluster();
  config.priority = {1000, 10000, 100, 400, 2000, kDay, 0, 0};
  MultifactorPriority prio(config, 64);
  prio.SetFairShare({1.0, 0.25});
  PendingJob job = SixteenGpus(/*burst*/ 1);
  job.qos = 2;  // fsd-prod
  PriorityFactors f = prio.Factors(job, kDay / 2);
  EXPECT_DOUBLE_EQ(f.age, 0.5);
  EXPECT_DOUBLE_EQ(f.fair_share, 0.25);
  EXPECT_DOUBLE_EQ(f.job_size, 0.25);
  EXPECT_DOUBLE_EQ(f.partition, 0.5);
  EXPECT_DOUBLE_EQ(f.qos, 1.0);
  EXPECT_EQ(prio.Priority(job, kDay / 2), 500 + 2500 + 25 + 200 + 2000);
  EXPECT_EQ(DescribePriority(config.priority, f),
            "age 0.50 x 1000 + fair_share 0.25 x 10000 + job_size 0.25 x 100 + partition 0.50 x "
            "400 + qos 1.00 x 2000 = 5225");
  // Age stops at max_age; no account (or one without usage figures) gets 1.
  job.account = kNoAccount;
  f = prio.Factors(job, 3 * kDay);
  EXPECT_DOUBLE_EQ(f.age, 1.0);
  EXPECT_DOUBLE_EQ(f.fair_share, 1.0);
}

// --nice is not a factor: it comes off the weighted sum, as Slurm's, and
// only within Slurm's range.
TEST(Priority, NiceIsSubtractedFromTheWeightedFactors) {
  ClusterConfig config = PriorityCluster();
  config.priority = {1000, 0, 0, 0, 0, kDay, 0, 0};
  MultifactorPriority prio(config, 64);
  PendingJob job = SixteenGpus(0);
  job.nice = 100;
  EXPECT_EQ(prio.Priority(job, kDay / 2), 500 - 100);
  EXPECT_EQ(DescribePriority(config.priority, prio.Factors(job, kDay / 2)),
            "age 0.50 x 1000 - nice 100 = 400");
  job.nice = -50;
  EXPECT_EQ(DescribePriority(config.priority, prio.Factors(job, kDay / 2)),
            "age 0.50 x 1000 + nice 50 = 550");
  config.priority.age_weight = 0;
  EXPECT_EQ(DescribePriority(config.priority, prio.Factors(job, 0)), "0 + nice 50 = 50");

  EXPECT_EQ(*ParseNice("-2147483645", "--nice"), -2147483645);
  EXPECT_EQ(*ParseNice("100", "Nice"), 100);
  for (const char* bad : {"", "-", "2147483646", "1e3", "+5", "--1"}) {
    Result<int32_t> r = ParseNice(bad, "Nice");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().message, "Nice: '" + std::string(bad) +
                                     "' is not a nice value (want an integer from -2147483645 "
                                     "to 2147483645)");
  }
}

TEST(Priority, SmallJobsComeFirstOnALogScaleOfDeviceTime) {
  ClusterConfig config = PriorityCluster();
  config.priority = {0, 0, 0, 0, 0, kDay, 0, 1000};
  // 64 H100: the whole cluster for 30 days is 64 x 43,200 device-minutes.
  MultifactorPriority prio(config, 64);
  PendingJob job = SixteenGpus(0);
  double most = std::log(64.0 * 43'200);
  job.time_limit = kHour;
  EXPECT_NEAR(prio.Factors(job, 0).small_jobs, 1 - std::log(16.0 * 60) / most, 1e-12);
  PendingJob one = job;
  one.request.accel_per_node = 1;
  one.time_limit = 30 * kSecond;  // counts as a minute: the factor's top
  EXPECT_DOUBLE_EQ(prio.Factors(one, 0).small_jobs, 1.0);
  PendingJob longer = job;
  longer.time_limit = 10 * kHour;
  EXPECT_LT(prio.Priority(longer, 0), prio.Priority(job, 0));
  EXPECT_LT(prio.Priority(job, 0), prio.Priority(one, 0));
  // Unlimited, or more than the whole cluster for a month: 0.
  job.time_limit = 0;
  EXPECT_EQ(prio.Factors(job, 0).small_jobs, 0);
  job.time_limit = 365 * kDay;
  EXPECT_EQ(prio.Factors(job, 0).small_jobs, 0);
  EXPECT_EQ(DescribePriority(config.priority, prio.Factors(one, 0)),
            "small_jobs 1.00 x 1000 = 1000");
}

TEST(Priority, WithoutAPrioritySectionTheQosPriorityOrdersAsBefore) {
  ClusterConfig config = PriorityCluster();
  MultifactorPriority prio(config, 64);
  prio.SetFairShare({0.1, 0.1});
  EXPECT_EQ(prio.Priority(SixteenGpus(2), kDay), 1000);
  EXPECT_EQ(prio.Priority(SixteenGpus(1), kDay), 10);
  EXPECT_EQ(prio.Priority(SixteenGpus(0), kDay), 0);
  EXPECT_EQ(prio.Priority(SixteenGpus(QosTable::kNone), kDay), 0);
}

}  // namespace
}  // namespace tatami
