// Usage-based fair share (Slurm's priority/multifactor, "classic" fair
// share): an account's factor is 2^(-U/S), where S is its normalized shares
// (AccountTree) and U its share of all decayed usage, its children's
// included. An account that used exactly its share gets 0.5; one that used
// nothing gets 1; one that used everything gets close to 0.
//
// Usage is H100-equivalent device time (CapacityOf: a Dojo tile counts 8)
// that decays with a half-life: a run of c devices from `from` to `to`
// weighs c * integral of 2^(-(now - t) / half_life) dt at `now`.
//
// FairShareUsage is a value owned by one caller (tatamid's controller under
// its lock; the simulator); not thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "base/clock.h"
#include "scheduler/accounts.h"

namespace tatami {

class FairShareUsage {
 public:
  // half_life 0: usage is never forgotten.
  explicit FairShareUsage(DurationMs half_life = 0) : half_life_(half_life) {}

  // `account` held `capacity` H100-equivalents from `from` to `to` (a run
  // that ended, or the part of one that was preempted).
  void AddRun(uint32_t account, double capacity, TimeMs from, TimeMs to);

  // Every account's decayed usage at `now` (by index; accounts beyond the
  // last one charged read 0), plus `running`: jobs still holding devices.
  struct Running {
    uint32_t account = kNoAccount;
    double capacity = 0;
    TimeMs start = 0;
  };
  std::vector<double> UsageAt(TimeMs now, size_t accounts,
                              const std::vector<Running>& running = {}) const;

  // What a run of `capacity` from `from` to `to` weighs at `now` >= to.
  double Weigh(double capacity, TimeMs from, TimeMs to, TimeMs now) const;

 private:
  DurationMs half_life_;
  TimeMs as_of_ = 0;           // usage_ is decayed to this instant
  std::vector<double> usage_;  // by account
};

// 2^(-U/S) per account of `tree`, from each account's own usage (its
// children's is added up the tree here). All 1 when nobody used anything.
std::vector<double> FairShareFactors(const AccountTree& tree, const std::vector<double>& usage);
// Each account's own usage plus its descendants' (by index).
std::vector<double> SubtreeUsage(const AccountTree& tree, const std::vector<double>& usage);

}  // namespace tatami
