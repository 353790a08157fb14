#include "scheduler/scheduling_cycle.h"

#include <algorithm>
#include <numeric>
#include <set>

namespace tatami {

std::vector<size_t> FifoPolicy::Order(const Snapshot& snapshot) const {
  std::vector<size_t> order(snapshot.pending.size());
  std::iota(order.begin(), order.end(), 0);
  const auto& p = snapshot.pending;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (p[a].priority != p[b].priority) return p[a].priority > p[b].priority;
    if (p[a].submit_time != p[b].submit_time) return p[a].submit_time < p[b].submit_time;
    return p[a].job_id < p[b].job_id;
  });
  return order;
}

std::string ReasonCode(const std::string& placement_error) {
  size_t colon = placement_error.find(':');
  std::string code = placement_error.substr(0, colon);
  bool word =
      colon != std::string::npos && !code.empty() && code.find_first_of(" \t") == std::string::npos;
  return word ? code : "Resources";
}

Plan RunSchedulingCycle(const Snapshot& snapshot, const QueuePolicy& policy, const Placer& placer) {
  Plan plan;
  std::vector<NodeResources> nodes = snapshot.nodes;  // working copy: the cycle's own books
  std::set<std::string> blocked;                      // partitions held back by an earlier job
  for (size_t i : policy.Order(snapshot)) {
    const PendingJob& job = snapshot.pending[i];
    if (blocked.count(job.request.partition)) {
      plan.reasons.emplace_back(job.job_id, "Priority");
      continue;
    }
    auto shares = placer.Place(job.request, nodes);
    if (!shares.ok()) {
      plan.reasons.emplace_back(job.job_id, ReasonCode(shares.error().message));
      if (policy.BlocksPartition()) blocked.insert(job.request.partition);
      continue;
    }
    ApplyShares(*shares, job.request.exclusive, nodes);
    plan.starts.push_back({job.job_id, std::move(shares).value()});
  }
  return plan;
}

}  // namespace tatami
