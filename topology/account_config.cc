#include "topology/account_config.h"

#include <functional>
#include <set>

namespace tatami::config {

Status ParseKindCounts(const Reader& r, const YAML::Node& n, const std::string& field,
                       const std::function<void(AcceleratorKind, uint32_t)>& set) {
  TATAMI_CHECK(r.RequireMap(n, field));
  for (const auto& kv : n) {
    std::string name = kv.first.Scalar();
    auto kind = ParseAcceleratorKind(name);
    if (!kind || *kind == AcceleratorKind::kNone) {
      return r.At(kv.first,
                  field + ": unknown accelerator kind '" + name + "' (expected h100, d1 or hw4)");
    }
    uint32_t count = 0;
    TATAMI_ASSIGN(count, r.UInt(kv.second, field + "." + name));
    set(*kind, count);
  }
  return {};
}

namespace {

Result<AccountConfig> ParseAccount(const Reader& r, const YAML::Node& a) {
  TATAMI_CHECK(r.RequireMap(a, "an account"));
  TATAMI_CHECK(
      r.CheckKeys(a, {"name", "parent", "users", "shares", "quota", "borrow"}, "an account"));
  AccountConfig acct;
  if (!a["name"]) return r.At(a, "an account needs 'name'");
  TATAMI_ASSIGN(acct.name, r.Str(a["name"], "name"));
  if (a["parent"]) TATAMI_ASSIGN(acct.parent, r.Str(a["parent"], "parent"));
  if (a["users"]) TATAMI_ASSIGN(acct.users, r.StrList(a["users"], "users"));
  if (a["shares"]) {
    TATAMI_ASSIGN(acct.shares, r.UInt(a["shares"], "shares"));
    if (acct.shares == 0) return r.At(a["shares"], "shares: expected at least 1");
  }
  if (a["quota"]) {
    TATAMI_CHECK(ParseKindCounts(r, a["quota"], "quota", [&](AcceleratorKind k, uint32_t n) {
      acct.quota[static_cast<size_t>(k)] = n;
    }));
  }
  if (a["borrow"]) {
    TATAMI_CHECK(ParseKindCounts(r, a["borrow"], "borrow", [&](AcceleratorKind k, uint32_t n) {
      acct.borrow[static_cast<size_t>(k)] = n;
    }));
  }
  return acct;
}

}  // namespace

Status ParseAccounts(const Reader& r, const YAML::Node& accts, ClusterConfig& c) {
  if (!accts.IsSequence()) return r.At(accts, "'accounts' must be a list");
  for (const auto& a : accts) {
    AccountConfig acct;
    TATAMI_ASSIGN(acct, ParseAccount(r, a));
    if (c.FindAccount(acct.name))
      return r.At(a["name"], "account '" + acct.name + "' is defined twice");
    c.accounts.push_back(std::move(acct));
  }
  // Parents may be named before they are defined, so they are checked once all are read.
  for (size_t i = 0; i < c.accounts.size(); ++i) {
    const AccountConfig& acct = c.accounts[i];
    if (acct.parent.empty()) continue;
    if (!c.FindAccount(acct.parent)) {
      return r.At(accts[i]["parent"],
                  "account '" + acct.name + "' has unknown parent '" + acct.parent + "'");
    }
    std::set<std::string> path{acct.name};
    for (const AccountConfig* up = c.FindAccount(acct.parent); up;
         up = up->parent.empty() ? nullptr : c.FindAccount(up->parent)) {
      if (!path.insert(up->name).second) {
        return r.At(accts[i]["parent"],
                    "account '" + acct.name + "' is its own ancestor (through '" + up->name + "')");
      }
    }
  }
  return {};
}

Status ParseDefaultAccount(const Reader& r, const YAML::Node& n, ClusterConfig& c) {
  TATAMI_ASSIGN(c.default_account, r.Str(n, "default_account"));
  const AccountConfig* a = c.FindAccount(c.default_account);
  if (!a) {
    return r.At(n, "default_account: unknown account '" + c.default_account +
                       "'; want one the accounts section defines");
  }
  if (!a->users.empty()) {
    return r.At(n, "default_account: account '" + a->name +
                       "' lists its users; want one anyone may charge (no users:)");
  }
  return {};
}

Status ParsePriority(const Reader& r, const YAML::Node& n, ClusterConfig& c) {
  TATAMI_CHECK(r.RequireMap(n, "priority"));
  TATAMI_CHECK(r.CheckKeys(n, {"weights", "max_age", "usage_half_life"}, "priority"));
  PriorityConfig& p = c.priority;
  if (const auto& w = n["weights"]) {
    TATAMI_CHECK(r.RequireMap(w, "priority.weights"));
    TATAMI_CHECK(r.CheckKeys(w, {"age", "fair_share", "job_size", "small_jobs", "partition", "qos"},
                             "priority.weights"));
    // A section that names weights sets all of them: those left out are 0.
    p.qos_weight = 0;
    if (w["age"]) TATAMI_ASSIGN(p.age_weight, r.UInt(w["age"], "weights.age"));
    if (w["fair_share"])
      TATAMI_ASSIGN(p.fair_share_weight, r.UInt(w["fair_share"], "weights.fair_share"));
    if (w["job_size"]) TATAMI_ASSIGN(p.job_size_weight, r.UInt(w["job_size"], "weights.job_size"));
    if (w["small_jobs"])
      TATAMI_ASSIGN(p.small_jobs_weight, r.UInt(w["small_jobs"], "weights.small_jobs"));
    if (w["partition"])
      TATAMI_ASSIGN(p.partition_weight, r.UInt(w["partition"], "weights.partition"));
    if (w["qos"]) TATAMI_ASSIGN(p.qos_weight, r.UInt(w["qos"], "weights.qos"));
  }
  if (n["max_age"]) {
    TATAMI_ASSIGN(p.max_age, r.Duration(n["max_age"], "max_age"));
    if (p.max_age <= 0) return r.At(n["max_age"], "max_age: expected a positive duration");
  }
  if (n["usage_half_life"])
    TATAMI_ASSIGN(p.usage_half_life, r.Duration(n["usage_half_life"], "usage_half_life"));
  return {};
}

}  // namespace tatami::config
