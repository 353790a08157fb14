// tatami hold|release JOBID...: keep pending jobs from starting, or let
// them start (Slurm's scontrol hold|release; sbatch --hold submits held).
// Only pending jobs, and only the user's own unless root; the controller
// says which ids it refused and why. tatami requeue [--hold] JOBID...: end
// running jobs' runs and queue them again, held with --hold (scontrol
// requeue|requeuehold).
#include <cstdio>

#include "base/strings.h"
#include "scheduler/cli/commands.h"

namespace tatami {
namespace {

// `req` says what to do; `may_hold`: --hold is an option (requeue).
int RunJobAction(const std::string& prog, const Args& args, v1::CancelRequest req,
                 bool may_hold = false) {
  ArgReader r(args);
  while (!r.Done()) {
    if (r.Flag(nullptr, "--help")) {
      printf("usage: %s %sJOBID[_TASK][,JOBID...]...\n", prog.c_str(), may_hold ? "[--hold] " : "");
      return 0;
    } else if (may_hold && r.Flag(nullptr, "--hold")) {
      req.set_hold_action(v1::CancelRequest::HOLD);
    } else if (!r.Peek().empty() && r.Peek()[0] == '-') {
      return Fail(prog, "unrecognized option '" + r.Peek() + "'");
    } else {
      for (const auto& id : Split(r.Next(), ',')) req.add_job_ids(id);
    }
  }
  if (req.job_ids().empty()) return Fail(prog, "no job ids given");
  return SendJobSelection(prog, std::move(req));
}

v1::CancelRequest HoldAction(v1::CancelRequest::HoldAction action) {
  v1::CancelRequest req;
  req.set_hold_action(action);
  return req;
}

}  // namespace

int RunHold(const std::string& prog, const Args& args) {
  return RunJobAction(prog, args, HoldAction(v1::CancelRequest::HOLD));
}

int RunRelease(const std::string& prog, const Args& args) {
  return RunJobAction(prog, args, HoldAction(v1::CancelRequest::RELEASE));
}

int RunRequeue(const std::string& prog, const Args& args) {
  v1::CancelRequest req;
  req.set_requeue(true);
  return RunJobAction(prog, args, std::move(req), /*may_hold=*/true);
}

}  // namespace tatami
