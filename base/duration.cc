#include "base/duration.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>

#include "base/strings.h"

namespace tatami {

Result<DurationMs> ParseTimeLimit(std::string_view s, std::string_view what) {
  s = Trim(s);
  auto bad = [&] {
    return MakeError(std::string(what) + ": '" + std::string(s) +
                     "' is not a time (want minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or "
                     "D-HH:MM:SS)");
  };
  if (s == "infinite" || s == "unlimited" || s == "UNLIMITED" || s == "INFINITE") return 0;
  int64_t days = 0;
  std::string_view rest = s;
  size_t dash = s.find('-');
  bool has_days = dash != std::string_view::npos;
  if (has_days) {
    auto d = ParseInt(s.substr(0, dash));
    if (!d) return bad();
    days = *d;
    rest = s.substr(dash + 1);
  }
  std::vector<std::string> parts = Split(rest, ':');
  std::vector<int64_t> n;
  for (const auto& p : parts) {
    auto v = ParseInt(p);
    if (!v) return bad();
    n.push_back(*v);
  }
  int64_t seconds = 0;
  if (has_days) {
    // d-h, d-h:m, d-h:m:s
    if (n.size() > 3) return bad();
    seconds = n[0] * 3600 + (n.size() > 1 ? n[1] * 60 : 0) + (n.size() > 2 ? n[2] : 0);
  } else if (n.size() == 1) {
    seconds = n[0] * 60;  // minutes
  } else if (n.size() == 2) {
    seconds = n[0] * 60 + n[1];  // min:sec
  } else if (n.size() == 3) {
    seconds = n[0] * 3600 + n[1] * 60 + n[2];
  } else {
    return bad();
  }
  return (days * 86400 + seconds) * kSecond;
}

Result<DurationMs> ParseConfigDuration(std::string_view s, std::string_view what) {
  s = Trim(s);
  struct Unit {
    std::string_view suffix;
    DurationMs scale;
  };
  for (Unit u :
       {Unit{"ms", 1}, Unit{"s", kSecond}, Unit{"m", kMinute}, Unit{"h", kHour}, Unit{"d", kDay}}) {
    if (s.size() > u.suffix.size() && s.substr(s.size() - u.suffix.size()) == u.suffix) {
      auto n = ParseInt(s.substr(0, s.size() - u.suffix.size()));
      if (n) return *n * u.scale;
    }
  }
  return MakeError(std::string(what) + ": '" + std::string(s) +
                   "' is not a duration (want e.g. 500ms, 2s, 5m, 1h)");
}

std::string FormatElapsed(DurationMs d, bool squeue_style) {
  if (d < 0) d = 0;
  int64_t total = d / kSecond;
  int64_t days = total / 86400, h = total / 3600 % 24, m = total / 60 % 60, sec = total % 60;
  char buf[48];
  if (days > 0) {
    std::snprintf(buf, sizeof buf, "%lld-%02lld:%02lld:%02lld", (long long)days, (long long)h,
                  (long long)m, (long long)sec);
  } else if (squeue_style && h == 0) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", (long long)m, (long long)sec);
  } else {
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", (long long)h, (long long)m,
                  (long long)sec);
  }
  return buf;
}

std::string FormatTimeLimit(DurationMs d) {
  if (d <= 0) return "infinite";
  return FormatElapsed(d);
}

std::string FormatTimestamp(TimeMs t) {
  if (t <= 0) return "Unknown";
  time_t secs = t / 1000;
  struct tm tm;
  localtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

TimeMs StartOfDay(TimeMs t) {
  time_t secs = static_cast<time_t>(t / 1000);
  struct tm tm;
  localtime_r(&secs, &tm);
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  tm.tm_isdst = -1;
  return static_cast<TimeMs>(mktime(&tm)) * 1000;
}

namespace {

std::optional<DurationMs> UnitOf(std::string_view unit) {
  if (unit.empty() || unit == "s" || unit == "sec" || unit == "secs" || unit == "seconds")
    return kSecond;
  if (unit == "m" || unit == "min" || unit == "mins" || unit == "minutes") return kMinute;
  if (unit == "h" || unit == "hour" || unit == "hours") return kHour;
  if (unit == "d" || unit == "day" || unit == "days") return kDay;
  if (unit == "w" || unit == "week" || unit == "weeks") return 7 * kDay;
  return std::nullopt;
}

// "90", "2hours", "1d": N[unit] after "now+" or "now-"; nullopt if not one.
std::optional<DurationMs> RelativeOffset(std::string_view rest) {
  size_t digits = 0;
  while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) ++digits;
  auto unit = UnitOf(rest.substr(digits));
  auto n = ParseInt(rest.substr(0, digits));
  if (digits == 0 || digits > 9 || !unit || !n) return std::nullopt;
  return *n * *unit;
}

}  // namespace

Result<TimeMs> ParseTimestamp(std::string_view s, std::string_view what, TimeMs now) {
  s = Trim(s);
  if (s == "now") return now;
  if (s.starts_with("now+") || s.starts_with("now-")) {
    if (std::optional<DurationMs> offset = RelativeOffset(s.substr(4)))
      return s[3] == '+' ? now + *offset : now - *offset;
  }
  if (!s.empty() && s[0] == '@') {
    std::string num(s.substr(1));
    char* rest = nullptr;
    double secs = std::strtod(num.c_str(), &rest);
    if (!num.empty() && rest && *rest == '\0' && secs >= 0 &&
        std::isdigit(static_cast<unsigned char>(num[0])))
      return static_cast<TimeMs>(secs * 1000 + 0.5);
  }
  struct tm tm = {};
  std::string str(s);
  const char* end = nullptr;
  for (const char* fmt : {"%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"}) {
    tm = {};
    end = strptime(str.c_str(), fmt, &tm);
    if (end && *end == '\0') {
      tm.tm_isdst = -1;
      return static_cast<TimeMs>(mktime(&tm)) * 1000;
    }
  }
  return MakeError(std::string(what) + ": '" + str +
                   "' is not a time (want YYYY-MM-DD[THH:MM[:SS]], now[+-N[s|m|h|d|w]] or "
                   "@UNIXSECONDS)");
}

Result<TimeMs> ParseBeginTime(std::string_view s, std::string_view what, TimeMs now) {
  s = Trim(s);
  auto wanted = [&] {
    return MakeError(std::string(what) + ": '" + std::string(s) +
                     "' is not a time (want now+N[s|m|h|d], HH:MM[:SS], "
                     "YYYY-MM-DD[THH:MM[:SS]] or @UNIXSECONDS)");
  };
  if (s.starts_with("now-")) return wanted();  // a start in the past says nothing
  int h = 0, m = 0, sec = 0, used = 0;
  std::string str(s);
  if ((sscanf(str.c_str(), "%2d:%2d:%2d%n", &h, &m, &sec, &used) == 3 ||
       (sec = 0, sscanf(str.c_str(), "%2d:%2d%n", &h, &m, &used) == 2)) &&
      size_t(used) == str.size()) {
    if (h > 23 || m > 59 || sec > 59 || h < 0 || m < 0 || sec < 0) return wanted();
    time_t t = static_cast<time_t>(now / 1000);
    struct tm tm = {};
    localtime_r(&t, &tm);
    tm.tm_hour = h;
    tm.tm_min = m;
    tm.tm_sec = sec;
    tm.tm_isdst = -1;
    TimeMs today = static_cast<TimeMs>(mktime(&tm)) * 1000;
    if (today > now) return today;
    tm.tm_mday += 1;  // passed already today: tomorrow's (mktime normalises)
    tm.tm_isdst = -1;
    return static_cast<TimeMs>(mktime(&tm)) * 1000;
  }
  auto t = ParseTimestamp(s, what, now);
  if (!t) return wanted();
  return t;
}

}  // namespace tatami
