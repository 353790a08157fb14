#include "scheduler/cli/commands.h"

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
