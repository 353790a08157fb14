#include "scheduler/rebalance.h"

#include <algorithm>

#include "scheduler/placement.h"
#include "topology/cluster_config.h"

namespace tatami {

namespace {

uint64_t DevicesHeld(const RunningJob& job) {
  uint64_t n = 0;
  for (const NodeShare& s : job.shares) n += s.devices.size();
  return n;
}

// What a kind's queue gains from `devices` more of it, in hours of waiting
// summed over its jobs. They bring `q.device_hours` of work, which the
// kind's `capacity` devices, all busy, need T = device_hours / capacity to
// get through; `devices` more shorten that by about devices / capacity, and
// each job's wait (T / 2 on average) by as much.
double QueueGain(const KindRebalancer::Queue& q, double capacity, uint64_t devices) {
  if (capacity <= 0) return 0;
  double drain = q.device_hours / capacity;
  return double(q.jobs) * drain / 2 * double(devices) / capacity;
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

Elsewhere ElsewhereOf(const ResourceRequest& request, const std::vector<JobOption>& alternatives,
                      size_t option) {
  auto speed = [&](size_t o) { return o == 0 ? 1.0 : alternatives[o - 1].speed; };
  auto request_of = [&](size_t o) -> const ResourceRequest& {
    return o == 0 ? request : alternatives[o - 1].request;
  };
  size_t best = option;
  double best_speed = 0;
  for (size_t o = 0; o <= alternatives.size(); ++o) {
    double relative = speed(o) / speed(option);
    if (request_of(o).accel_kind == request_of(option).accel_kind || relative <= best_speed)
      continue;
    best = o;
    best_speed = relative;
  }
  if (best == option) return {};
  return {best_speed, request_of(best)};
}

void KindRebalancer::Waits(const PendingJob& job, AcceleratorKind kind, uint64_t devices,
                           DurationMs limit) {
  if (rule_.min_remaining <= 0 || kind == AcceleratorKind::kNone || devices == 0) return;
  Queue& q = queue_[static_cast<size_t>(kind)];
  ++q.jobs;
  q.device_hours += double(devices) * double(limit) / double(kHour);
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
    const std::array<uint64_t, kAcceleratorKinds>& free,
    const std::function<bool(const RunningJob&)>& lands) const {
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
  std::array<double, kAcceleratorKinds> capacity{};
  for (const NodeResources& n : nodes)
    if (n.schedulable) capacity[static_cast<size_t>(n.accel_kind)] += n.DevicesTotal();
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
        r.elsewhere.speed < rule_.min_relative_speed || r.elsewhere.speed >= 1.0)
      continue;
    DurationMs remaining = r.expected_end > 0 ? r.expected_end - now_ : INT64_MAX;
    if (remaining <= rule_.min_remaining || !Displaces(demand_[kind], r.qos)) continue;
    // Worth it only where the queue gains more than the job loses, which
    // for a job without a limit cannot be weighed.
    if (remaining == INT64_MAX) continue;
    double loses = double(remaining) / double(kHour) * (1 / r.elsewhere.speed - 1);
    if (QueueGain(queue_[kind], capacity[kind], DevicesHeld(r)) < loses) continue;
    candidates.push_back({&r, kind, remaining});
  }
  // The longest first: they would hold the kind longest. (They lose the
  // most too, but each that qualifies loses less than the queue gains.)
  std::stable_sort(
      candidates.begin(), candidates.end(),
      [](const Candidate& a, const Candidate& b) { return a.remaining > b.remaining; });
  for (const Candidate& c : candidates) {
    if (shortfall[c.kind] <= 0 || !lands(*c.job)) continue;
    shortfall[c.kind] -= int64_t(DevicesHeld(*c.job));
    moves.push_back(c.job->job_id);
  }
  return moves;
}

}  // namespace tatami
