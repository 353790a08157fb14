#include "scheduler/accounts.h"

#include "scheduler/placement.h"

namespace tatami {

AccountTree::AccountTree(const std::vector<AccountConfig>& accounts) : accounts_(accounts) {
  for (uint32_t i = 0; i < accounts_.size(); ++i) index_.emplace(accounts_[i].name, i);
  for (const AccountConfig& a : accounts_) {
    parents_.push_back(a.parent.empty() ? kNoAccount : index_.at(a.parent));
    for (size_t k = 0; k < kAcceleratorKinds; ++k)
      has_quotas_ |= a.quota[k] > 0 || a.borrow[k] != kNoBorrowLimit;
  }
  Normalize();
}

uint32_t AccountTree::Find(std::string_view name) const {
  auto it = index_.find(std::string(name));
  return it == index_.end() ? kNoAccount : it->second;
}

uint32_t AccountTree::Add(const std::string& name) {
  if (uint32_t known = Find(name); known != kNoAccount) return known;
  AccountConfig a;
  a.name = name;
  accounts_.push_back(a);
  parents_.push_back(kNoAccount);
  uint32_t index = static_cast<uint32_t>(accounts_.size() - 1);
  index_.emplace(name, index);
  Normalize();
  return index;
}

void AccountTree::Normalize() {
  // Siblings' total shares, by parent (the top level under kNoAccount).
  std::unordered_map<uint32_t, double> siblings;
  for (size_t i = 0; i < accounts_.size(); ++i) siblings[parents_[i]] += accounts_[i].shares;
  normalized_.assign(accounts_.size(), -1);
  // Parents may come after their children in the config: resolve on demand.
  auto resolve = [&](uint32_t a, auto& self) -> double {
    if (normalized_[a] >= 0) return normalized_[a];
    double up = parents_[a] == kNoAccount ? 1.0 : self(parents_[a], self);
    return normalized_[a] = up * accounts_[a].shares / siblings[parents_[a]];
  };
  for (uint32_t i = 0; i < accounts_.size(); ++i) resolve(i, resolve);
}

std::pair<AcceleratorKind, uint32_t> QuotaDemand(const ResourceRequest& req) {
  uint32_t devices = static_cast<uint32_t>(DevicesWanted(req));
  if (devices == 0) return {AcceleratorKind::kNone, 0};
  if (auto kind = ParseAcceleratorKind(req.accel_kind)) return {*kind, devices};
  return {AcceleratorKind::kH100, devices};
}

QuotaBooks::QuotaBooks(std::shared_ptr<const AccountTree> tree)
    : tree_(std::move(tree)), in_use_(tree_ ? tree_->size() : 0, KindCounts{}) {}

QuotaFit QuotaBooks::Check(uint32_t account, AcceleratorKind kind, uint32_t devices) const {
  if (!tree_ || account >= in_use_.size() || kind == AcceleratorKind::kNone)
    return QuotaFit::kBorrowing;
  size_t k = static_cast<size_t>(kind);
  bool within = true, any_quota = false;
  for (uint32_t a = account; a != kNoAccount; a = tree_->Parent(a)) {
    uint64_t after = uint64_t(in_use_[a][k]) + devices;
    uint32_t quota = tree_->Quota(a, kind);
    int64_t borrow = tree_->Borrow(a, kind);
    if (borrow != kNoBorrowLimit && after > quota + uint64_t(borrow)) return QuotaFit::kOverLimit;
    if (quota > 0) {
      any_quota = true;
      within &= after <= quota;
    }
  }
  return within && any_quota ? QuotaFit::kWithinQuota : QuotaFit::kBorrowing;
}

void QuotaBooks::Charge(uint32_t account, AcceleratorKind kind, int64_t devices) {
  if (!tree_ || account >= in_use_.size() || kind == AcceleratorKind::kNone) return;
  size_t k = static_cast<size_t>(kind);
  for (uint32_t a = account; a != kNoAccount; a = tree_->Parent(a)) {
    int64_t now = int64_t(in_use_[a][k]) + devices;
    in_use_[a][k] = static_cast<uint32_t>(now < 0 ? 0 : now);
  }
}

uint32_t QuotaBooks::InUse(uint32_t account, AcceleratorKind kind) const {
  if (account >= in_use_.size()) return 0;
  return in_use_[account][static_cast<size_t>(kind)];
}

}  // namespace tatami
