// Starting job processes: one posix_spawn per process, straight from the
// agent (vfork-style clone, so no per-job helper daemon and no copying of
// the agent's address space). Each process leads its own session, so a
// signal to -pid reaches everything the job started.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/result.h"

namespace tatami {

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is the path executed
  std::vector<std::string> env;
  std::string cwd;
  int stdin_fd = -1;  // -1: /dev/null
  int stdout_fd = -1;
  int stderr_fd = -1;
};

Result<pid_t> Spawn(const SpawnOptions& opts);

// Opens (creating) an output file for a job; errors name the file.
Result<int> OpenOutputFile(const std::string& path, bool append);

}  // namespace tatami
