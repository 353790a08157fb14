#include "scheduler/topology_placer.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "base/strings.h"
#include "collectives/cost_model.h"

namespace tatami {
namespace {

bool IsPowerOfTwo(uint32_t v) {
  return v && !(v & (v - 1));
}

uint32_t NextPowerOfTwo(uint32_t v) {
  uint32_t p = 1;
  while (p < v) p <<= 1;
  return p;
}

// Lower is better: leftover free devices that no common (power-of-two) job
// size can use are "stranded"; then plain best fit; then configured order.
std::tuple<int, uint32_t, size_t> FitScore(const ResourceRequest& req, const NodeResources& n,
                                           size_t index) {
  if (req.exclusive) return {0, 0, index};
  uint32_t left = n.DevicesFree() - req.accel_per_node;
  if (req.accel_per_node == 0 && n.DevicesTotal() > 0) {
    // CPU-only work goes to nodes without accelerators first.
    return {2, n.DevicesTotal(), index};
  }
  return {left > 0 && !IsPowerOfTwo(left) ? 1 : 0, left, index};
}

NodeShare ShareOn(const ResourceRequest& req, const NodeResources& n, size_t index) {
  NodeShare s;
  s.node = n.name;
  s.node_index = static_cast<uint32_t>(index);
  s.cpus = req.exclusive ? n.cpus_free : req.cpus_per_node;
  s.mem_mib = MemNeeded(req, n);
  if (req.exclusive) {
    for (uint32_t d = 0; d < n.device_free.size(); ++d)
      if (n.device_free[d]) s.devices.push_back(d);
  } else {
    s.devices = ChooseDevices(n, req.accel_per_node);
  }
  return s;
}

// The all-reduce cost model's view of a candidate node set: what one
// 1 GiB all-reduce over the job's ranks would take there.
double CommSeconds(const ResourceRequest& req, const std::vector<NodeResources>& nodes,
                   const std::vector<size_t>& chosen) {
  std::vector<collectives::RankSite> ranks;
  uint32_t per_node = std::max<uint32_t>(1, req.accel_per_node);
  for (size_t i : chosen)
    for (uint32_t d = 0; d < per_node; ++d)
      ranks.push_back({nodes[i].accel_kind, nodes[i].fabric, i, d});
  return collectives::EstimateAllReduce(ranks, double(1 << 30)).seconds;
}

// Picks `want` of the candidate nodes (indices into `nodes`, best first):
// candidate sets are the tightest multi-node NVLink domain and the tightest
// leaf that hold the job, each spine's fullest leaves, and the fullest
// leaves anywhere; the cost model picks among them, ties going to the
// earlier (tighter) one.
std::vector<size_t> ChooseNodes(const ResourceRequest& req, const std::vector<size_t>& ranked,
                                const std::vector<NodeResources>& nodes) {
  uint32_t want = req.nodes;
  if (ranked.size() <= want || want == 1) {
    return {ranked.begin(), ranked.begin() + std::min<size_t>(want, ranked.size())};
  }
  // Groups keep the best-first order of `ranked`.
  std::map<int32_t, std::vector<size_t>> by_leaf, by_domain;
  for (size_t i : ranked) {
    by_leaf[nodes[i].fabric.leaf].push_back(i);
    if (nodes[i].fabric.nvlink_domain >= 0) by_domain[nodes[i].fabric.nvlink_domain].push_back(i);
  }
  std::vector<std::vector<size_t>> candidates;
  auto add_tightest = [&](const std::map<int32_t, std::vector<size_t>>& groups) {
    const std::vector<size_t>* tightest = nullptr;
    for (const auto& [id, members] : groups) {
      if (members.size() >= want && (!tightest || members.size() < tightest->size()))
        tightest = &members;
    }
    if (tightest) candidates.emplace_back(tightest->begin(), tightest->begin() + want);
  };
  add_tightest(by_domain);  // one multi-node NVLink domain, where the fabric has them
  add_tightest(by_leaf);

  auto take = [&](std::vector<const std::vector<size_t>*> leaves) {
    std::stable_sort(leaves.begin(), leaves.end(),
                     [](auto* a, auto* b) { return a->size() > b->size(); });
    std::vector<size_t> out;
    for (auto* leaf : leaves)
      for (size_t i : *leaf)
        if (out.size() < want) out.push_back(i);
    return out;
  };
  std::map<int32_t, std::vector<const std::vector<size_t>*>> by_spine;
  std::vector<const std::vector<size_t>*> all;
  for (const auto& [leaf, members] : by_leaf) {
    by_spine[nodes[members.front()].fabric.spine].push_back(&members);
    all.push_back(&members);
  }
  for (const auto& [spine, leaves] : by_spine)
    if (auto pick = take(leaves); pick.size() == want) candidates.push_back(std::move(pick));
  candidates.push_back(take(all));

  size_t best = 0;
  double best_seconds = CommSeconds(req, nodes, candidates[0]);
  for (size_t c = 1; c < candidates.size(); ++c) {
    double t = CommSeconds(req, nodes, candidates[c]);
    if (t < best_seconds) best = c, best_seconds = t;
  }
  return candidates[best];
}

// Whether a tray's host (CPUs, memory, partition, features) can take the
// request; BuildMeshGrids asks only of trays.
std::function<bool(size_t)> TrayEligibility(const ResourceRequest& req,
                                            const std::vector<NodeResources>& nodes,
                                            bool ignore_usage) {
  ResourceRequest host = req;
  host.accel_per_node = 0;
  return [host = std::move(host), &nodes, ignore_usage](size_t i) {
    return CheckNode(host, nodes[i], ignore_usage) == Mismatch::kFits;
  };
}

std::string ShapeList(uint32_t tiles) {
  std::vector<std::string> s;
  for (auto [w, h] : RectShapes(tiles, INT32_MAX / 2, INT32_MAX / 2)) {
    s.push_back(std::to_string(w) + "x" + std::to_string(h));
    if (s.size() == 4) break;
  }
  return Join(s, ", ");
}

}  // namespace

std::vector<uint32_t> ChooseDevices(const NodeResources& node, uint32_t count) {
  std::vector<uint32_t> out;
  if (count == 0) return out;
  auto total = node.DevicesTotal();
  uint32_t block = std::min(NextPowerOfTwo(count), total);
  // The aligned block with the fewest free devices that still holds `count`.
  uint32_t best_start = total, best_free = UINT32_MAX;
  for (uint32_t start = 0; block > 0 && start + block <= total; start += block) {
    uint32_t free = 0;
    for (uint32_t d = start; d < start + block; ++d) free += node.device_free[d];
    if (free >= count && free < best_free) best_free = free, best_start = start;
  }
  uint32_t from = best_start < total ? best_start : 0;
  for (uint32_t d = from; d < total && out.size() < count; ++d)
    if (node.device_free[d]) out.push_back(d);
  for (uint32_t d = 0; d < from && out.size() < count; ++d)  // fragmented node: anything free
    if (node.device_free[d]) out.push_back(d);
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<NodeShare>> TopologyPlacer::Place(
    const ResourceRequest& req, const std::vector<NodeResources>& nodes) const {
  if (req.tiles > 0) return PlaceTiles(req, nodes);
  std::vector<size_t> ranked;
  for (size_t i = 0; i < nodes.size(); ++i) {
    // CheckNode would say so too, after comparing partition names: on a
    // busy site most nodes fail these first.
    if (req.accel_per_node > 0 && !MatchesRequest(nodes[i].accel_kind, req.accel_kind)) continue;
    if (req.accel_per_node > nodes[i].DevicesFree()) continue;
    if (CheckNode(req, nodes[i], /*ignore_usage=*/false) == Mismatch::kFits) ranked.push_back(i);
  }
  if (ranked.size() < req.nodes) {
    return MakeError("Resources: " + std::to_string(ranked.size()) + " of the " +
                     std::to_string(req.nodes) + " node(s) needed have room now");
  }
  // Scored once per node: at 6,000 candidates a comparator that scores
  // costs 150,000 scorings a placement.
  using Scored = std::pair<std::tuple<int, uint32_t, size_t>, size_t>;
  std::vector<Scored> scored;
  scored.reserve(ranked.size());
  for (size_t i : ranked) scored.emplace_back(FitScore(req, nodes[i], i), i);
  if (req.nodes == 1) {
    std::iter_swap(scored.begin(), std::min_element(scored.begin(), scored.end()));
  } else {
    std::sort(scored.begin(), scored.end());
  }
  for (size_t k = 0; k < ranked.size(); ++k) ranked[k] = scored[k].second;
  std::vector<size_t> chosen = ChooseNodes(req, ranked, nodes);
  std::sort(chosen.begin(), chosen.end());  // the allocation lists nodes in configured order
  std::vector<NodeShare> shares;
  for (size_t i : chosen) shares.push_back(ShareOn(req, nodes[i], i));
  return shares;
}

Result<std::vector<NodeShare>> TopologyPlacer::PlaceTiles(
    const ResourceRequest& req, const std::vector<NodeResources>& nodes) const {
  std::vector<MeshGrid> grids =
      BuildMeshGrids(nodes, TrayEligibility(req, nodes, false), /*ignore_usage=*/false);
  auto rect = FindTileRect(grids, req.tiles, mesh_strategy_);
  if (!rect) {
    int32_t free = 0;
    for (const auto& g : grids) free += g.FreeTiles();
    std::string why = std::to_string(free) + " d1 tiles free";
    if (free >= static_cast<int32_t>(req.tiles)) {
      return MakeError("NoContiguousTiles: " + why + ", but no free " + ShapeList(req.tiles) +
                       " rectangle");
    }
    return MakeError("Resources: " + why + ", job wants " + std::to_string(req.tiles));
  }
  const MeshGrid& g = grids[rect->grid];
  std::map<int32_t, NodeShare> per_node;  // ordered by node index: configured order
  for (int32_t y = rect->y; y < rect->y + rect->h; ++y) {
    for (int32_t x = rect->x; x < rect->x + rect->w; ++x) {
      const MeshGrid::Cell& c = g.at(x, y);
      NodeShare& s = per_node[c.node];
      if (s.node.empty()) {
        const NodeResources& n = nodes[static_cast<size_t>(c.node)];
        s.node = n.name;
        s.node_index = static_cast<uint32_t>(c.node);
        s.cpus = req.cpus_per_node;
        s.mem_mib = MemNeeded(req, n);
      }
      s.devices.push_back(c.device);
    }
  }
  std::vector<NodeShare> shares;
  for (auto& [i, s] : per_node) {
    std::sort(s.devices.begin(), s.devices.end());
    shares.push_back(std::move(s));
  }
  return shares;
}

Status CheckTilesFeasible(const ResourceRequest& req, const std::vector<NodeResources>& nodes) {
  std::vector<MeshGrid> grids = BuildMeshGrids(
      nodes, TrayEligibility(req, nodes, /*ignore_usage=*/true), /*ignore_usage=*/true);
  if (FindTileRect(grids, req.tiles, MeshStrategy::kFirstFit)) return {};
  int32_t tiles = 0;
  std::vector<std::string> meshes;
  for (const auto& g : grids) {
    tiles += g.FreeTiles();
    if (meshes.size() < 4)
      meshes.push_back(std::to_string(g.width()) + "x" + std::to_string(g.height()));
  }
  return MakeError("the job wants " + std::to_string(req.tiles) + " d1 tiles as one rectangle (" +
                   ShapeList(req.tiles) + "), but partition " + req.partition + " has " +
                   std::to_string(tiles) + " tiles on meshes of " +
                   (meshes.empty() ? "none" : Join(meshes, ", ")) +
                   " where no such rectangle fits");
}

}  // namespace tatami
