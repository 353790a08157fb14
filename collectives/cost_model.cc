#include "collectives/cost_model.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace tatami::collectives {
namespace {

// Base latency of one step over a link of this medium (seconds).
double BaseLatency(std::string_view medium) {
  if (medium == "hbm" || medium == "nvlink" || medium == "dojo-mesh" || medium == "dojo-tray")
    return 2e-6;
  if (medium == "infiniband") return 5e-6;
  return 20e-6;  // Ethernet, DIPs, PCIe between HW4 boards
}

}  // namespace

AllReduceEstimate EstimateAllReduce(const Fabric& fabric, const std::vector<RankDevice>& ranks,
                                    double bytes) {
  std::map<std::string, size_t> ids;
  std::vector<RankSite> sites;
  for (const auto& r : ranks) {
    size_t id = ids.emplace(r.node, ids.size()).first->second;
    sites.push_back({fabric.KindOf(r.node), fabric.PositionOf(r.node), id, r.device});
  }
  return EstimateAllReduce(sites, bytes);
}

AllReduceEstimate EstimateAllReduce(const std::vector<RankSite>& ranks, double bytes) {
  AllReduceEstimate e;
  const size_t n = ranks.size();
  if (n <= 1) {
    e.algorithm = "none";
    return e;
  }
  // Ranks per node: NCCL runs one ring per rail, so a node boundary is
  // crossed by as many NICs in parallel as the job has GPUs on the node.
  std::map<size_t, uint32_t> per_node;
  for (const auto& r : ranks) per_node[r.node]++;
  uint32_t rails = UINT32_MAX;
  for (const auto& [node, count] : per_node) rails = std::min(rails, count);

  double bandwidth = 1e300, alpha = 0;
  for (size_t i = 0; i < n; ++i) {
    const RankSite& a = ranks[i];
    const RankSite& b = ranks[(i + 1) % n];
    bool same_node = a.node == b.node;
    Link link = LinkBetween(a.kind, a.position, a.device, b.kind, b.position, b.device, same_node);
    double bw = link.gbytes_per_s;
    if (!same_node && link.medium == "infiniband") bw *= rails;
    bandwidth = std::min(bandwidth, bw);
    alpha = std::max(alpha, BaseLatency(link.medium) + link.hops * kHopLatencySeconds);
  }
  // A node's GPUs share NVLink between the rings: the intra-node hop caps it.
  if (per_node.size() > 1 && ranks[0].kind == AcceleratorKind::kH100)
    bandwidth = std::min(bandwidth, bandwidth::kNvlink);
  double beta = 1.0 / (bandwidth * 1e9);  // seconds per byte
  double steps_ring = 2.0 * static_cast<double>(n - 1);
  double steps_tree = 2.0 * std::ceil(std::log2(static_cast<double>(n)));
  e.ring_seconds = steps_ring * alpha + steps_ring / static_cast<double>(n) * bytes * beta;
  e.tree_seconds = steps_tree * alpha + 2.0 * bytes * beta;
  e.algorithm = e.ring_seconds <= e.tree_seconds ? "ring" : "tree";
  e.seconds = std::min(e.ring_seconds, e.tree_seconds);
  e.bus_gbytes_per_s = bandwidth;
  e.alpha_seconds = alpha;
  return e;
}

}  // namespace tatami::collectives
