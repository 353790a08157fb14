// Parses the `fabric:` section of the cluster config (leaf switches, Dojo
// tile meshes, HW4 racks) into ClusterConfig::fabric, checking it against
// the nodes already parsed. Internal to topology/; errors carry FILE:LINE:COL.
#pragma once

#include "base/result.h"
#include "topology/cluster_config.h"
#include "topology/config_reader.h"

namespace tatami::config {

Status ParseFabric(const Reader& r, const YAML::Node& fabric, ClusterConfig& c);

}  // namespace tatami::config
