#include "scheduler/rebalance.h"

#include <algorithm>

#include "topology/cluster_config.h"

namespace tatami {

namespace {

uint64_t DevicesHeld(const RunningJob& job) {
  uint64_t n = 0;
  for (const NodeShare& s : job.shares) n += s.devices.size();
  return n;
}

}  // namespace

AcceleratorKind KindOf(const std::vector<NodeShare>& shares,
                       const std::vector<NodeResources>& nodes) {
  for (const NodeShare& s : shares) {
    size_t n = NodeIndexOf(s, nodes);
    if (n < nodes.size() && !s.devices.empty()) return nodes[n].accel_kind;
  }
  return AcceleratorKind::kNone;
}

double SpeedElsewhere(const ResourceRequest& request, const std::vector<JobOption>& alternatives,
                      size_t option) {
  auto speed = [&](size_t o) { return o == 0 ? 1.0 : alternatives[o - 1].speed; };
  auto kind = [&](size_t o) -> const std::string& {
    return (o == 0 ? request : alternatives[o - 1].request).accel_kind;
  };
  double best = 0;
  for (size_t o = 0; o <= alternatives.size(); ++o)
    if (kind(o) != kind(option)) best = std::max(best, speed(o) / speed(option));
  return best;
}

void KindRebalancer::Waits(const PendingJob& job, AcceleratorKind kind, uint64_t devices) {
  if (rule_.min_remaining <= 0 || kind == AcceleratorKind::kNone || devices == 0) return;
  wanted_[static_cast<size_t>(kind)] = true;
  if (now_ - job.submit_time < rule_.min_wait) return;
  Demand& d = demand_[static_cast<size_t>(kind)];
  d.devices += devices;
  if (job.qos < kMaxQos) {
    d.qos |= uint64_t{1} << job.qos;
  } else {
    d.no_qos = true;
  }
}

bool KindRebalancer::Displaces(const Demand& d, uint32_t qos) const {
  return qos < kMaxQos ? (d.qos >> qos & 1) != 0 : d.no_qos;
}

std::vector<uint64_t> KindRebalancer::Moves(
    const std::vector<RunningJob>& running, const std::vector<NodeResources>& nodes,
    const std::array<uint64_t, kAcceleratorKinds>& free) const {
  std::vector<uint64_t> moves;
  if (rule_.min_remaining <= 0) return moves;
  // Devices of each kind wanted beyond what is free or being freed.
  std::array<int64_t, kAcceleratorKinds> shortfall{};
  bool any = false;
  for (size_t k = 1; k < kAcceleratorKinds; ++k) {
    shortfall[k] = int64_t(demand_[k].devices) - int64_t(free[k]);
    any |= shortfall[k] > 0;
  }
  if (!any) return moves;
  struct Candidate {
    const RunningJob* job;
    size_t kind;
    DurationMs remaining;
  };
  std::vector<Candidate> candidates;
  for (const RunningJob& r : running) {
    size_t kind = static_cast<size_t>(KindOf(r.shares, nodes));
    if (kind == 0) continue;
    if (r.preempting) {
      shortfall[kind] -= int64_t(DevicesHeld(r));
      continue;
    }
    // Never toward a faster kind: a moved job then never qualifies again
    // where it lands, so moves cannot ping-pong.
    if (!r.movable || r.guaranteed || r.preemptible_from > now_ ||
        r.speed_elsewhere < rule_.min_relative_speed || r.speed_elsewhere >= 1.0)
      continue;
    DurationMs remaining = r.expected_end > 0 ? r.expected_end - now_ : INT64_MAX;
    if (remaining <= rule_.min_remaining || !Displaces(demand_[kind], r.qos)) continue;
    candidates.push_back({&r, kind, remaining});
  }
  // The longest first: they would hold the kind longest.
  std::stable_sort(
      candidates.begin(), candidates.end(),
      [](const Candidate& a, const Candidate& b) { return a.remaining > b.remaining; });
  for (const Candidate& c : candidates) {
    if (shortfall[c.kind] <= 0) continue;
    shortfall[c.kind] -= int64_t(DevicesHeld(*c.job));
    moves.push_back(c.job->job_id);
  }
  return moves;
}

}  // namespace tatami
