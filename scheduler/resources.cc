#include "scheduler/resources.h"

#include <algorithm>
#include <unordered_map>

namespace tatami {

uint32_t NodeResources::DevicesFree() const {
  return static_cast<uint32_t>(std::count(device_free.begin(), device_free.end(), true));
}

bool NodeResources::InPartition(const std::string& partition) const {
  return std::find(partitions.begin(), partitions.end(), partition) != partitions.end();
}

bool NodeResources::HasFeatures(const std::vector<std::string>& wanted) const {
  for (const auto& w : wanted) {
    if (std::find(features.begin(), features.end(), w) == features.end()) return false;
  }
  return true;
}

std::vector<NodeResources> NodeResourcesOf(const ClusterConfig& config) {
  // Placement reads fabric positions from the resources, not the Fabric.
  const Fabric fabric(config);
  std::vector<NodeResources> nodes;
  nodes.reserve(config.nodes.size());
  std::unordered_map<std::string, size_t> index;
  for (const NodeConfig& nc : config.nodes) {
    NodeResources r;
    r.name = nc.name;
    r.features = nc.features;
    r.accel_kind = nc.accelerator_kind;
    r.device_free.assign(nc.accelerators, true);
    r.fabric = fabric.PositionOf(nc.name);
    r.cpus_total = r.cpus_free = nc.cpus;
    r.mem_total_mib = r.mem_free_mib = nc.memory_mib;
    index.emplace(nc.name, nodes.size());
    nodes.push_back(std::move(r));
  }
  // One pass over the partitions' node lists (a node-by-partition search
  // is quadratic at 10,000 nodes).
  for (const PartitionConfig& p : config.partitions) {
    for (const std::string& name : p.nodes) {
      if (auto it = index.find(name); it != index.end())
        nodes[it->second].partitions.push_back(p.name);
    }
  }
  return nodes;
}

}  // namespace tatami
