#include "scheduler/fair_share.h"

#include <algorithm>
#include <cmath>

namespace tatami {

double FairShareUsage::Weigh(double capacity, TimeMs from, TimeMs to, TimeMs now) const {
  if (to <= from) return 0;
  double seconds = double(to - from) / 1000;
  if (half_life_ <= 0) return capacity * seconds;
  // integral over [from, to] of 2^(-(now - t)/h) dt = h/ln2 * (2^(-(now-to)/h) - 2^(-(now-from)/h))
  double h = double(half_life_) / 1000;
  double late = std::exp2(-double(now - to) / 1000 / h);
  double early = std::exp2(-double(now - from) / 1000 / h);
  return capacity * h / std::log(2.0) * (late - early);
}

void FairShareUsage::AddRun(uint32_t account, double capacity, TimeMs from, TimeMs to) {
  if (account == kNoAccount || to <= from) return;
  if (to > as_of_) {
    double decay = half_life_ > 0 ? std::exp2(-double(to - as_of_) / double(half_life_)) : 1.0;
    for (double& u : usage_) u *= decay;
    as_of_ = to;
  }
  if (account >= usage_.size()) usage_.resize(account + 1, 0.0);
  usage_[account] += Weigh(capacity, from, to, as_of_);
}

std::vector<double> FairShareUsage::UsageAt(TimeMs now, size_t accounts,
                                            const std::vector<Running>& running) const {
  std::vector<double> out(std::max(accounts, usage_.size()), 0.0);
  double decay = half_life_ > 0 ? std::exp2(-double(now - as_of_) / double(half_life_)) : 1.0;
  for (size_t a = 0; a < usage_.size(); ++a) out[a] = usage_[a] * decay;
  for (const Running& r : running) {
    if (r.account < out.size()) out[r.account] += Weigh(r.capacity, r.start, now, now);
  }
  out.resize(accounts);
  return out;
}

std::vector<double> SubtreeUsage(const AccountTree& tree, const std::vector<double>& usage) {
  std::vector<double> subtree(tree.size(), 0.0);
  for (uint32_t a = 0; a < tree.size() && a < usage.size(); ++a) {
    for (uint32_t up = a; up != kNoAccount; up = tree.Parent(up)) subtree[up] += usage[a];
  }
  return subtree;
}

std::vector<double> FairShareFactors(const AccountTree& tree, const std::vector<double>& usage) {
  size_t n = tree.size();
  std::vector<double> subtree = SubtreeUsage(tree, usage);
  double total = 0;
  for (uint32_t a = 0; a < n && a < usage.size(); ++a) total += usage[a];
  std::vector<double> factors(n, 1.0);
  if (total <= 0) return factors;
  for (uint32_t a = 0; a < n; ++a)
    factors[a] = std::exp2(-(subtree[a] / total) / tree.NormalizedShares(a));
  return factors;
}

}  // namespace tatami
