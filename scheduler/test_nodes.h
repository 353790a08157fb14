// For the scheduler's tests: a node of partition "gpu" with 32 CPUs, 256 GiB
// and `devices` free devices of `kind`, schedulable.
#pragma once

#include <string>

#include "scheduler/resources.h"

namespace tatami::testing {

inline NodeResources TestNode(const std::string& name,
                              AcceleratorKind kind = AcceleratorKind::kH100, uint32_t devices = 8) {
  NodeResources n;
  n.name = name;
  n.partitions = {"gpu"};
  n.schedulable = true;
  n.cpus_total = n.cpus_free = 32;
  n.mem_total_mib = n.mem_free_mib = 256 * 1024;
  n.accel_kind = kind;
  n.device_free.assign(devices, true);
  return n;
}

}  // namespace tatami::testing
