#include "scheduler/spec_checks.h"

#include <csignal>
#include <cstdint>
#include <string>
#include <tuple>

#include "scheduler/dependency.h"

namespace tatami {
namespace {

constexpr int64_t kMostNice = 2147483645;    // as ParseNice: Slurm's NICE_OFFSET - 3
constexpr int32_t kMostWarnSeconds = 65535;  // as sbatch --signal

Status NotNegative(int64_t value, const char* option, const char* field, const char* zero) {
  if (value >= 0) return {};
  return MakeError(std::string(option) + " (" + field + "): " + std::to_string(value) +
                   " is negative (want 0 for " + zero + ", or more)");
}

}  // namespace

Status CheckSpecFields(const v1::JobSpec& spec) {
  if (spec.user().empty()) return MakeError("the job names no user (JobSpec.user)");
  if (!spec.work_dir().empty() && spec.work_dir()[0] != '/') {
    return MakeError("--chdir (work_dir): '" + spec.work_dir() + "' is not an absolute path");
  }
  for (auto [value, option, field, zero] :
       {std::tuple{spec.time_limit_ms(), "--time", "time_limit_ms", "the partition's default"},
        {spec.time_min_ms(), "--time-min", "time_min_ms", "none"},
        {spec.begin_time(), "--begin", "begin_time", "at once"}}) {
    if (Status s = NotNegative(value, option, field, zero); !s.ok()) return s;
  }
  if (spec.mem_per_node_mib() < -1) {
    return MakeError("--mem (mem_per_node_mib): " + std::to_string(spec.mem_per_node_mib()) +
                     " is not a size (want MiB, 0 for the partition's default or -1 for the whole "
                     "node)");
  }
  if (spec.nice() < -kMostNice || spec.nice() > kMostNice) {
    return MakeError("--nice (nice): " + std::to_string(spec.nice()) +
                     " is out of range (want -2147483645 to 2147483645)");
  }
  if (spec.warn_signal() < 0 || spec.warn_signal() >= NSIG) {
    return MakeError("--signal (warn_signal): " + std::to_string(spec.warn_signal()) +
                     " is not a signal (want 1 to " + std::to_string(NSIG - 1) + ", or 0: none)");
  }
  if (spec.warn_seconds() < 0 || spec.warn_seconds() > kMostWarnSeconds) {
    return MakeError("--signal (warn_seconds): " + std::to_string(spec.warn_seconds()) +
                     " is not a number of seconds from 0 to 65535");
  }
  if (!spec.open_mode().empty() && spec.open_mode() != "truncate" && spec.open_mode() != "append") {
    return MakeError("--open-mode (open_mode): '" + spec.open_mode() +
                     "' is neither truncate nor append");
  }
  for (const std::string& kv : spec.env()) {
    if (kv.find('=') == std::string::npos || kv[0] == '=')
      return MakeError("--export (env): '" + kv + "' is not KEY=VALUE");
  }
  for (int i = 0; i < spec.accelerator_options_size(); ++i) {
    if (spec.accelerator_options(i).accelerators().kind().empty()) {
      return MakeError("--gpus (accelerator_options[" + std::to_string(i) +
                       "]): an alternative names no accelerator kind");
    }
  }
  // The terms as ParseDependency would have made them from their text.
  if (spec.dependencies_size() > 0) {
    v1::JobSpec reparsed;
    if (Status s = ParseDependency(FormatDependency(spec), &reparsed); !s.ok()) return s;
  }
  return {};
}

}  // namespace tatami
