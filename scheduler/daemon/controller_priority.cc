// Who goes first in tatamid: multifactor priority (priority.h) with fair
// share from decayed usage (fair_share.h), and the account quotas the
// cycle checks (accounts.h), all from the job records the controller holds.
#include "scheduler/daemon/controller.h"

namespace tatami {

double CapacityOfRun(const v1::RunRecord& run) {
  return double(run.accelerators()) * (run.accelerator_kind() == "d1" ? 8.0 : 1.0);
}

double ClusterCapacity(const ClusterConfig& config) {
  double capacity = 0;
  for (const NodeConfig& n : config.nodes)
    capacity += double(n.accelerators) * (n.accelerator_kind == AcceleratorKind::kD1 ? 8.0 : 1.0);
  return capacity;
}

void Controller::RefreshFairShareLocked(TimeMs now) {
  if (config_.priority.fair_share_weight == 0 || accounts_->size() == 0) return;
  std::vector<FairShareUsage::Running> running;
  for (uint64_t id : active_ids_) {
    const v1::JobInfo& job = jobs_[id];
    auto req = requests_.find(id);
    if (req == requests_.end() || job.start_time() <= 0) continue;
    running.push_back({AccountOf(job), CapacityOf(req->second), job.start_time()});
  }
  priority_.SetFairShare(
      FairShareFactors(*accounts_, fair_share_usage_.UsageAt(now, accounts_->size(), running)));
}

QuotaBooks Controller::QuotasInUseLocked() const {
  QuotaBooks books(accounts_);
  if (!accounts_->HasQuotas()) return books;
  for (uint64_t id : active_ids_) {
    auto req = requests_.find(id);
    if (req == requests_.end()) continue;
    auto [kind, devices] = QuotaDemand(req->second);
    books.Charge(AccountOf(jobs_.at(id)), kind, devices);
  }
  return books;
}

uint32_t PreemptedInARow(const v1::JobInfo& job) {
  uint32_t n = 0;
  for (int i = job.runs_size() - 1; i >= 0 && job.runs(i).outcome() == kOutcomePreempted; --i) ++n;
  return n;
}

}  // namespace tatami
