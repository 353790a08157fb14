#include "base/hostlist.h"

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <optional>

#include "base/strings.h"

namespace tatami {
namespace {

// Splits on commas that are not inside brackets.
std::vector<std::string_view> SplitTopLevel(std::string_view expr) {
  std::vector<std::string_view> out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < expr.size(); ++i) {
    if (expr[i] == '[') ++depth;
    if (expr[i] == ']') --depth;
    if (expr[i] == ',' && depth == 0) {
      out.push_back(expr.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(expr.substr(start));
  return out;
}

std::string Pad(int64_t n, size_t width) {
  std::string s = std::to_string(n);
  if (s.size() < width) s.insert(0, width - s.size(), '0');
  return s;
}

// More names than any cluster has. A longer expression ("n[0-999999]x[0-999999]",
// from a client of one's own) is refused, not expanded until memory runs out.
constexpr uint64_t kMostHosts = 1'000'000;

// One "prefix[ranges]suffix" term, appended to `out`.
Status ExpandTerm(std::string_view term, std::vector<std::string>& out) {
  size_t open = term.find('[');
  if (open == std::string_view::npos) {
    if (term.find(']') != std::string_view::npos) {
      return MakeError("hostlist: unmatched ']' in '" + std::string(term) + "'");
    }
    out.emplace_back(term);
    return {};
  }
  size_t close = term.find(']', open);
  if (close == std::string_view::npos) {
    return MakeError("hostlist: unmatched '[' in '" + std::string(term) + "'");
  }
  std::string prefix(term.substr(0, open));
  std::string_view ranges = term.substr(open + 1, close - open - 1);
  std::string_view rest = term.substr(close + 1);
  std::vector<std::string> tails;
  if (Status s = ExpandTerm(rest, tails); !s.ok()) return s;
  for (const std::string& piece : Split(ranges, ',')) {
    size_t dash = piece.find('-');
    std::string_view lo_s = std::string_view(piece).substr(0, dash);
    std::string_view hi_s =
        dash == std::string::npos ? lo_s : std::string_view(piece).substr(dash + 1);
    auto lo = ParseInt(lo_s);
    auto hi = ParseInt(hi_s);
    if (!lo || !hi || *hi < *lo) {
      return MakeError("hostlist: bad range '" + piece + "' in '" + std::string(term) +
                       "' (want N or N-M with N <= M)");
    }
    uint64_t count = static_cast<uint64_t>(*hi - *lo) + 1;
    if (count > kMostHosts || count * tails.size() > kMostHosts - out.size()) {
      return MakeError("hostlist: '" + std::string(term) + "' names more than " +
                       std::to_string(kMostHosts) + " hosts");
    }
    for (int64_t n = *lo; n <= *hi; ++n) {
      for (const std::string& tail : tails) out.push_back(prefix + Pad(n, lo_s.size()) + tail);
    }
  }
  return {};
}

struct Parsed {
  std::string prefix;
  int64_t number;
  size_t width;
};

std::optional<Parsed> SplitTrailingNumber(const std::string& name) {
  size_t i = name.size();
  while (i > 0 && std::isdigit(static_cast<unsigned char>(name[i - 1]))) --i;
  if (i == name.size()) return std::nullopt;
  auto n = ParseInt(std::string_view(name).substr(i));
  if (!n) return std::nullopt;
  return Parsed{name.substr(0, i), *n, name.size() - i};
}

}  // namespace

Result<std::vector<std::string>> ExpandHostlist(std::string_view expr) {
  std::vector<std::string> out;
  expr = Trim(expr);
  if (expr.empty()) return out;
  for (std::string_view term : SplitTopLevel(expr)) {
    term = Trim(term);
    if (term.empty()) return MakeError("hostlist: empty name in '" + std::string(expr) + "'");
    if (Status s = ExpandTerm(term, out); !s.ok()) return s.error();
  }
  return out;
}

std::string CompressHostlist(const std::vector<std::string>& names) {
  std::vector<std::string> terms;
  size_t i = 0;
  while (i < names.size()) {
    auto first = SplitTrailingNumber(names[i]);
    if (!first) {
      terms.push_back(names[i++]);
      continue;
    }
    // Collect every following name with the same prefix and width.
    std::vector<std::pair<int64_t, int64_t>> ranges{{first->number, first->number}};
    size_t j = i + 1;
    for (; j < names.size(); ++j) {
      auto next = SplitTrailingNumber(names[j]);
      if (!next || next->prefix != first->prefix || next->width != first->width) break;
      if (next->number == ranges.back().second + 1) {
        ranges.back().second = next->number;
      } else {
        ranges.push_back({next->number, next->number});
      }
    }
    if (j == i + 1) {
      terms.push_back(names[i]);
    } else {
      std::string body;
      for (const auto& [lo, hi] : ranges) {
        if (!body.empty()) body += ',';
        body += Pad(lo, first->width);
        if (hi != lo) body += "-" + Pad(hi, first->width);
      }
      terms.push_back(first->prefix + "[" + body + "]");
    }
    i = j;
  }
  return Join(terms, ",");
}

}  // namespace tatami
