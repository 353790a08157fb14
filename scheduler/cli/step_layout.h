// Where srun's tasks go among a job's nodes: Slurm's block distribution.
// Ranks fill one node before the next; without --ntasks-per-node the tasks
// are spread evenly, the first nodes taking one more when they do not
// divide. Pure: the caller reads the job's environment and the options.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace tatami {

struct StepTask {
  uint32_t rank;        // SLURM_PROCID
  uint32_t local_rank;  // SLURM_LOCALID: its index among the tasks on its node
  uint32_t node_index;  // SLURM_NODEID: the node's index among the step's nodes
  std::string node;
};

struct StepRequest {
  uint32_t ntasks = 0;           // -n; 0: ntasks_per_node x nodes, else the job's
  uint32_t nodes = 0;            // -N; 0: every node of the job (at most one per task)
  uint32_t ntasks_per_node = 0;  // --ntasks-per-node; 0: spread evenly
};

// `job_nodes`: the job's nodes in order; `job_ntasks`: its SLURM_NTASKS.
// Errors (say which option and what was wanted): more nodes than the job
// has, or more tasks than --ntasks-per-node allows on the nodes.
Result<std::vector<StepTask>> LayOutStep(const std::vector<std::string>& job_nodes,
                                         uint32_t job_ntasks, const StepRequest& req);

}  // namespace tatami
