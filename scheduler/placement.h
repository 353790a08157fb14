// Where a job fits: feasibility first (could it ever run here?), then a
// choice among the nodes where it fits now. Who goes next is decided
// elsewhere (queue_policy.h); this file only answers "where".
//
// Placers are stateless and thread-safe; they read the nodes they are given
// and never modify them (ApplyShares/ReleaseShares do that, on a copy owned
// by the caller).
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "scheduler/resource_request.h"
#include "scheduler/resources.h"

namespace tatami {

// Why one node cannot take a request. kFits when it can. `ignore_usage`
// asks whether it could on an empty node. Cheap: the cycle calls it for
// every (job, node) pair it looks at; only DescribeMismatch allocates.
enum class Mismatch {
  kFits,
  kPartition,
  kExcluded,
  kNotInNodelist,
  kFeatures,
  kAcceleratorKind,
  kAcceleratorCount,
  kCpuCount,
  kMemorySize,
  kUnavailable,
  kHeldExclusively,
  kBusyForExclusive,
  kAcceleratorsBusy,
  kCpusBusy,
  kMemoryBusy,
};
Mismatch CheckNode(const ResourceRequest& req, const NodeResources& node, bool ignore_usage);
// For `tatami explain` and errors: "has 8 h100, job wants 16 per node".
std::string DescribeMismatch(Mismatch m, const ResourceRequest& req, const NodeResources& node);

// Whether `kind` is the kind of device the request counts (Dojo tiles for a
// tiles request), and how many it wants over the whole job.
bool WantsDevicesOf(const ResourceRequest& req, AcceleratorKind kind);
uint64_t DevicesWanted(const ResourceRequest& req);
// Whether `node`'s devices count towards `req`: its partition and kind.
// Backfill and preemption sum such devices to know when placing is worth trying.
bool DevicesCountFor(const ResourceRequest& req, const NodeResources& node);

// Memory the request takes on `node` (--mem=0: all of it).
int64_t MemNeeded(const ResourceRequest& req, const NodeResources& node);

// Could the request ever run on these nodes (ignoring what is in use)?
// The error says why not, per node where it helps.
Status CheckFeasible(const ResourceRequest& req, const std::vector<NodeResources>& nodes);

class Placer {
 public:
  virtual ~Placer() = default;
  // The shares the job would get now, or an error naming why it cannot start.
  virtual Result<std::vector<NodeShare>> Place(const ResourceRequest& req,
                                               const std::vector<NodeResources>& nodes) const = 0;
};

// Takes nodes in their configured order and, on each, the lowest free device
// indices (Dojo tiles: the first free rectangle): the baseline that TopologyPlacer
// (topology_placer.h), which the daemon uses, is compared with in tests and benchmarks.
class FirstFitPlacer final : public Placer {
 public:
  Result<std::vector<NodeShare>> Place(const ResourceRequest& req,
                                       const std::vector<NodeResources>& nodes) const override;
};

// Where `share`'s node is in `nodes`: its hint when that names the node,
// else by name; nodes.size() when it is not there.
size_t NodeIndexOf(const NodeShare& share, const std::vector<NodeResources>& nodes);

// Deducts/returns shares on `nodes` (matched by name).
void ApplyShares(const std::vector<NodeShare>& shares, bool exclusive,
                 std::vector<NodeResources>& nodes);
void ReleaseShares(const std::vector<NodeShare>& shares, bool exclusive,
                   std::vector<NodeResources>& nodes);

}  // namespace tatami
