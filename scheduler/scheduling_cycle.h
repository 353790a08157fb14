// One scheduling cycle: an immutable Snapshot in, a Plan out.
//
// The controller copies what the cycle needs (free resources per node, the
// eligible pending jobs) into a Snapshot, releases its lock, and calls
// RunSchedulingCycle. The Plan lists jobs to start with their shares and a
// pending reason for every job that stays. The controller (the one writer)
// re-checks each start against the live state before committing it.
//
// Who goes next is the QueuePolicy's business; where a job fits is the
// Placer's. This function only walks the order and keeps the books.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/clock.h"
#include "scheduler/placement.h"
#include "scheduler/resource_request.h"
#include "scheduler/resources.h"

namespace tatami {

struct PendingJob {
  uint64_t job_id = 0;
  int64_t priority = 0;  // higher goes first
  TimeMs submit_time = 0;
  ResourceRequest request;
};

struct Snapshot {
  TimeMs now = 0;
  std::vector<NodeResources> nodes;
  std::vector<PendingJob> pending;  // eligible jobs only (dependencies met, not held)
};

struct PlannedStart {
  uint64_t job_id = 0;
  std::vector<NodeShare> shares;
};

struct Plan {
  std::vector<PlannedStart> starts;
  std::vector<std::pair<uint64_t, std::string>> reasons;  // job -> Slurm reason code
};

class QueuePolicy {
 public:
  virtual ~QueuePolicy() = default;
  // Indices into snapshot.pending, first to be considered first.
  virtual std::vector<size_t> Order(const Snapshot& snapshot) const = 0;
  // Whether a job that cannot start blocks the jobs behind it in its
  // partition (strict FIFO) or lets them try (backfill-like policies).
  virtual bool BlocksPartition() const = 0;
};

// First come, first served: priority, then submit time, then job id. A job
// that does not fit holds back later jobs of its partition ("Priority").
class FifoPolicy final : public QueuePolicy {
 public:
  std::vector<size_t> Order(const Snapshot& snapshot) const override;
  bool BlocksPartition() const override { return true; }
};

// The Slurm-style reason code a placement error starts with ("NoContiguousTiles:
// ..." -> "NoContiguousTiles"); "Resources" when it names none.
std::string ReasonCode(const std::string& placement_error);

Plan RunSchedulingCycle(const Snapshot& snapshot, const QueuePolicy& policy, const Placer& placer);

}  // namespace tatami
