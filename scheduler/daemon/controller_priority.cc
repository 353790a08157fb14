// Who goes first in tatamid: multifactor priority (priority.h) with fair
// share from decayed usage (fair_share.h), and the account quotas the
// cycle checks (accounts.h), all from the job records the controller holds.
#include "scheduler/daemon/controller.h"

namespace tatami {

double CapacityOfRun(const v1::RunRecord& run) {
  auto kind = ParseAcceleratorKind(run.accelerator_kind());
  return double(run.accelerators()) * H100Equivalents(kind.value_or(AcceleratorKind::kH100));
}

double ClusterCapacity(const ClusterConfig& config) {
  double capacity = 0;
  for (const NodeConfig& n : config.nodes)
    capacity += double(n.accelerators) * H100Equivalents(n.accelerator_kind);
  return capacity;
}

void Controller::RefreshFairShareLocked(TimeMs now) {
  if (config_.priority.fair_share_weight == 0 || accounts_->size() == 0) return;
  std::vector<FairShareUsage::Running> running;
  for (uint64_t id : active_ids_) {
    const v1::JobInfo& job = jobs_[id];
    auto req = requests_.find(id);
    if (req == requests_.end() || job.start_time() <= 0) continue;
    running.push_back(
        {AccountOf(job), CapacityOf(req->second.Of(job.run_option())), job.start_time()});
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
    auto [kind, devices] = QuotaDemand(req->second.Of(jobs_.at(id).run_option()));
    books.Charge(AccountOf(jobs_.at(id)), kind, devices);
  }
  return books;
}

PendingJob Controller::PendingJobOf(const v1::JobInfo& job, const JobRequests& requests) const {
  PendingJob p;
  p.job_id = job.job_id();
  p.submit_time = job.submit_time();
  p.request = requests.request;
  p.alternatives = requests.alternatives;
  p.time_limit = job.time_limit_ms();
  p.qos = QosOf(job);
  p.preempts = qos_.PreemptMask(p.qos);
  p.account = AccountOf(job);
  p.preempted_in_a_row = PreemptedInARow(job);
  return p;
}

void Controller::DescribePriorityLocked(v1::JobInfo& listed, TimeMs now) const {
  auto req = requests_.find(listed.job_id());
  if (listed.state() != v1::PENDING || req == requests_.end()) return;
  PriorityFactors factors = priority_.Factors(PendingJobOf(listed, req->second), now);
  listed.set_priority(Weighted(priority_.config(), factors));
  listed.set_priority_factors(DescribePriority(priority_.config(), factors));
}

uint32_t PreemptedInARow(const v1::JobInfo& job) {
  uint32_t n = 0;
  for (int i = job.runs_size() - 1; i >= 0 && job.runs(i).outcome() == kOutcomePreempted; --i) ++n;
  return n;
}

}  // namespace tatami
