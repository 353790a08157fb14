// tatami update's vocabulary, shared by the CLI and tatamid so that both
// name the same fields in the same words.
#pragma once

#include "proto/tatami.pb.h"

namespace tatami {

inline constexpr const char* kNothingToUpdate =
    "nothing to change: give --time, --time-min, --qos, --account, --partition, --nodes, "
    "--ntasks, --mem, --gpus (or --gres, --gpus-per-node, --tiles, --accelerators), "
    "--job-class, --constraint, --dependency or --nice";

// scontrol's keys that tatami update takes, in words for an error.
inline constexpr const char* kUpdatableKeys =
    "TimeLimit, TimeMin, QOS, Account, Partition, NumNodes, NumTasks, MinMemoryNode, Gres, "
    "TresPerNode, TresPerJob, Features, Dependency and Nice";

// Changes only a pending job may take: a running one's request is settled.
inline bool ChangesPendingOnlyFields(const v1::UpdateJobsRequest& req) {
  return req.has_qos() || req.has_account() || req.has_partition() || req.has_dependency() ||
         req.has_nice() || req.has_time_min_ms() || req.has_constraint() || req.has_nodes() ||
         req.has_ntasks() || req.has_mem_per_node_mib() || req.has_accelerators() ||
         req.has_job_class();
}

inline bool ChangesAnything(const v1::UpdateJobsRequest& req) {
  return req.has_time_limit_ms() || ChangesPendingOnlyFields(req);
}

}  // namespace tatami
