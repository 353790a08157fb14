// dcgm-exporter's HPC job mapping (--hpc-job-mapping-dir): one file per GPU
// index whose content names the job(s) on that GPU; dcgm-exporter adds it
// as the `hpc_job` label to every metric of that GPU, which is how GPU
// utilisation is joined to Tatami jobs in Grafana.
//
// The agent writes the files when a job starts on a node and removes them
// when it ends. Errors come back as Status naming the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace tatami {

// The mapping folder for `node`: "%n" in the configured folder becomes the
// node name (several emulated nodes on one machine need one folder each).
std::string JobMappingDir(const std::string& configured, const std::string& node);

Status WriteJobMapping(const std::string& dir, const std::vector<uint32_t>& devices,
                       const std::string& job);
// Removes the files that still name `job` (a later job may own the GPU now).
void RemoveJobMapping(const std::string& dir, const std::vector<uint32_t>& devices,
                      const std::string& job);

}  // namespace tatami
