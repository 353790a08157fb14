#include "scheduler/cli/commands.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tatami {
namespace {

v1::AccountStanding Standing(double fair_share) {
  v1::AccountStanding a;
  a.set_account("acme");
  a.set_fair_share(fair_share);
  return a;
}

void AddDevices(v1::AccountStanding& a, const std::string& kind, uint32_t held, uint32_t quota,
                int64_t borrow) {
  v1::DeviceStanding* d = a.add_devices();
  d->set_kind(kind);
  d->set_in_use(held);
  d->set_quota(quota);
  d->set_borrow(borrow);
}

TEST(DescribeStanding, HeldAgainstQuotaAndBorrowLimitPerKind) {
  v1::AccountStanding a = Standing(0.6125);
  AddDevices(a, "h100", 12, 8, 4);
  AddDevices(a, "d1", 2, 0, -1);  // no quota, no limit: only what it holds
  DeviceColumns c = DeviceColumnsOf(a);
  EXPECT_EQ(c.held, "h100=12,d1=2");
  EXPECT_EQ(c.quota, "h100=8");
  EXPECT_EQ(c.borrow, "h100=4");
  EXPECT_EQ(DescribeStanding(a),
            "holds h100=12,d1=2 (quota h100=8, borrow limit h100=4); fair share 0.613");
}

TEST(DescribeStanding, AnAccountWithNothingHeldAndNoLimits) {
  EXPECT_EQ(DescribeStanding(Standing(1)), "holds nothing; fair share 1.000");
  v1::AccountStanding a = Standing(1);
  AddDevices(a, "h100", 0, 8, -1);
  EXPECT_EQ(DescribeStanding(a), "holds h100=0 (quota h100=8); fair share 1.000");
}

TEST(DescribeQosLimits, EachLimitWithWhatItCountsNow) {
  v1::QosInfo q;
  q.set_name("burst");
  q.set_max_jobs_per_user(-1);
  EXPECT_EQ(DescribeQosLimits(q, 1000), "");  // none
  q.set_max_jobs_per_user(3);
  q.set_user_jobs(2);
  EXPECT_EQ(DescribeQosLimits(q, 1000), "at most 3 running jobs per user (uid 1000 runs 2)");
  q.set_max_jobs_per_user(-1);
  v1::DeviceCount* per_user = q.add_max_devices_per_user();
  per_user->set_kind("h100");
  per_user->set_count(16);
  EXPECT_EQ(DescribeQosLimits(q, 7), "at most h100=16 per user (uid 7 holds none)");
  v1::DeviceCount* all = q.add_max_devices();
  all->set_kind("d1");
  all->set_count(0);
  v1::DeviceCount* held = q.add_devices_in_use();
  held->set_kind("d1");
  held->set_count(0);
  EXPECT_EQ(DescribeQosLimits(q, 7),
            "at most h100=16 per user (uid 7 holds none); at most d1=0 for all users together "
            "(they hold d1=0)");
}

TEST(JobFilterFlag, TakesTheJobFiltersAndLeavesTheRest) {
  Args args{"-j", "12,13_4", "-ualice", "--account=acme", "-p", "h100", "-t", "PD"};
  ArgReader r(args);
  v1::ListJobsRequest req;
  std::string error;
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(JobFilterFlag(r, req, &error)) << i;
  EXPECT_EQ(error, "");
  EXPECT_FALSE(JobFilterFlag(r, req, &error));  // -t is the command's own
  EXPECT_EQ(r.Next(), "-t");
  EXPECT_THAT(req.job_ids(), ::testing::ElementsAre(12, 13));
  EXPECT_EQ(req.users(0), "alice");
  EXPECT_EQ(req.accounts(0), "acme");
  EXPECT_EQ(req.partitions(0), "h100");
  Args bad{"-j", "x1"};
  ArgReader b(bad);
  EXPECT_TRUE(JobFilterFlag(b, req, &error));
  EXPECT_THAT(error, ::testing::HasSubstr("x1"));
  Args missing{"-u"};
  ArgReader m(missing);
  error.clear();
  EXPECT_TRUE(JobFilterFlag(m, req, &error));
  EXPECT_EQ(error, "option -u needs a value");
}

TEST(RecordFlag, TakesTheOutputFlagsAndLeavesTheRest) {
  Args args{"-n", "--csv", "-A", "acme", "--json", "-P"};
  ArgReader r(args);
  RecordOptions o;
  EXPECT_TRUE(RecordFlag(r, o));
  EXPECT_TRUE(o.no_header);
  EXPECT_TRUE(RecordFlag(r, o));
  EXPECT_EQ(o.format, RecordFormat::kCsv);
  EXPECT_FALSE(RecordFlag(r, o));  // -A is the command's own
  EXPECT_EQ(r.Next(), "-A");
  r.Next();
  EXPECT_TRUE(RecordFlag(r, o));
  EXPECT_EQ(o.format, RecordFormat::kJson);
  EXPECT_TRUE(RecordFlag(r, o));
  EXPECT_EQ(o.format, RecordFormat::kParsable);
  EXPECT_TRUE(r.Done());
}

}  // namespace
}  // namespace tatami
