// The account tree as the scheduler reads it: small indices instead of
// names, each account's share of the cluster, and its device quotas
// (AccountConfig says what they mean). QuotaBooks keeps what every account
// holds now and answers whether one more job fits its quota.
//
// AccountTree is immutable once built (Add aside) and shared read-only by
// every cycle; QuotaBooks is a value each cycle copies and updates alone.
// Neither is thread-safe for writes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "scheduler/resource_request.h"
#include "topology/cluster_config.h"

namespace tatami {

// A job charging no configured account: no quota, no fair-share standing.
inline constexpr uint32_t kNoAccount = UINT32_MAX;

class AccountTree {
 public:
  AccountTree() = default;
  // `accounts` as validated by LoadClusterConfig (parents known, no cycles).
  explicit AccountTree(const std::vector<AccountConfig>& accounts);

  // kNoAccount for "" and for names the config lacks.
  uint32_t Find(std::string_view name) const;
  // A top-level account with one share and no quota (the simulator's
  // trace accounts that the config does not name); its index.
  uint32_t Add(const std::string& name);

  size_t size() const { return accounts_.size(); }
  const std::string& Name(uint32_t a) const { return accounts_[a].name; }
  uint32_t Parent(uint32_t a) const { return parents_[a]; }
  bool MayCharge(uint32_t a, std::string_view user) const { return accounts_[a].MayCharge(user); }
  // Its share of the whole cluster: its shares over its siblings' and its
  // own, times its parent's share (Slurm's normalized shares).
  double NormalizedShares(uint32_t a) const { return normalized_[a]; }
  uint32_t Quota(uint32_t a, AcceleratorKind k) const {
    return accounts_[a].quota[static_cast<size_t>(k)];
  }
  int64_t Borrow(uint32_t a, AcceleratorKind k) const {
    return accounts_[a].borrow[static_cast<size_t>(k)];
  }
  bool HasQuotas() const { return has_quotas_; }

 private:
  void Normalize();

  std::vector<AccountConfig> accounts_;
  std::vector<uint32_t> parents_;  // kNoAccount at the top
  std::vector<double> normalized_;
  std::unordered_map<std::string, uint32_t> index_;
  bool has_quotas_ = false;
};

// The kind and number of devices a request holds, as quotas count them
// (Dojo: tiles). "gpu" counts as H100, the only GPU kind; {kNone, 0} for a
// CPU-only request.
std::pair<AcceleratorKind, uint32_t> QuotaDemand(const ResourceRequest& req);

enum class QuotaFit {
  kWithinQuota,  // guaranteed: never preempted
  kBorrowing,    // above quota, within every borrow limit: may be reclaimed
  kOverLimit,    // would pass a borrow limit: must wait ("AssocGrpGRES")
};

class QuotaBooks {
 public:
  QuotaBooks() = default;  // no accounts: everything borrows, nothing is limited
  explicit QuotaBooks(std::shared_ptr<const AccountTree> tree);

  // Within quota: every quota on the path from `account` to the top that
  // names `kind` has room for `devices` more, and there is at least one.
  QuotaFit Check(uint32_t account, AcceleratorKind kind, uint32_t devices) const;
  // A job starts (+) or ends (-): counted at its account and every ancestor.
  void Charge(uint32_t account, AcceleratorKind kind, int64_t devices);
  uint32_t InUse(uint32_t account, AcceleratorKind kind) const;
  const AccountTree* tree() const { return tree_.get(); }

 private:
  std::shared_ptr<const AccountTree> tree_;
  std::vector<KindCounts> in_use_;  // by account, children included
};

}  // namespace tatami
