// What one node looks like inside: CPUs, memory, NUMA nodes and its
// accelerators with their locality (closest NUMA node, NIC, cores).
//
// Discovered with hwloc from the real machine ("host"), from a shipped hwloc
// XML file (emulated HGX H100 node), or synthesised from the config's cpu
// count (Dojo tray hosts and HW4 racks, whose tiles and boards hwloc cannot
// see). Values are plain data; copy freely.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "topology/accelerator.h"
#include "topology/cluster_config.h"

namespace tatami {

struct DeviceTopology {
  uint32_t index = 0;  // per-node device index: what CUDA_VISIBLE_DEVICES names
  AcceleratorKind kind = AcceleratorKind::kNone;
  int numa_node = -1;
  std::string pci_bus_id;
  std::string closest_nic;  // e.g. mlx5_0, the HCA sharing the device's PCIe switch
  std::vector<uint32_t> local_cpus;
};

struct NodeTopology {
  uint32_t cpus = 0;
  int64_t memory_mib = 0;
  uint32_t packages = 0;
  uint32_t numa_nodes = 0;
  std::vector<DeviceTopology> devices;
};

// Discovers the node `node` of `config`. Errors name the node and the file.
Result<NodeTopology> DiscoverNode(const NodeConfig& node, const ClusterConfig& config);

// Every configured node's topology, one discovery per distinct description
// (topology file, CPUs, memory, accelerators): hwloc costs ~5 ms a node,
// 50 s for 10,000 nodes, against a handful of shapes. Null for nodes whose
// topology is "host": those are learned when their agent registers.
Result<std::vector<std::shared_ptr<const NodeTopology>>> DiscoverConfiguredNodes(
    const ClusterConfig& config);

}  // namespace tatami
