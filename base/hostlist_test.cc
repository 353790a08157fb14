#include "base/hostlist.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tatami {
namespace {

using ::testing::ElementsAre;

TEST(Hostlist, ExpandsRangesKeepingZeroPadding) {
  auto r = ExpandHostlist("gpu[008-010,013],login");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_THAT(*r, ElementsAre("gpu008", "gpu009", "gpu010", "gpu013", "login"));
}

TEST(Hostlist, ExpandsPlainNamesAndEmpty) {
  EXPECT_THAT(*ExpandHostlist("a,b"), ElementsAre("a", "b"));
  EXPECT_TRUE(ExpandHostlist("")->empty());
}

TEST(Hostlist, ExpandsTwoDimensions) {
  EXPECT_THAT(*ExpandHostlist("r[1-2]n[1-2]"), ElementsAre("r1n1", "r1n2", "r2n1", "r2n2"));
}

TEST(Hostlist, RejectsBadExpressionsNamingThePiece) {
  auto r = ExpandHostlist("gpu[3-1]");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("'3-1'"));
  EXPECT_FALSE(ExpandHostlist("gpu[1-2").ok());
  EXPECT_FALSE(ExpandHostlist("gpu1-2]").ok());
  EXPECT_FALSE(ExpandHostlist("gpu[a]").ok());
  EXPECT_FALSE(ExpandHostlist("a,,b").ok());
}

// A million names at most, however they are asked for: one range, ranges
// that multiply, or many ranges that add up.
TEST(Hostlist, RefusesToNameMoreThanAMillionHosts) {
  EXPECT_EQ(ExpandHostlist("n[1-1000000]")->size(), 1'000'000u);
  for (const char* expr : {"n[0-1000000]", "n[0-999999]x[0-999999]", "r[1-2]n[0-500000]",
                           "n[1-600000],m[1-600000]", "n[1-900000,1-900000]"}) {
    auto r = ExpandHostlist(expr);
    ASSERT_FALSE(r.ok()) << expr;
    EXPECT_THAT(r.error().message, ::testing::HasSubstr("names more than 1000000 hosts")) << expr;
  }
  EXPECT_EQ(ExpandHostlist("r[1-2]n[1-499999],m1,m2")->size(), 1'000'000u);
}

TEST(Hostlist, CompressesRunsAndRoundTrips) {
  std::vector<std::string> names{"gpu001", "gpu002", "gpu003", "gpu005", "login", "x7"};
  std::string expr = CompressHostlist(names);
  EXPECT_EQ(expr, "gpu[001-003,005],login,x7");
  EXPECT_EQ(*ExpandHostlist(expr), names);
}

TEST(Hostlist, CompressKeepsDifferentWidthsApart) {
  EXPECT_EQ(CompressHostlist({"n9", "n10"}), "n9,n10");
  EXPECT_EQ(CompressHostlist({"n09", "n10"}), "n[09-10]");
}

}  // namespace
}  // namespace tatami
