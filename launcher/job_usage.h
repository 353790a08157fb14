// What a job's processes use right now, read from /proc: CPU time and
// resident memory summed over the job's sessions (every job process leads
// or belongs to a session the agent started: the batch script's, and one
// per tatami-rsh command). Without cgroups this is how the agent attributes
// processes to jobs; a process that leaves its session (setsid) escapes.
//
// Pure functions over a /proc tree (injectable, so tests use a fake one).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"

namespace tatami {

struct ProcessUsage {
  pid_t pid = 0;
  pid_t session = 0;
  int64_t cpu_ms = 0;     // utime + stime + cutime + cstime: itself and its reaped children
  int64_t rss_bytes = 0;  // resident set
};

// One /proc/PID/stat line. Error names what was malformed.
Result<ProcessUsage> ParseProcStat(const std::string& line, int64_t ticks_per_second,
                                   int64_t page_bytes);

struct SessionUsage {
  int64_t cpu_ms = 0;
  int64_t rss_bytes = 0;
};

// Sums every process of /proc (at `proc_root`) whose session is in
// `sessions`. Processes that vanish while being read are skipped.
std::map<pid_t, SessionUsage> ReadSessionUsage(const std::set<pid_t>& sessions,
                                               const std::string& proc_root = "/proc");

}  // namespace tatami
