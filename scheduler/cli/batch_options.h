// sbatch's options: from #SBATCH lines, SBATCH_* variables and the command
// line (that precedence, lowest first), into a JobSpec.
//
// Pure: the caller supplies the script text, the environment and the
// process facts (user, cwd), so tests need no files. Errors name the script
// line or the option and say what was wanted.
#pragma once

#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "proto/tatami.pb.h"

namespace tatami {

struct BatchRequest {
  v1::JobSpec spec;
  std::string script_path;  // "" with --wrap or a script on stdin
  bool parsable = false;
  bool quiet = false;
  bool wait = false;
  std::string export_spec;            // --export as given; resolved once every source is read
  std::vector<std::string> warnings;  // options accepted but not acted on
  // Slurm's per-task and per-CPU amounts, as given: turned into the job's
  // per-node or per-job amounts once the task and CPU counts are all read.
  std::string gpus_per_task;    // --gpus-per-task=[kind:]N
  int64_t mem_per_cpu_mib = 0;  // --mem-per-cpu
  TimeMs now = 0;               // BatchContext::now: what --begin=now+N counts from
};

struct BatchContext {
  std::vector<std::string> environ;  // KEY=VALUE of the submitting process
  std::string user;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string cwd;
  std::string host;
  TimeMs now = 0;  // the submitter's clock
};

// Parses argv (without the program name). `read_file` reads the script
// named on the command line (or "-" for stdin); it is called at most once.
Result<BatchRequest> ParseBatch(
    const std::vector<std::string>& args, const BatchContext& ctx,
    const std::function<Result<std::string>(const std::string&)>& read_file);

// --gpus, --gres, --gpus-per-node, --accelerators (`opt`; `gres`: --gres's
// name[:type][:count] syntax) into spec.accelerators and, for
// "h100:8|d1:1@1.3", the alternatives it lists (accelerator_options), each
// with its speed relative to the first shape. Errors name `opt`.
Status ParseAccelerators(const std::string& opt, const std::string& v, bool gres,
                         v1::JobSpec& spec);

// For `--help`: one line per option.
std::string BatchHelp();

}  // namespace tatami
