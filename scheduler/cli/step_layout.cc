#include "scheduler/cli/step_layout.h"

#include <algorithm>

namespace tatami {

Result<std::vector<StepTask>> LayOutStep(const std::vector<std::string>& job_nodes,
                                         uint32_t job_ntasks, const StepRequest& req) {
  uint32_t available = static_cast<uint32_t>(job_nodes.size());
  if (available == 0) return MakeError("the job has no nodes (SLURM_JOB_NODELIST is empty)");
  if (req.nodes > available)
    return MakeError("--nodes=" + std::to_string(req.nodes) + ": the job has only " +
                     std::to_string(available) + " node" + (available == 1 ? "" : "s"));
  uint32_t nodes = req.nodes ? req.nodes : available;
  uint32_t ntasks = req.ntasks;
  if (ntasks == 0) ntasks = req.ntasks_per_node ? req.ntasks_per_node * nodes : job_ntasks;
  if (ntasks == 0) ntasks = nodes;
  // As Slurm: fewer tasks than nodes use fewer nodes (unless -N asked for them).
  if (ntasks < nodes) {
    if (req.nodes)
      return MakeError("--ntasks=" + std::to_string(ntasks) + " is fewer than --nodes=" +
                       std::to_string(req.nodes) + ": every node needs a task");
    nodes = ntasks;
  }
  if (req.ntasks_per_node && ntasks > req.ntasks_per_node * nodes)
    return MakeError("--ntasks=" + std::to_string(ntasks) + " does not fit " +
                     std::to_string(req.ntasks_per_node) + " per node on " + std::to_string(nodes) +
                     " node" + (nodes == 1 ? "" : "s"));
  std::vector<StepTask> tasks;
  tasks.reserve(ntasks);
  uint32_t rank = 0;
  for (uint32_t n = 0; n < nodes && rank < ntasks; ++n) {
    uint32_t here = req.ntasks_per_node ? std::min(req.ntasks_per_node, ntasks - rank)
                                        : ntasks / nodes + (n < ntasks % nodes ? 1 : 0);
    for (uint32_t local = 0; local < here; ++local)
      tasks.push_back({rank++, local, n, job_nodes[n]});
  }
  return tasks;
}

}  // namespace tatami
