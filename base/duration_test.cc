#include "base/duration.h"

#include <gtest/gtest.h>

namespace tatami {
namespace {

TEST(TimeLimit, ParsesEverySlurmForm) {
  EXPECT_EQ(*ParseTimeLimit("5", "-t"), 5 * kMinute);
  EXPECT_EQ(*ParseTimeLimit("5:30", "-t"), 5 * kMinute + 30 * kSecond);
  EXPECT_EQ(*ParseTimeLimit("1:00:05", "-t"), kHour + 5 * kSecond);
  EXPECT_EQ(*ParseTimeLimit("2-00:00:00", "-t"), 2 * kDay);
  EXPECT_EQ(*ParseTimeLimit("1-2", "-t"), kDay + 2 * kHour);
  EXPECT_EQ(*ParseTimeLimit("1-2:30", "-t"), kDay + 2 * kHour + 30 * kMinute);
  EXPECT_EQ(*ParseTimeLimit("infinite", "-t"), 0);
  EXPECT_EQ(*ParseTimeLimit("0", "-t"), 0);
}

TEST(TimeLimit, RejectsGarbageNamingTheOption) {
  auto r = ParseTimeLimit("soon", "--time");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("--time: 'soon'"), std::string::npos);
  EXPECT_FALSE(ParseTimeLimit("1:2:3:4", "-t").ok());
  EXPECT_FALSE(ParseTimeLimit("-5", "-t").ok());
}

TEST(ConfigDuration, ParsesUnits) {
  EXPECT_EQ(*ParseConfigDuration("500ms", "x"), 500);
  EXPECT_EQ(*ParseConfigDuration("2s", "x"), 2000);
  EXPECT_EQ(*ParseConfigDuration("5m", "x"), 5 * kMinute);
  EXPECT_FALSE(ParseConfigDuration("5", "x").ok());
  EXPECT_FALSE(ParseConfigDuration("fast", "x").ok());
}

TEST(Elapsed, FormatsLikeSlurm) {
  EXPECT_EQ(FormatElapsed(65 * kSecond), "00:01:05");
  EXPECT_EQ(FormatElapsed(65 * kSecond, /*squeue_style=*/true), "1:05");
  EXPECT_EQ(FormatElapsed(kDay + kHour + 1000), "1-01:00:01");
  EXPECT_EQ(FormatTimeLimit(0), "infinite");
}

TEST(Timestamp, RoundTrips) {
  auto t = ParseTimestamp("2026-11-22T10:11:12", "-S", 0);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatTimestamp(*t), "2026-11-22T10:11:12");
  EXPECT_EQ(*ParseTimestamp("now", "-S", 42), 42);
  EXPECT_FALSE(ParseTimestamp("yesterday", "-S", 0).ok());
}

// sacct -S now-1day, as Slurm's.
TEST(Timestamp, NowPlusOrMinusAnAmount) {
  TimeMs now = 1'800'000'000'000;
  EXPECT_EQ(*ParseTimestamp("now-1day", "-S", now), now - kDay);
  EXPECT_EQ(*ParseTimestamp("now-2w", "-S", now), now - 14 * kDay);
  EXPECT_EQ(*ParseTimestamp("now+90", "-E", now), now + 90 * kSecond);
  EXPECT_EQ(*ParseTimestamp("now-3hours", "-S", now), now - 3 * kHour);
  for (const char* bad : {"now-", "now-1fortnight", "now*2", "now-x"}) {
    auto t = ParseTimestamp(bad, "-S", now);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.error().message, std::string("-S: '") + bad +
                                     "' is not a time (want YYYY-MM-DD[THH:MM[:SS]], "
                                     "now[+-N[s|m|h|d|w]] or @UNIXSECONDS)");
  }
}

TEST(Timestamp, StartOfDayIsLocalMidnight) {
  TimeMs noonish = *ParseTimestamp("2026-11-22T13:45:10", "-S", 0);
  EXPECT_EQ(StartOfDay(noonish), *ParseTimestamp("2026-11-22", "-S", 0));
  EXPECT_EQ(StartOfDay(StartOfDay(noonish)), StartOfDay(noonish));
}

TEST(Timestamp, UnixSecondsWithAnAt) {
  EXPECT_EQ(*ParseTimestamp("@1800000000", "-S", 0), 1'800'000'000'000);
  EXPECT_EQ(*ParseTimestamp("@1800000000.25", "-S", 0), 1'800'000'000'250);
  for (const char* bad : {"@", "@x", "@-5", "@12abc"}) {
    auto t = ParseTimestamp(bad, "-S", 0);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_NE(t.error().message.find("@UNIXSECONDS"), std::string::npos);
  }
}

TEST(BeginTime, RelativeClockAndAbsoluteForms) {
  TimeMs now = *ParseTimestamp("2026-11-22T13:45:10", "--begin", 0);
  EXPECT_EQ(*ParseBeginTime("now+90", "--begin", now), now + 90 * kSecond);
  EXPECT_EQ(*ParseBeginTime("now+2hours", "--begin", now), now + 2 * kHour);
  EXPECT_EQ(*ParseBeginTime("now+1d", "--begin", now), now + kDay);
  EXPECT_EQ(*ParseBeginTime("now", "--begin", now), now);
  // A clock time later today is today's; one already passed is tomorrow's.
  EXPECT_EQ(*ParseBeginTime("16:00", "--begin", now),
            *ParseTimestamp("2026-11-22T16:00:00", "-", 0));
  EXPECT_EQ(*ParseBeginTime("09:30:05", "--begin", now),
            *ParseTimestamp("2026-11-23T09:30:05", "-", 0));
  EXPECT_EQ(*ParseBeginTime("2026-12-01T08:00", "--begin", now),
            *ParseTimestamp("2026-12-01T08:00", "-", 0));
}

TEST(BeginTime, RejectsGarbageSayingWhatIsAccepted) {
  for (const char* bad : {"now+", "now+5fortnights", "now-5", "25:00", "12:61", "tomorow", ""}) {
    auto r = ParseBeginTime(bad, "--begin", 0);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().message, std::string("--begin: '") + bad +
                                     "' is not a time (want now+N[s|m|h|d], HH:MM[:SS], "
                                     "YYYY-MM-DD[THH:MM[:SS]] or @UNIXSECONDS)");
  }
}

}  // namespace
}  // namespace tatami
