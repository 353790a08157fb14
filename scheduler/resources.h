// What a node has and what is free on it, with per-device instances: GPU 3
// on node A is a thing that is allocated, bound and billed, so we track
// which devices are free, not only how many.
//
// Plain values. The scheduling cycle copies them out of the controller into a
// snapshot and works on the copy; the controller owns the originals.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "topology/accelerator.h"
#include "topology/cluster_config.h"
#include "topology/fabric.h"

namespace tatami {

struct NodeResources {
  std::string name;
  std::vector<std::string> partitions;
  std::vector<std::string> features;
  bool schedulable = false;  // registered and up (not DOWN/DRAIN/UNKNOWN)
  uint32_t cpus_total = 0;
  uint32_t cpus_free = 0;
  int64_t mem_total_mib = 0;
  int64_t mem_free_mib = 0;
  AcceleratorKind accel_kind = AcceleratorKind::kNone;
  std::vector<bool> device_free;  // index = device index on the node
  uint32_t running_jobs = 0;
  bool exclusive_owned = false;  // a --exclusive job holds the whole node
  FabricPosition fabric;         // leaf/spine, Dojo mesh coordinates, rack

  uint32_t DevicesFree() const;
  uint32_t DevicesTotal() const { return static_cast<uint32_t>(device_free.size()); }
  bool InPartition(const std::string& partition) const;
  bool HasFeatures(const std::vector<std::string>& wanted) const;
};

// One node's share of an allocation.
struct NodeShare {
  std::string node;
  uint32_t cpus = 0;
  int64_t mem_mib = 0;
  std::vector<uint32_t> devices;
  // Where the placer found the node in the list it was given: a hint that
  // makes applying shares O(shares) on 30,000 nodes; checked against `node`.
  uint32_t node_index = UINT32_MAX;
};

// The configured nodes as the scheduler sees them, in config order: names,
// partitions, features, devices (all free), fabric positions, and CPUs and
// memory where the config gives them (0 where a topology must say). Not
// schedulable until the caller says so.
std::vector<NodeResources> NodeResourcesOf(const ClusterConfig& config);

}  // namespace tatami
