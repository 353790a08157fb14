#include "scheduler/scheduling_cycle.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <optional>
#include <set>
#include <unordered_map>

#include "scheduler/backfill.h"

namespace tatami {

std::vector<size_t> QueuePolicy::Order(const Snapshot& snapshot) const {
  std::vector<size_t> order(snapshot.pending.size());
  std::iota(order.begin(), order.end(), 0);
  const auto& p = snapshot.pending;
  auto before = [&](size_t a, size_t b) {
    if (p[a].priority != p[b].priority) return p[a].priority > p[b].priority;
    if (p[a].submit_time != p[b].submit_time) return p[a].submit_time < p[b].submit_time;
    return p[a].job_id < p[b].job_id;
  };
  // The simulator keeps its queue in this order: O(n) instead of a sort
  // of 100,000 jobs every cycle.
  if (!std::is_sorted(order.begin(), order.end(), before))
    std::stable_sort(order.begin(), order.end(), before);
  return order;
}

std::string ReasonCode(const std::string& placement_error) {
  size_t colon = placement_error.find(':');
  std::string code = placement_error.substr(0, colon);
  bool word =
      colon != std::string::npos && !code.empty() && code.find_first_of(" \t") == std::string::npos;
  return word ? code : "Resources";
}

const ResourceRequest& RequestOf(const PendingJob& job, size_t option) {
  return option == 0 ? job.request : job.alternatives[option - 1].request;
}

double SpeedOf(const PendingJob& job, size_t option) {
  return option == 0 ? 1.0 : job.alternatives[option - 1].speed;
}

DurationMs LimitOf(const PendingJob& job, size_t option) {
  if (job.time_limit <= 0) return 0;
  return static_cast<DurationMs>(std::ceil(double(job.time_limit) / SpeedOf(job, option)));
}

namespace {

constexpr size_t kKinds = 4;  // AcceleratorKind values

// Free devices per accelerator kind: an upper bound on what any request can
// get, so a job the cluster cannot hold right now costs O(1), not a
// placement over every node.
class FreeDevices {
 public:
  explicit FreeDevices(const std::vector<NodeResources>& nodes) {
    for (const NodeResources& n : nodes) {
      if (n.schedulable) free_[static_cast<size_t>(n.accel_kind)] += n.DevicesFree();
    }
  }
  bool MayFit(const ResourceRequest& req) const {
    uint64_t want = DevicesWanted(req), have = 0;
    if (want == 0) return true;
    for (size_t k = 1; k < kKinds; ++k) {
      if (WantsDevicesOf(req, static_cast<AcceleratorKind>(k))) have += free_[k];
    }
    return have >= want;
  }
  void Take(const std::vector<NodeShare>& shares, const std::vector<NodeResources>& nodes) {
    for (const NodeShare& s : shares) {
      if (s.node_index >= nodes.size()) continue;  // stays an upper bound
      uint64_t& f = free_[static_cast<size_t>(nodes[s.node_index].accel_kind)];
      f -= std::min<uint64_t>(f, s.devices.size());
    }
  }

 private:
  std::array<uint64_t, kKinds> free_{};
};

// Requests alike in everything placement reads get the same answer within
// one cycle (free resources only shrink in it), so a queue of 10,000
// one-GPU jobs costs one failed placement, not 10,000. "" = not cacheable.
std::string ShapeKey(const ResourceRequest& r, size_t reservations_respected) {
  std::string key = PlacementKey(r);
  return key.empty() ? key : key + '|' + std::to_string(reservations_respected);
}

std::vector<size_t> OptionOrder(const PendingJob& job, bool fastest_first) {
  std::vector<size_t> order(job.alternatives.size() + 1);
  std::iota(order.begin(), order.end(), 0);
  if (fastest_first) {
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return SpeedOf(job, a) > SpeedOf(job, b); });
  }
  return order;
}

}  // namespace

Plan RunSchedulingCycle(Snapshot& snapshot, const QueuePolicy& policy, const Placer& placer) {
  Plan plan;
  std::vector<NodeResources>& books = snapshot.nodes;
  const bool backfill = snapshot.backfill_pass && policy.BackfillInterval() >= 0;
  std::optional<ReservationBook> reservations;
  if (backfill) reservations.emplace(books, snapshot.running, snapshot.now);
  FreeDevices free(books);
  std::unordered_map<std::string, std::string> failed;  // ShapeKey -> reason code
  std::set<std::string> blocked;                        // partitions held back by an earlier job
  std::set<std::string> unreservable;                   // ShapeKeys Reserve found no start for
  for (size_t i : policy.Order(snapshot)) {
    const PendingJob& job = snapshot.pending[i];
    if (blocked.count(job.request.partition)) {
      plan.reasons.emplace_back(job.job_id, "Priority");
      continue;
    }
    std::string why = "Resources";
    bool started = false;
    std::vector<size_t> options = OptionOrder(job, policy.FastestOptionFirst());
    for (size_t o : options) {
      const ResourceRequest& req = RequestOf(job, o);
      DurationMs limit = LimitOf(job, o);
      TimeMs end = limit > 0 ? snapshot.now + limit : 0;
      if (!free.MayFit(req)) continue;
      std::string key = ShapeKey(req, reservations ? reservations->CountBefore(end) : 0);
      if (auto known = failed.find(key); !key.empty() && known != failed.end()) {
        why = known->second;
        continue;
      }
      auto shares =
          reservations ? reservations->PlaceBefore(req, end, placer) : placer.Place(req, books);
      if (!shares.ok()) {
        why = ReasonCode(shares.error().message);
        if (!key.empty()) failed.emplace(key, why);
        continue;
      }
      if (reservations) {
        reservations->Start({job.job_id, req.exclusive, *shares, end});
      } else {
        ApplyShares(*shares, req.exclusive, books);
      }
      free.Take(*shares, books);
      plan.starts.push_back({job.job_id, o, std::move(shares).value()});
      started = true;
      break;
    }
    if (started) continue;
    plan.reasons.emplace_back(job.job_id, why);
    if (!backfill) {
      for (size_t o : options) blocked.insert(RequestOf(job, o).partition);
    } else if (size_t made = reservations->reservations().size(); made < policy.MaxReservations()) {
      // A shape that found no start will find none while the book is unchanged.
      const ResourceRequest& req = RequestOf(job, options.front());
      std::string key = ShapeKey(req, made);
      if (!key.empty() && unreservable.count(key)) continue;
      if (!reservations->Reserve(job.job_id, req, placer) && !key.empty()) unreservable.insert(key);
    }
  }
  if (reservations) {
    plan.reservations = reservations->reservations();
    reservations.reset();  // gives the books back without the reservations' holds
  }
  return plan;
}

}  // namespace tatami
