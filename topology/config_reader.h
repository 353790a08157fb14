// Typed reads out of yaml-cpp nodes for the config parsers. Every problem
// becomes an Error "FILE:LINE:COL: what was wrong (what was wanted)".
// Internal to topology/: cluster_config.cc and fabric_config.cc share it.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/duration.h"
#include "base/hostlist.h"
#include "base/result.h"
#include "base/strings.h"

namespace tatami::config {

class Reader {
 public:
  explicit Reader(std::string origin) : origin_(std::move(origin)) {}

  Error At(const YAML::Node& n, const std::string& msg) const {
    YAML::Mark m = n.Mark();
    if (m.is_null()) return MakeError(origin_ + ": " + msg);
    return MakeError(origin_ + ":" + std::to_string(m.line + 1) + ":" +
                     std::to_string(m.column + 1) + ": " + msg);
  }

  Status RequireMap(const YAML::Node& n, const std::string& what) const {
    if (!n.IsMap()) return At(n, what + " must be a mapping of key: value");
    return {};
  }

  Status CheckKeys(const YAML::Node& map, const std::set<std::string>& allowed,
                   const std::string& what) const {
    for (const auto& kv : map) {
      std::string key = kv.first.Scalar();
      if (!allowed.count(key)) {
        std::vector<std::string> names(allowed.begin(), allowed.end());
        return At(kv.first, "unknown key '" + key + "' in " + what +
                                " (expected one of: " + Join(names, ", ") + ")");
      }
    }
    return {};
  }

  Result<std::string> Str(const YAML::Node& n, const std::string& field) const {
    if (!n.IsScalar()) return At(n, field + ": expected a string");
    return n.Scalar();
  }

  // One of two words: true for `first`.
  Result<bool> IsFirstOf(const YAML::Node& n, const std::string& field, const std::string& first,
                         const std::string& second) const {
    Result<std::string> word = Str(n, field);
    if (!word.ok()) return word.error();
    if (*word != first && *word != second)
      return At(n, field + ": expected " + first + " or " + second + ", got '" + *word + "'");
    return *word == first;
  }

  Result<uint32_t> UInt(const YAML::Node& n, const std::string& field) const {
    auto v = n.IsScalar() ? ParseInt(n.Scalar()) : std::nullopt;
    if (!v || *v > UINT32_MAX) return At(n, field + ": expected a non-negative integer");
    return static_cast<uint32_t>(*v);
  }

  Result<int32_t> Int(const YAML::Node& n, const std::string& field) const {
    try {
      return n.as<int32_t>();
    } catch (const YAML::Exception&) {
      return At(n, field + ": expected an integer");
    }
  }

  Result<double> Number(const YAML::Node& n, const std::string& field) const {
    try {
      if (n.IsScalar()) return n.as<double>();
    } catch (const YAML::Exception&) {
    }
    return At(n, field + ": expected a number");
  }

  Result<bool> Bool(const YAML::Node& n, const std::string& field) const {
    try {
      return n.as<bool>();
    } catch (const YAML::Exception&) {
      return At(n, field + ": expected true or false");
    }
  }

  Result<DurationMs> Duration(const YAML::Node& n, const std::string& field) const {
    if (!n.IsScalar()) return At(n, field + ": expected a duration such as 2s");
    auto d = ParseConfigDuration(n.Scalar(), field);
    if (!d) return At(n, d.error().message);
    return d;
  }

  Result<DurationMs> TimeLimit(const YAML::Node& n, const std::string& field) const {
    if (!n.IsScalar()) return At(n, field + ": expected a time limit such as 1-00:00:00");
    auto d = ParseTimeLimit(n.Scalar(), field);
    if (!d) return At(n, d.error().message);
    return d;
  }

  Result<int64_t> Memory(const YAML::Node& n, const std::string& field) const {
    if (!n.IsScalar()) return At(n, field + ": expected a memory size such as 512G");
    auto m = ParseMemoryMiB(n.Scalar(), field);
    if (!m) return At(n, m.error().message);
    return m;
  }

  Result<std::vector<std::string>> Hosts(const YAML::Node& n, const std::string& field) const {
    std::string expr;
    if (n.IsSequence()) {
      std::vector<std::string> parts;
      for (const auto& item : n) {
        if (!item.IsScalar()) return At(item, field + ": expected node names");
        parts.push_back(item.Scalar());
      }
      expr = Join(parts, ",");
    } else if (n.IsScalar()) {
      expr = n.Scalar();
    } else {
      return At(n, field + ": expected a hostlist such as gpu[01-04] or a list of names");
    }
    auto hosts = ExpandHostlist(expr);
    if (!hosts) return At(n, field + ": " + hosts.error().message);
    return hosts;
  }

  Result<std::vector<std::string>> StrList(const YAML::Node& n, const std::string& field) const {
    std::vector<std::string> out;
    if (!n.IsSequence()) return At(n, field + ": expected a list of strings");
    for (const auto& item : n) {
      if (!item.IsScalar()) return At(item, field + ": expected a string");
      out.push_back(item.Scalar());
    }
    return out;
  }

 private:
  std::string origin_;
};

// Evaluates `expr` (a Result); on error returns it from the enclosing
// function, otherwise assigns the value to `lhs`.
#define TATAMI_ASSIGN(lhs, expr)     \
  do {                               \
    auto _r = (expr);                \
    if (!_r.ok()) return _r.error(); \
    lhs = std::move(_r).value();     \
  } while (0)
#define TATAMI_CHECK(expr)           \
  do {                               \
    Status _s = (expr);              \
    if (!_s.ok()) return _s.error(); \
  } while (0)

}  // namespace tatami::config
