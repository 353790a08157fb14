// tatami hold|release JOBID...: keep pending jobs from starting, or let
// them start (Slurm's scontrol hold|release; sbatch --hold submits held).
// Only pending jobs, and only the user's own unless root; the controller
// says which ids it refused and why.
#include <cstdio>

#include "base/strings.h"
#include "scheduler/cli/commands.h"

namespace tatami {
namespace {

int RunHoldAction(const std::string& prog, const Args& args, v1::CancelRequest::HoldAction action) {
  v1::CancelRequest req;
  req.set_hold_action(action);
  ArgReader r(args);
  while (!r.Done()) {
    if (r.Flag(nullptr, "--help")) {
      printf("usage: %s JOBID[_TASK][,JOBID...]...\n", prog.c_str());
      return 0;
    } else if (!r.Peek().empty() && r.Peek()[0] == '-') {
      return Fail(prog, "unrecognized option '" + r.Peek() + "'");
    }
    for (const auto& id : Split(r.Next(), ',')) req.add_job_ids(id);
  }
  if (req.job_ids().empty()) return Fail(prog, "no job ids given");
  return SendJobSelection(prog, std::move(req));
}

}  // namespace

int RunHold(const std::string& prog, const Args& args) {
  return RunHoldAction(prog, args, v1::CancelRequest::HOLD);
}

int RunRelease(const std::string& prog, const Args& args) {
  return RunHoldAction(prog, args, v1::CancelRequest::RELEASE);
}

}  // namespace tatami
