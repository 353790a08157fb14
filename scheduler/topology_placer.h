// Topology-aware placement: where a job's devices should be so that it runs
// as fast as the hardware allows and leaves the rest of the cluster usable.
//
//   h100 (and CPU-only) jobs: on each node the free devices that keep the job
//     inside one aligned block (GPUs 0-3 share socket 0 and its NICs on an
//     HGX board); across nodes, the candidate node set (tightest leaf, one
//     spine's fullest leaves, any leaves) whose all-reduce the cost model of
//     collectives/cost_model.h rates fastest, so as few leaf switches and
//     spines as possible; among equals, the nodes whose remaining free GPUs
//     still fit common job sizes (best fit, no stranded 3s and 5s).
//   d1 jobs: one contiguous rectangle of tiles on a Dojo mesh (dojo_mesh.h),
//     or wait with reason NoContiguousTiles.
//   hw4 jobs: one host; many boards means an array, never a gang.
//
// Stateless and thread-safe, like every Placer. Errors start with the
// Slurm-style reason code the job shows while it waits ("Resources: ...").
#pragma once

#include "scheduler/dojo_mesh.h"
#include "scheduler/placement.h"

namespace tatami {

class TopologyPlacer final : public Placer {
 public:
  explicit TopologyPlacer(MeshStrategy mesh = MeshStrategy::kLeastFragmentation)
      : mesh_strategy_(mesh) {}
  Result<std::vector<NodeShare>> Place(const ResourceRequest& req,
                                       const std::vector<NodeResources>& nodes) const override;

 private:
  Result<std::vector<NodeShare>> PlaceTiles(const ResourceRequest& req,
                                            const std::vector<NodeResources>& nodes) const;
  MeshStrategy mesh_strategy_;
};

// The devices of `node` a job wanting `count` of them should get: the
// fullest aligned power-of-two block that has room, lowest indices first.
std::vector<uint32_t> ChooseDevices(const NodeResources& node, uint32_t count);

// For d1 requests: could a rectangle of the requested tiles ever be free on
// the eligible trays? Error says which shapes were tried on which meshes.
Status CheckTilesFeasible(const ResourceRequest& req, const std::vector<NodeResources>& nodes);

}  // namespace tatami
