// Parses the `metrics:` and `billing:` sections of the cluster config.
// Internal to topology/; errors carry FILE:LINE:COL.
#pragma once

#include "base/result.h"
#include "topology/cluster_config.h"
#include "topology/config_reader.h"

namespace tatami::config {

Status ParseMetrics(const Reader& r, const YAML::Node& metrics, ClusterConfig& c);
// Needs the qos list parsed first: a price's tier names a QoS when any are configured.
Status ParseBilling(const Reader& r, const YAML::Node& billing, ClusterConfig& c);

}  // namespace tatami::config
