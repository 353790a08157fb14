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

std::optional<Holding> Controller::HoldingOfLocked(const v1::JobInfo& job) const {
  auto req = requests_.find(job.job_id());
  if (req == requests_.end()) return std::nullopt;
  const ResourceRequest& shape = req->second.Of(job.run_option());
  auto [kind, devices] = QuotaDemand(shape);
  return Holding{AccountOf(job), CapacityOf(shape), kind, devices, job.start_time(),
                 QosOf(job),     job.spec().uid()};
}

std::vector<Holding> Controller::HoldingsLocked() const {
  std::vector<Holding> out;
  out.reserve(active_ids_.size());
  for (uint64_t id : active_ids_) {
    if (auto h = HoldingOfLocked(jobs_.at(id))) out.push_back(*h);
  }
  return out;
}

std::vector<double> UsageWithRunning(const FairShareUsage& usage, size_t accounts,
                                     const std::vector<Holding>& holdings, TimeMs now) {
  std::vector<FairShareUsage::Running> running;
  for (const Holding& h : holdings) {
    if (h.start > 0) running.push_back({h.account, h.capacity, h.start});
  }
  return usage.UsageAt(now, accounts, running);
}

QuotaBooks BooksOf(std::shared_ptr<const AccountTree> tree, const std::vector<Holding>& holdings) {
  QuotaBooks books(std::move(tree));
  for (const Holding& h : holdings) books.Charge(h.account, h.kind, h.devices);
  return books;
}

QosLimits QosBooksOf(const std::vector<QosConfig>& qos, const std::vector<Holding>& holdings) {
  QosLimits books(qos);
  if (!books.any()) return books;
  for (const Holding& h : holdings) books.Charge(h.qos, h.user, h.kind, h.devices, 1);
  return books;
}

void Controller::RefreshFairShareLocked(TimeMs now, const std::vector<Holding>& holdings) {
  if (config_.priority.fair_share_weight == 0 || accounts_->size() == 0) return;
  priority_.SetFairShare(FairShareFactors(
      *accounts_, UsageWithRunning(fair_share_usage_, accounts_->size(), holdings, now)));
}

std::vector<v1::AccountStanding> AccountStandings(const AccountTree& tree,
                                                  const std::vector<double>& usage,
                                                  const QuotaBooks& in_use) {
  std::vector<double> subtree = SubtreeUsage(tree, usage);
  std::vector<double> factors = FairShareFactors(tree, usage);
  double total = 0;
  for (double u : usage) total += u;
  std::vector<v1::AccountStanding> out(tree.size());
  for (uint32_t a = 0; a < tree.size(); ++a) {
    v1::AccountStanding& s = out[a];
    s.set_account(tree.Name(a));
    for (uint32_t up = tree.Parent(a); up != kNoAccount; up = tree.Parent(up))
      s.set_depth(s.depth() + 1);
    if (tree.Parent(a) != kNoAccount) s.set_parent(tree.Name(tree.Parent(a)));
    s.set_norm_shares(tree.NormalizedShares(a));
    s.set_usage_seconds(subtree[a]);
    s.set_effective_usage(total > 0 ? subtree[a] / total : 0);
    s.set_fair_share(factors[a]);
    for (size_t k = 1; k < kAcceleratorKinds; ++k) {
      auto kind = static_cast<AcceleratorKind>(k);
      uint32_t quota = tree.Quota(a, kind), held = in_use.InUse(a, kind);
      int64_t borrow = tree.Borrow(a, kind);
      if (quota == 0 && borrow == kNoBorrowLimit && held == 0) continue;
      v1::DeviceStanding* d = s.add_devices();
      d->set_kind(std::string(AcceleratorName(kind)));
      d->set_in_use(held);
      d->set_quota(quota);
      d->set_borrow(borrow);
    }
  }
  return out;
}

Result<v1::SharesReply> Controller::Shares(const v1::SharesRequest& req) {
  std::vector<bool> named(accounts_->size(), req.accounts_size() == 0);
  for (const std::string& name : req.accounts()) {
    uint32_t a = accounts_->Find(name);
    if (a == kNoAccount) return MakeError("unknown account '" + name + "'");
    named[a] = true;
  }
  auto wanted = [&](uint32_t a) {  // named, or under an account that is
    for (; a != kNoAccount; a = accounts_->Parent(a))
      if (named[a]) return true;
    return false;
  };
  // private_data: usage: the accounts the requester may charge, and their
  // ancestors for the tree's sake.
  std::vector<bool> visible(accounts_->size(), true);
  if (config_.private_data.usage && !IsAdmin(req.requester())) {
    visible.assign(accounts_->size(), false);
    for (uint32_t a = 0; a < accounts_->size(); ++a) {
      if (!accounts_->MayCharge(a, req.requester())) continue;
      for (uint32_t up = a; up != kNoAccount && !visible[up]; up = accounts_->Parent(up))
        visible[up] = true;
    }
  }
  // Under the lock only copies; the arithmetic is done after.
  std::shared_lock lock(mu_);
  TimeMs now = clock_.Now();
  std::vector<Holding> holdings = HoldingsLocked();
  FairShareUsage past = fair_share_usage_;
  lock.unlock();
  v1::SharesReply reply;
  reply.set_usage_half_life_ms(config_.priority.usage_half_life);
  std::vector<v1::AccountStanding> all =
      AccountStandings(*accounts_, UsageWithRunning(past, accounts_->size(), holdings, now),
                       BooksOf(accounts_, holdings));
  for (uint32_t a = 0; a < all.size(); ++a)
    if (wanted(a) && visible[a]) *reply.add_accounts() = std::move(all[a]);
  return reply;
}

namespace {

// The kinds `limits` limits, with their limits.
void AddLimits(const KindLimits& limits, google::protobuf::RepeatedPtrField<v1::DeviceCount>* out) {
  for (size_t k = 1; k < kAcceleratorKinds; ++k) {
    if (limits[k] == kNoLimit) continue;
    v1::DeviceCount* d = out->Add();
    d->set_kind(std::string(AcceleratorName(static_cast<AcceleratorKind>(k))));
    d->set_count(limits[k]);
  }
}

}  // namespace

std::vector<v1::QosInfo> QosStandings(const std::vector<QosConfig>& config,
                                      const std::vector<Holding>& holdings,
                                      std::optional<uint32_t> uid) {
  QosLimits books = QosBooksOf(config, holdings);
  std::vector<v1::QosInfo> out(config.size());
  for (uint32_t i = 0; i < config.size(); ++i) {
    const QosConfig& q = config[i];
    v1::QosInfo* info = &out[i];
    info->set_name(q.name);
    info->set_priority(q.priority);
    for (const std::string& victim : q.preempts) info->add_preempts(victim);
    info->set_grace_time_ms(q.grace_time);
    info->set_min_runtime_ms(q.min_runtime);
    info->set_requeue_on_preempt(q.requeue_on_preempt);
    info->set_above_quota(q.above_quota);
    info->set_max_jobs_per_user(q.max_jobs_per_user);
    info->set_max_submit_jobs_per_user(q.max_submit_jobs_per_user);
    info->set_max_time_ms(q.max_time);
    AddLimits(q.max_devices_per_user, info->mutable_max_devices_per_user());
    AddLimits(q.max_devices, info->mutable_max_devices());
    if (!q.HasLimits()) continue;
    if (uid) info->set_user_jobs(books.JobsOf(i, *uid));
    for (size_t k = 1; k < kAcceleratorKinds; ++k) {
      if (q.max_devices_per_user[k] == kNoLimit && q.max_devices[k] == kNoLimit) continue;
      auto kind = static_cast<AcceleratorKind>(k);
      v1::DeviceCount* all = info->add_devices_in_use();
      all->set_kind(std::string(AcceleratorName(kind)));
      all->set_count(books.Devices(i, kind));
      if (!uid) continue;
      v1::DeviceCount* mine = info->add_user_devices();
      mine->set_kind(all->kind());
      mine->set_count(books.DevicesOf(i, *uid, kind));
    }
  }
  return out;
}

v1::QosReply Controller::Qos(const v1::QosRequest& req) const {
  std::shared_lock lock(mu_);
  std::vector<Holding> holdings = qos_limits_ ? HoldingsLocked() : std::vector<Holding>{};
  lock.unlock();
  v1::QosReply reply;
  for (v1::QosInfo& q : QosStandings(config_.qos, holdings,
                                     req.for_user() ? std::optional(req.uid()) : std::nullopt))
    *reply.add_qos() = std::move(q);
  return reply;
}

PendingJob Controller::PendingJobOf(const v1::JobInfo& job, const JobRequests& requests) const {
  PendingJob p;
  p.job_id = job.job_id();
  p.submit_time = job.submit_time();
  p.request = requests.request;
  p.alternatives = requests.alternatives;
  p.time_limit = job.time_limit_ms();
  p.qos = QosOf(job);
  p.qos_above_quota = qos_.RunsAs(p.qos, /*within_quota=*/false);
  p.preempts = qos_.PreemptMask(p.qos);
  p.account = AccountOf(job);
  p.user = job.spec().uid();
  p.preempted_in_a_row = PreemptedInARow(job);
  p.passed_over_at = job.passed_over_time();
  p.excluded_kinds = job.excluded_kinds();
  p.nice = job.spec().nice();
  p.time_min = job.spec().time_min_ms();
  return p;
}

void Controller::DescribePriorityLocked(v1::JobInfo& listed, TimeMs now) const {
  auto req = requests_.find(listed.job_id());
  if (listed.state() != v1::PENDING || req == requests_.end()) return;
  PriorityFactors factors = priority_.Factors(PendingJobOf(listed, req->second), now);
  listed.set_priority(Weighted(priority_.config(), factors));
  listed.set_priority_factors(DescribePriority(priority_.config(), factors));
  const PriorityConfig& w = priority_.config();
  v1::PriorityTerms* terms = listed.mutable_priority_terms();
  terms->set_age(factors.age * w.age_weight);
  terms->set_fair_share(factors.fair_share * w.fair_share_weight);
  terms->set_job_size(factors.job_size * w.job_size_weight);
  terms->set_small_jobs(factors.small_jobs * w.small_jobs_weight);
  terms->set_partition(factors.partition * w.partition_weight);
  terms->set_qos(factors.qos * w.qos_weight);
}

uint32_t PreemptedInARow(const v1::JobInfo& job) {
  uint32_t n = 0;
  for (int i = job.runs_size() - 1; i >= 0 && job.runs(i).outcome() == kOutcomePreempted; --i) ++n;
  return n;
}

}  // namespace tatami
