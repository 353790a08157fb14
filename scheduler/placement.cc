#include "scheduler/placement.h"

#include <algorithm>
#include <unordered_map>

#include "base/strings.h"
#include "scheduler/topology_placer.h"

namespace tatami {
namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

bool DevicesCountFor(const ResourceRequest& req, const NodeResources& node) {
  // The kind first: an enum compare rules out most nodes of a mixed site
  // before any partition name is compared.
  return WantsDevicesOf(req, node.accel_kind) && node.InPartition(req.partition);
}

bool WantsDevicesOf(const ResourceRequest& req, AcceleratorKind kind) {
  return req.tiles > 0 ? kind == AcceleratorKind::kD1 : MatchesRequest(kind, req.accel_kind);
}

uint64_t DevicesWanted(const ResourceRequest& req) {
  return req.tiles > 0 ? req.tiles : uint64_t{req.accel_per_node} * req.nodes;
}

int64_t MemNeeded(const ResourceRequest& req, const NodeResources& node) {
  return req.mem_per_node_mib < 0 ? node.mem_total_mib : req.mem_per_node_mib;
}

Mismatch CheckNode(const ResourceRequest& req, const NodeResources& node, bool ignore_usage) {
  if (!node.InPartition(req.partition)) return Mismatch::kPartition;
  if (!req.excluded_nodes.empty() && Contains(req.excluded_nodes, node.name))
    return Mismatch::kExcluded;
  if (!req.required_nodes.empty() && !Contains(req.required_nodes, node.name)) {
    return Mismatch::kNotInNodelist;
  }
  if (!node.HasFeatures(req.features)) return Mismatch::kFeatures;
  if (req.accel_per_node > 0) {
    if (!MatchesRequest(node.accel_kind, req.accel_kind)) return Mismatch::kAcceleratorKind;
    if (node.DevicesTotal() < req.accel_per_node) return Mismatch::kAcceleratorCount;
  }
  if (node.cpus_total < req.cpus_per_node) return Mismatch::kCpuCount;
  if (node.mem_total_mib < MemNeeded(req, node)) return Mismatch::kMemorySize;
  if (ignore_usage) return Mismatch::kFits;
  if (!node.schedulable) return Mismatch::kUnavailable;
  if (node.exclusive_owned) return Mismatch::kHeldExclusively;
  if (req.exclusive && node.running_jobs > 0) return Mismatch::kBusyForExclusive;
  if (req.accel_per_node > node.DevicesFree()) return Mismatch::kAcceleratorsBusy;
  if (req.cpus_per_node > node.cpus_free) return Mismatch::kCpusBusy;
  if (MemNeeded(req, node) > node.mem_free_mib) return Mismatch::kMemoryBusy;
  return Mismatch::kFits;
}

std::string DescribeMismatch(Mismatch m, const ResourceRequest& req, const NodeResources& node) {
  auto n = [](auto v) { return std::to_string(v); };
  std::string kind(AcceleratorName(node.accel_kind));
  switch (m) {
    case Mismatch::kFits:
      return "fits";
    case Mismatch::kPartition:
      return "not in partition " + req.partition;
    case Mismatch::kExcluded:
      return "excluded by --exclude";
    case Mismatch::kNotInNodelist:
      return "not in --nodelist";
    case Mismatch::kFeatures:
      return "lacks a feature of --constraint=" + Join(req.features, "&");
    case Mismatch::kAcceleratorKind:
      return "has " + (kind.empty() ? std::string("no accelerators") : kind) + ", job wants " +
             req.accel_kind;
    case Mismatch::kAcceleratorCount:
      return "has " + n(node.DevicesTotal()) + " " + kind + ", job wants " + n(req.accel_per_node) +
             " per node";
    case Mismatch::kCpuCount:
      return "has " + n(node.cpus_total) + " CPUs, job wants " + n(req.cpus_per_node);
    case Mismatch::kMemorySize:
      return "has " + FormatMemoryMiB(node.mem_total_mib) + " memory, job wants " +
             FormatMemoryMiB(MemNeeded(req, node));
    case Mismatch::kUnavailable:
      return "not available (down, drained or not registered)";
    case Mismatch::kHeldExclusively:
      return "held by an exclusive job";
    case Mismatch::kBusyForExclusive:
      return "busy; the job wants it exclusively";
    case Mismatch::kAcceleratorsBusy:
      return n(node.DevicesFree()) + " of " + n(node.DevicesTotal()) + " " + kind + " free";
    case Mismatch::kCpusBusy:
      return n(node.cpus_free) + " of " + n(node.cpus_total) + " CPUs free";
    case Mismatch::kMemoryBusy:
      return "not enough free memory";
  }
  return "unknown";
}

Status CheckFeasible(const ResourceRequest& req, const std::vector<NodeResources>& nodes) {
  if (req.tiles > 0) return CheckTilesFeasible(req, nodes);
  uint32_t fitting = 0;
  std::vector<std::string> why;
  for (const auto& n : nodes) {
    if (!n.InPartition(req.partition)) continue;
    Mismatch m = CheckNode(req, n, /*ignore_usage=*/true);
    if (m == Mismatch::kFits) {
      ++fitting;
    } else if (why.size() < 4) {
      why.push_back(n.name + ": " + DescribeMismatch(m, req, n));
    }
  }
  for (const auto& name : req.required_nodes) {
    bool known = std::any_of(nodes.begin(), nodes.end(), [&](const NodeResources& n) {
      return n.name == name && n.InPartition(req.partition);
    });
    if (!known)
      return MakeError("--nodelist names " + name + ", which is not in partition " + req.partition);
  }
  if (fitting >= req.nodes) return {};
  std::string msg = "the job needs " + std::to_string(req.nodes) + " node(s) with " +
                    std::to_string(req.cpus_per_node) + " CPUs";
  if (req.accel_per_node)
    msg += " and " + std::to_string(req.accel_per_node) + " " + req.accel_kind;
  msg +=
      " each, but partition " + req.partition + " has " + std::to_string(fitting) + " such node(s)";
  if (!why.empty()) msg += " (" + Join(why, "; ") + ")";
  return MakeError(msg);
}

Result<std::vector<NodeShare>> FirstFitPlacer::Place(
    const ResourceRequest& req, const std::vector<NodeResources>& nodes) const {
  // Tiles are never scattered: the first free rectangle is the baseline.
  if (req.tiles > 0) return TopologyPlacer(MeshStrategy::kFirstFit).Place(req, nodes);
  std::vector<NodeShare> shares;
  for (size_t index = 0; index < nodes.size(); ++index) {
    const NodeResources& n = nodes[index];
    if (shares.size() == req.nodes) break;
    if (CheckNode(req, n, /*ignore_usage=*/false) != Mismatch::kFits) continue;
    NodeShare s;
    s.node = n.name;
    s.node_index = static_cast<uint32_t>(index);
    s.cpus = req.exclusive ? n.cpus_free : req.cpus_per_node;
    s.mem_mib = MemNeeded(req, n);
    uint32_t want = req.exclusive ? n.DevicesFree() : req.accel_per_node;
    for (uint32_t i = 0; i < n.device_free.size() && s.devices.size() < want; ++i) {
      if (n.device_free[i]) s.devices.push_back(i);
    }
    shares.push_back(std::move(s));
  }
  if (shares.size() < req.nodes) {
    return MakeError("Resources: " + std::to_string(shares.size()) + " of the " +
                     std::to_string(req.nodes) + " node(s) needed have room now");
  }
  return shares;
}

namespace {

template <typename Fn>
void ForShareNode(const NodeShare& s, std::vector<NodeResources>& nodes, Fn fn) {
  if (size_t i = NodeIndexOf(s, nodes); i < nodes.size()) fn(nodes[i]);
}

}  // namespace

size_t NodeIndexOf(const NodeShare& share, const std::vector<NodeResources>& nodes) {
  if (share.node_index < nodes.size() && nodes[share.node_index].name == share.node)
    return share.node_index;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].name == share.node) return i;
  }
  return nodes.size();
}

void ApplyShares(const std::vector<NodeShare>& shares, bool exclusive,
                 std::vector<NodeResources>& nodes) {
  for (const auto& s : shares) {
    ForShareNode(s, nodes, [&](NodeResources& n) {
      n.cpus_free -= std::min(n.cpus_free, s.cpus);
      n.mem_free_mib -= std::min(n.mem_free_mib, s.mem_mib);
      for (uint32_t d : s.devices) {
        if (d < n.device_free.size()) n.device_free[d] = false;
      }
      ++n.running_jobs;
      if (exclusive) n.exclusive_owned = true;
    });
  }
}

void ReleaseShares(const std::vector<NodeShare>& shares, bool exclusive,
                   std::vector<NodeResources>& nodes) {
  for (const auto& s : shares) {
    ForShareNode(s, nodes, [&](NodeResources& n) {
      n.cpus_free = std::min(n.cpus_total, n.cpus_free + s.cpus);
      n.mem_free_mib = std::min(n.mem_total_mib, n.mem_free_mib + s.mem_mib);
      for (uint32_t d : s.devices) {
        if (d < n.device_free.size()) n.device_free[d] = true;
      }
      if (n.running_jobs > 0) --n.running_jobs;
      if (exclusive) n.exclusive_owned = false;
    });
  }
}

}  // namespace tatami
