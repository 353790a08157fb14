#include "base/strings.h"

#include <gtest/gtest.h>

namespace tatami {
namespace {

TEST(Memory, ParsesSuffixesToMiB) {
  EXPECT_EQ(*ParseMemoryMiB("512", "--mem"), 512);
  EXPECT_EQ(*ParseMemoryMiB("80G", "--mem"), 80 * 1024);
  EXPECT_EQ(*ParseMemoryMiB("2T", "--mem"), 2 * 1024 * 1024);
  EXPECT_EQ(*ParseMemoryMiB("1536K", "--mem"), 2);  // rounds up
}

TEST(Memory, RejectsBadSizes) {
  auto r = ParseMemoryMiB("12X", "--mem");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("--mem"), std::string::npos);
  EXPECT_FALSE(ParseMemoryMiB("lots", "--mem").ok());
  EXPECT_FALSE(ParseMemoryMiB("", "--mem").ok());
}

TEST(Count, FromOneToAMillion) {
  EXPECT_EQ(*ParseCount("1", "-N"), 1u);
  EXPECT_EQ(*ParseCount("1000000", "-N"), 1'000'000u);
  for (const char* bad : {"0", "-3", "1000001", "two", ""}) {
    auto n = ParseCount(bad, "--ntasks");
    ASSERT_FALSE(n.ok()) << bad;
    EXPECT_EQ(n.error().message, std::string("--ntasks: '") + bad + "' is not a positive count");
  }
}

TEST(Strings, SplitTrimJoin) {
  EXPECT_EQ(Split("a,b,,c", ',').size(), 4u);
  EXPECT_EQ(Trim("  x y \t"), "x y");
  EXPECT_EQ(Join({"a", "b"}, ", "), "a, b");
  EXPECT_FALSE(ParseInt("12a").has_value());
  EXPECT_EQ(ParseInt("0012"), 12);
}

TEST(Strings, FormatFixedRoundsToTheDecimalsAsked) {
  EXPECT_EQ(FormatFixed(0.6125, 3), "0.613");
  EXPECT_EQ(FormatFixed(2, 2), "2.00");
  EXPECT_EQ(FormatFixed(-1.5, 0), "-2");
}

TEST(Strings, ToLowerAndJsonQuote) {
  EXPECT_EQ(ToLower("NODE_Idle-1"), "node_idle-1");
  EXPECT_EQ(JsonQuote("plain"), "\"plain\"");
  EXPECT_EQ(JsonQuote("say \"hi\" \\ there\n\t"), "\"say \\\"hi\\\" \\\\ there\\u000a\\u0009\"");
}

}  // namespace
}  // namespace tatami
