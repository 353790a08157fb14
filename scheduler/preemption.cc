#include "scheduler/preemption.h"

#include <algorithm>

#include "topology/cluster_config.h"

namespace tatami {
namespace {

bool MayPreempt(const PendingJob& job, bool reclaim, const RunningJob& running, TimeMs now) {
  if (running.preempting) return true;  // going anyway: its resources are up for claiming
  if (running.guaranteed || now < running.preemptible_from) return false;
  bool qos_allows = running.qos < kMaxQos && (job.preempts >> running.qos & 1);
  return qos_allows || (reclaim && running.account != job.account);
}

}  // namespace

PreemptionPlanner::PreemptionPlanner(std::vector<NodeResources>& books,
                                     const std::vector<RunningJob>& running, TimeMs now)
    : books_(books), running_(running), now_(now), released_(running.size(), false) {}

PreemptionPlanner::~PreemptionPlanner() {
  for (auto it = held_.rbegin(); it != held_.rend(); ++it) {
    NodeResources& n = books_[it->node];
    n.cpus_free += it->share.cpus;
    n.mem_free_mib += it->share.mem_mib;
    for (uint32_t d : it->share.devices) n.device_free[d] = true;
    --n.running_jobs;
    if (it->set_exclusive) n.exclusive_owned = false;
  }
}

std::vector<size_t> PreemptionPlanner::Candidates(const PendingJob& job, const ResourceRequest& req,
                                                  bool reclaim,
                                                  const std::vector<bool>& reserved) const {
  std::vector<size_t> out;
  std::vector<bool> on_reserved(running_.size(), false);
  for (size_t i = 0; i < running_.size(); ++i) {
    const RunningJob& r = running_[i];
    if (released_[i] || !MayPreempt(job, reclaim, r, now_)) continue;
    // Only jobs holding something on a node the request could use.
    bool useful = std::any_of(r.shares.begin(), r.shares.end(), [&](const NodeShare& s) {
      size_t n = NodeIndexOf(s, books_);
      return n < books_.size() && (DevicesWanted(req) == 0 ? books_[n].InPartition(req.partition)
                                                           : DevicesCountFor(req, books_[n]));
    });
    if (!useful) continue;
    out.push_back(i);
    on_reserved[i] = std::any_of(r.shares.begin(), r.shares.end(), [&](const NodeShare& s) {
      size_t n = NodeIndexOf(s, books_);
      return n < reserved.size() && reserved[n];
    });
  }
  std::stable_sort(out.begin(), out.end(), [&](size_t a, size_t b) {
    const RunningJob& x = running_[a];
    const RunningJob& y = running_[b];
    if (x.preempting != y.preempting) return x.preempting;
    if (x.priority != y.priority) return x.priority < y.priority;
    if (on_reserved[a] != on_reserved[b]) return !on_reserved[a];
    return x.start > y.start;
  });
  return out;
}

bool PreemptionPlanner::Touches(const RunningJob& ran, const std::vector<NodeShare>& shares,
                                bool exclusive) const {
  for (const NodeShare& mine : ran.shares) {
    size_t n = NodeIndexOf(mine, books_);
    for (const NodeShare& theirs : shares) {
      if (NodeIndexOf(theirs, books_) != n) continue;
      if (ran.exclusive || exclusive) return true;
      for (uint32_t d : mine.devices) {
        if (std::find(theirs.devices.begin(), theirs.devices.end(), d) != theirs.devices.end())
          return true;
      }
      // Both on the node's free CPUs and memory (the books hold neither now).
      const NodeResources& node = books_[n];
      if (node.cpus_free < mine.cpus + theirs.cpus) return true;
      if (node.mem_free_mib < mine.mem_mib + theirs.mem_mib) return true;
    }
  }
  return false;
}

std::optional<Claim> PreemptionPlanner::ClaimFor(const PendingJob& job, const ResourceRequest& req,
                                                 const Placer& placer, bool reclaim,
                                                 const std::vector<bool>& reserved) {
  std::vector<size_t> candidates = Candidates(job, req, reclaim, reserved);
  if (candidates.empty()) return std::nullopt;
  // Matching free devices bound when placing is worth trying, as in
  // ReservationBook::Reserve.
  uint64_t want = DevicesWanted(req), free = 0;
  auto matching = [&](const NodeShare& s) -> uint64_t {
    size_t n = NodeIndexOf(s, books_);
    return n < books_.size() && DevicesCountFor(req, books_[n]) ? s.devices.size() : 0;
  };
  for (const NodeResources& n : books_) {
    if (DevicesCountFor(req, n)) free += n.DevicesFree();
  }
  std::optional<std::vector<NodeShare>> found;
  size_t released = 0, next_try = 0, gap = 1;
  for (; released < candidates.size() && !found;) {
    const RunningJob& r = running_[candidates[released]];
    ReleaseShares(r.shares, r.exclusive, books_);
    for (const NodeShare& s : r.shares) free += matching(s);
    size_t k = released++;
    if (free < want || (k < next_try && released < candidates.size())) continue;
    if (auto shares = placer.Place(req, books_); shares.ok()) {
      found = std::move(shares).value();
    } else {
      next_try = k + gap;
      gap *= 2;
    }
  }
  // Put back, most expensive first, every released job the claim can do
  // without; then the ones it needs too: they run until their grace ends.
  Claim claim;
  for (size_t k = released; k-- > 0;) {
    const RunningJob& r = running_[candidates[k]];
    if (found && Touches(r, *found, req.exclusive)) {
      released_[candidates[k]] = true;
      claim.released.push_back(&r);
      if (!r.preempting) claim.victims.push_back(r.job_id);
    }
    ApplyShares(r.shares, r.exclusive, books_);
  }
  if (!found) return std::nullopt;
  std::reverse(claim.released.begin(), claim.released.end());
  std::reverse(claim.victims.begin(), claim.victims.end());
  claim.hold = Hold(*found, req.exclusive, claim.released);
  claim.shares = std::move(*found);
  return claim;
}

std::vector<NodeShare> PreemptionPlanner::Hold(const std::vector<NodeShare>& shares, bool exclusive,
                                               const std::vector<const RunningJob*>& released) {
  std::vector<NodeShare> hold;
  for (const NodeShare& s : shares) {
    size_t n = NodeIndexOf(s, books_);
    if (n >= books_.size()) continue;
    NodeResources& node = books_[n];
    NodeShare h{s.node, s.cpus, s.mem_mib, {}, static_cast<uint32_t>(n)};
    for (const RunningJob* r : released) {
      for (const NodeShare& theirs : r->shares) {
        if (NodeIndexOf(theirs, books_) != n) continue;
        h.cpus -= std::min(h.cpus, theirs.cpus);
        h.mem_mib -= std::min(h.mem_mib, theirs.mem_mib);
      }
    }
    h.cpus = std::min(h.cpus, node.cpus_free);
    h.mem_mib = std::min(h.mem_mib, node.mem_free_mib);
    for (uint32_t d : s.devices) {
      if (d < node.device_free.size() && node.device_free[d]) h.devices.push_back(d);
    }
    node.cpus_free -= h.cpus;
    node.mem_free_mib -= h.mem_mib;
    for (uint32_t d : h.devices) node.device_free[d] = false;
    ++node.running_jobs;
    bool set_exclusive = exclusive && !node.exclusive_owned;
    if (set_exclusive) node.exclusive_owned = true;
    held_.push_back({n, h, set_exclusive});
    hold.push_back(std::move(h));
  }
  return hold;
}

}  // namespace tatami
