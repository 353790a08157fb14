// --output/--error file names: Slurm's %j %x %A %a %N %n %u %% patterns,
// relative to the job's working directory.
#pragma once

#include <string>

#include "proto/tatami.pb.h"

namespace tatami {

// `pattern` "" means Slurm's default: slurm-%j.out, or slurm-%A_%a.out for
// array tasks. Numeric fields take a zero-padding width: %4j.
std::string ResolveOutputPath(const std::string& pattern, const v1::JobInfo& job,
                              const std::string& node, int node_index);

}  // namespace tatami
