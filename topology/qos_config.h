// Parses the policy sections of the cluster config, `qos:` and `throughput:`.
// Internal to topology/; errors carry FILE:LINE:COL.
//
//   qos:
//     - {name: fsd-prod, priority: 1000, preempts: [burst, scavenger]}
//     - {name: burst, priority: 100, preempts: [scavenger], grace_time: 2m, min_runtime: 10m}
//     - {name: scavenger, grace_time: 30s, preempt_mode: cancel,
//        max_jobs_per_user: 50, max_devices_per_user: {h100: 64}, max_devices: {h100: 512},
//        max_submit_jobs_per_user: 1000}
#pragma once

#include "base/result.h"
#include "topology/cluster_config.h"
#include "topology/config_reader.h"

namespace tatami::config {

Status ParseQos(const Reader& r, const YAML::Node& qos, ClusterConfig& c);

// The `throughput:` table of job classes (JobClassConfig):
//
//   throughput:
//     vision: {h100: 1.0, d1: 1.3, hw4: 0.45}
//     language: {h100: 1.0, d1: 0.8}
Status ParseThroughput(const Reader& r, const YAML::Node& table, ClusterConfig& c);

}  // namespace tatami::config
