#include "launcher/job_usage.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace tatami {

Result<ProcessUsage> ParseProcStat(const std::string& line, int64_t ticks_per_second,
                                   int64_t page_bytes) {
  // "PID (COMM) STATE PPID PGRP SESSION ... UTIME(14) STIME CUTIME CSTIME ... RSS(24)"; COMM
  // may hold spaces and parentheses, so fields are counted after the last ')'.
  size_t paren = line.rfind(')');
  if (paren == std::string::npos || paren + 2 > line.size())
    return MakeError("/proc stat line without '(comm)': " + line.substr(0, 60));
  ProcessUsage u;
  u.pid = static_cast<pid_t>(std::atol(line.c_str()));
  std::istringstream fields(line.substr(paren + 2));
  std::string f;
  int64_t ticks = 0;
  for (int i = 3; i <= 24; ++i) {
    if (!(fields >> f))
      return MakeError("/proc stat line has only " + std::to_string(i - 1) + " fields");
    if (i == 6) u.session = static_cast<pid_t>(std::atol(f.c_str()));
    if (i >= 14 && i <= 17) ticks += std::atoll(f.c_str());
    if (i == 24) u.rss_bytes = std::atoll(f.c_str()) * page_bytes;
  }
  u.cpu_ms = ticks * 1000 / ticks_per_second;
  return u;
}

std::map<pid_t, SessionUsage> ReadSessionUsage(const std::set<pid_t>& sessions,
                                               const std::string& proc_root) {
  std::map<pid_t, SessionUsage> out;
  if (sessions.empty()) return out;
  static const int64_t ticks = sysconf(_SC_CLK_TCK);
  static const int64_t page = sysconf(_SC_PAGESIZE);
  DIR* dir = opendir(proc_root.c_str());
  if (!dir) return out;
  std::string line;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    std::ifstream in(proc_root + "/" + e->d_name + "/stat");
    if (!std::getline(in, line)) continue;  // exited meanwhile
    auto u = ParseProcStat(line, ticks, page);
    if (!u || !sessions.count(u->session)) continue;
    SessionUsage& s = out[u->session];
    s.cpu_ms += u->cpu_ms;
    s.rss_bytes += u->rss_bytes;
  }
  closedir(dir);
  return out;
}

}  // namespace tatami
