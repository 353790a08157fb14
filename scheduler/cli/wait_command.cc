// tatami wait JOBID...: block until the jobs (all tasks of an array) have
// ended; print "JOBID STATE EXITCODE" for each; exit with the highest exit
// code, as sbatch --wait does. For scripts and tests that must not poll.
#include <cstdio>

#include "base/strings.h"
#include "scheduler/cli/client.h"
#include "scheduler/cli/commands.h"
#include "scheduler/cli/job_fields.h"
#include "scheduler/job_state.h"

namespace tatami {

int RunWait(const std::string& prog, const Args& args) {
  v1::WaitRequest req;
  req.set_requester(CallerName());
  std::string value, error;
  ArgReader r(args);
  while (!r.Done()) {
    if (r.Peek() == "-h" || r.Peek() == "--help") {
      printf(
          "usage: %s [--timeout SECONDS] JOBID...\n"
          "Blocks until the jobs (every task of an array) have ended, prints JOBID STATE\n"
          "EXITCODE for each, and exits with the highest exit code (1 for a job that\n"
          "did not complete). --timeout: give up after SECONDS (exit 1).\n",
          prog.c_str());
      return 0;
    }
    if (r.Value(nullptr, "--timeout", &value, &error)) {
      auto s = ParseInt(value);
      if (!s) return Fail(prog, "--timeout: want seconds, not '" + value + "'");
      req.set_timeout_ms(*s * 1000);
    } else if (!r.Peek().empty() && r.Peek()[0] == '-') {
      return Fail(prog, "unrecognized option '" + r.Peek() + "'");
    } else {
      std::string id = r.Next();
      auto n = ParseInt(id);
      if (!n) return Fail(prog, "invalid job id '" + id + "'");
      req.add_job_ids(static_cast<uint64_t>(*n));
    }
    if (!error.empty()) return Fail(prog, error);
  }
  if (req.job_ids().empty()) return Fail(prog, "no job ids given");
  v1::WaitReply reply;
  if (Status s = ControllerClient::CallOnce(&v1::Controller::Stub::Wait, req, &reply, 0); !s.ok())
    return Fail(prog, s.error().message);
  for (const auto& job : reply.jobs()) {
    printf("%s %s %d:%d\n", JobIdText(job).c_str(), std::string(StateName(job.state())).c_str(),
           job.exit_code(), job.exit_signal());
  }
  if (reply.jobs().empty()) return Fail(prog, "no such job");
  if (!reply.all_done()) return Fail(prog, "timed out before the jobs ended");
  return WaitExitStatus(reply);
}

}  // namespace tatami
