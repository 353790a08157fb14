// tatami cancel / scancel.
#include <cstdio>
#include <cstring>

#include "base/signals.h"
#include "base/strings.h"
#include "scheduler/cli/client.h"
#include "scheduler/cli/commands.h"
#include "scheduler/job_state.h"

namespace tatami {

int RunCancel(const std::string& prog, const Args& args) {
  v1::CancelRequest req;
  std::string value, error;
  ArgReader r(args);
  while (!r.Done()) {
    if (r.Flag(nullptr, "--help")) {
      printf(
          "usage: %s [JOBID[_TASK]...] [-u USER | --me] [-A ACCOUNT] [-n NAME] [-t STATE] "
          "[-s|--signal SIG]\n",
          prog.c_str());
      return 0;
    } else if (r.Flag(nullptr, "--me")) {  // Slurm's: -u with the caller's name
      req.add_users(CallerName());
    } else if (r.Value("-u", "--user", &value, &error)) {
      req.add_users(value);
    } else if (r.Value("-A", "--account", &value, &error)) {
      req.add_accounts(value);
    } else if (r.Value("-n", "--name", &value, &error)) {
      req.add_names(value);
    } else if (r.Value("-t", "--state", &value, &error)) {
      auto st = ParseState(value);
      if (!st) return Fail(prog, "invalid job state '" + value + "'");
      req.add_states(*st);
    } else if (r.Value("-s", "--signal", &value, &error)) {
      int sig = ParseSignal(value);
      if (sig <= 0) return Fail(prog, "invalid signal '" + value + "'");
      req.set_signal(sig);
    } else if (!r.Peek().empty() && r.Peek()[0] == '-') {
      return Fail(prog, "unrecognized option '" + r.Peek() + "'");
    } else {
      for (const auto& id : Split(r.Next(), ',')) req.add_job_ids(id);
    }
    if (!error.empty()) return Fail(prog, error);
  }
  if (req.job_ids().empty() && req.users().empty() && req.accounts().empty() &&
      req.names().empty() && req.states().empty()) {
    return Fail(prog, "no job identification provided (give job ids or -u/-A/-n/-t)");
  }
  return SendJobSelection(prog, std::move(req));
}

int SendJobSelection(const std::string& prog, v1::CancelRequest req) {
  req.set_requester(CallerName());
  v1::CancelReply reply;
  if (Status s = ControllerClient::CallOnce(&v1::Controller::Stub::Cancel, req, &reply); !s.ok())
    return Fail(prog, s.error().message);
  return FailEach(prog, reply.errors());
}

}  // namespace tatami
