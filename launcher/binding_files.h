// The files through which a job's ranks find the binding the controller
// decided (JobInfo.binding): a per-node binding file that tatami-bind reads,
// and the Open MPI rankfile for the whole job.
//
// Pure functions; the agent writes what they return into the job's spool.
#pragma once

#include <string>

#include "base/result.h"
#include "proto/tatami.pb.h"
#include "topology/binding.h"

namespace tatami {

// One line per rank on `launch.node()`:
//   LOCAL_RANK RANK DEVICE NUMA CPUS NIC      ('-' for none)
std::string BuildBindingFile(const v1::JobLaunch& launch);

// "rank R=NODE slot=CPUS" for every rank; "" when some rank has no cores
// (a rankfile must place every rank).
std::string BuildRankfile(const v1::JobInfo& job);

// The entry for `local_rank` in a binding file's text, and how many ranks
// the file lists. Errors name `origin`, the line and what was wrong.
struct BindingFileEntry {
  RankBinding rank;
  uint32_t ranks_on_node = 0;
};
Result<BindingFileEntry> FindRankBinding(const std::string& text, uint32_t local_rank,
                                         const std::string& origin);

}  // namespace tatami
