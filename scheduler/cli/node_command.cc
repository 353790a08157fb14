// tatami node drain|resume NODES: an admin takes nodes out of scheduling
// (running jobs go on; sinfo shows drng, then drain) or puts them back.
// Slurm's `scontrol update nodename=... state=drain reason=...`.

#include <cstdio>

#include "scheduler/cli/client.h"
#include "scheduler/cli/commands.h"

namespace tatami {

int RunNode(const std::string& prog, const Args& args) {
  constexpr const char* kUsage =
      "usage: %s drain NODES --reason=TEXT\n"
      "       %s resume NODES\n"
      "NODES is a hostlist (h100-[01-04]); only root and tatamid's user may drain or resume.\n";
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    fprintf(args.empty() ? stderr : stdout, kUsage, prog.c_str(), prog.c_str());
    return args.empty() ? 2 : 0;
  }
  v1::UpdateNodesRequest req;
  if (args[0] != "drain" && args[0] != "resume")
    return Fail(prog, "unknown action '" + args[0] + "' (want drain or resume)");
  req.set_drain(args[0] == "drain");
  req.set_requester(CallerName());
  Args rest(args.begin() + 1, args.end());
  ArgReader r(rest);
  std::string value, error;
  while (!r.Done()) {
    if (r.Value(nullptr, "--reason", &value, &error)) {
      req.set_reason(value);
    } else if (!r.Peek().empty() && r.Peek()[0] == '-') {
      return Fail(prog, "unrecognized option '" + r.Peek() + "'");
    } else if (req.nodes().empty()) {
      req.set_nodes(r.Next());
    } else {
      return Fail(prog, "one hostlist only, got '" + req.nodes() + "' and '" + r.Peek() + "'");
    }
    if (!error.empty()) return Fail(prog, error);
  }
  if (req.nodes().empty()) return Fail(prog, "no nodes given");
  if (!req.drain() && !req.reason().empty()) return Fail(prog, "--reason is for drain only");
  v1::UpdateNodesReply reply;
  if (Status s = ControllerClient::CallOnce(&v1::Controller::Stub::UpdateNodes, req, &reply);
      !s.ok())
    return Fail(prog, s.error().message);
  return FailEach(prog, reply.errors());
}

}  // namespace tatami
