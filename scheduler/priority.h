// Multifactor priority (Slurm's priority/multifactor): each factor is a
// number in [0, 1]; a job's priority is the sum of factor x weight, the
// weights from the config's `priority:` section (PriorityConfig). Computed
// by the caller before a cycle (tatamid for its pending jobs, tatami-sim
// every priority period) and handed to it as PendingJob::priority; the
// cycle only sorts by it. `tatami explain` shows the factors.
//
// Pure functions of their arguments; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "base/clock.h"
#include "topology/cluster_config.h"

namespace tatami {

struct PriorityFactors {
  double age = 0;         // waited / max_age, at most 1
  double fair_share = 1;  // FairShareFactors of the job's account (1: no account)
  double job_size = 0;    // its H100-equivalents / the cluster's
  double partition = 0;   // partition priority / the largest
  double qos = 0;         // QoS priority / the largest
};

// What is the same for every job of one cluster: the largest QoS and
// partition priorities and the cluster's capacity, for normalizing.
struct PriorityScale {
  int64_t max_qos_priority = 0;
  uint32_t max_partition_priority = 0;
  double capacity = 0;  // H100-equivalents (CapacityOf every device)
};
PriorityScale PriorityScaleOf(const ClusterConfig& config, double capacity);

PriorityFactors FactorsOf(const PriorityConfig& config, const PriorityScale& scale, TimeMs submit,
                          TimeMs now, double fair_share, double capacity,
                          uint32_t partition_priority, int64_t qos_priority);

int64_t Weighted(const PriorityConfig& config, const PriorityFactors& f);

// "age 0.50 x 1000 + fair_share 0.25 x 10000 + ... = 3000", factors with weight 0 left out.
std::string DescribePriority(const PriorityConfig& config, const PriorityFactors& f);

}  // namespace tatami
