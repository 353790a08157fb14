#include "base/strings.h"

#include <cctype>
#include <charconv>
#include <cstdio>

namespace tatami {

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.emplace_back(s.substr(start));
      return out;
    }
    out.emplace_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::optional<int64_t> ParseInt(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

Result<uint32_t> ParseCount(std::string_view s, std::string_view what) {
  std::optional<int64_t> n = ParseInt(s);
  if (!n || *n == 0 || *n > 1'000'000)
    return MakeError(std::string(what) + ": '" + std::string(s) + "' is not a positive count");
  return static_cast<uint32_t>(*n);
}

Result<int64_t> ParseMemoryMiB(std::string_view s, std::string_view what) {
  std::string_view digits = s;
  int64_t scale_kib = 1024;  // default unit: MiB
  auto not_a_size = [&] {
    return MakeError(std::string(what) + ": '" + std::string(s) +
                     "' is not a memory size (want e.g. 512, 16G, 2T)");
  };
  if (!s.empty() && std::isalpha(static_cast<unsigned char>(s.back()))) {
    if (!ParseInt(s.substr(0, s.size() - 1))) return not_a_size();
    switch (std::toupper(static_cast<unsigned char>(s.back()))) {
      case 'K':
        scale_kib = 1;
        break;
      case 'M':
        scale_kib = 1024;
        break;
      case 'G':
        scale_kib = 1024 * 1024;
        break;
      case 'T':
        scale_kib = int64_t{1024} * 1024 * 1024;
        break;
      default:
        return MakeError(std::string(what) + ": unknown unit in '" + std::string(s) +
                         "' (want a number with an optional K, M, G or T suffix)");
    }
    digits.remove_suffix(1);
  }
  auto n = ParseInt(digits);
  if (!n) return not_a_size();
  return (*n * scale_kib + 1023) / 1024;
}

std::string FormatMemoryMiB(int64_t mib) {
  char buf[32];
  if (mib >= 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%.2fT", mib / (1024.0 * 1024.0));
  } else if (mib >= 1024) {
    std::snprintf(buf, sizeof buf, "%.2fG", mib / 1024.0);
  } else {
    std::snprintf(buf, sizeof buf, "%lldM", static_cast<long long>(mib));
  }
  return buf;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string FormatFixed(double v, int decimals) {
  char buf[64];
  snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace tatami
