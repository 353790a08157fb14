// Parses the `qos:` section of the cluster config. Internal to topology/;
// errors carry FILE:LINE:COL.
//
//   qos:
//     - {name: fsd-prod, priority: 1000, preempts: [burst, scavenger]}
//     - {name: burst, priority: 100, preempts: [scavenger], grace_time: 2m, min_runtime: 10m}
//     - {name: scavenger, grace_time: 30s, preempt_mode: cancel}
#pragma once

#include "base/result.h"
#include "topology/cluster_config.h"
#include "topology/config_reader.h"

namespace tatami::config {

Status ParseQos(const Reader& r, const YAML::Node& qos, ClusterConfig& c);

}  // namespace tatami::config
