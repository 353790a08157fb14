// What a job needs on each node, derived once from its JobSpec and the
// partition's defaults (Slurm's task/CPU/GPU arithmetic lives here only).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "proto/tatami.pb.h"
#include "topology/cluster_config.h"

namespace tatami {

struct ResourceRequest {
  std::string partition;
  uint32_t nodes = 1;
  uint32_t tasks = 1;
  uint32_t tasks_per_node = 1;
  uint32_t cpus_per_node = 1;
  int64_t mem_per_node_mib = 0;  // -1: the whole node (--mem=0)
  std::string accel_kind;        // "" none, "gpu" any GPU, or a kind name
  uint32_t accel_per_node = 0;
  // d1 only: tiles for the whole job, placed as one rectangle on a Dojo mesh
  // across as many tray hosts as it covers (accel_per_node is then 0).
  uint32_t tiles = 0;
  bool exclusive = false;
  std::vector<std::string> features;
  std::vector<std::string> required_nodes;  // --nodelist
  std::vector<std::string> excluded_nodes;  // --exclude
};

// Everything placement reads from a request, as text: two requests with the
// same key get the same answer from a Placer on the same nodes. "" when the
// request names nodes (--nodelist/--exclude), which are not worth keying.
std::string PlacementKey(const ResourceRequest& r);

// Errors name the option at fault ("--gpus=3 is not a multiple of -N 2").
// `max_accel_per_node`, the most devices of the requested kind one node of
// the partition has, lets `--gpus=N` without -N fill whole nodes (0: unknown).
Result<ResourceRequest> MakeResourceRequest(const v1::JobSpec& spec,
                                            const PartitionConfig& partition,
                                            uint32_t max_accel_per_node = 0);

}  // namespace tatami
