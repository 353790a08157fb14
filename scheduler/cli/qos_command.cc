// tatami qos (like sacctmgr show qos): the QoS tiers the config defines,
// their preemption rules and limits, and what their running jobs hold
// against those limits now, all users' and the caller's own.
#include <unistd.h>

#include <cstdio>

#include "base/duration.h"
#include "base/strings.h"
#include "scheduler/cli/client.h"
#include "scheduler/cli/commands.h"
#include "scheduler/cli/record_output.h"

namespace tatami {
namespace {

constexpr const char* kUsage =
    "usage: %s [-n] [-P|--json|--csv]\n"
    "  MaxWall: the longest time limit; MaxSubmitPU: pending or running jobs per\n"
    "  user; MaxJobsPU, MaxDevicesPU:\n"
    "  running, per user; MaxDevices: all users of the QoS together.\n"
    "  InUse: what the QoS's running jobs hold now, for the kinds it limits;\n"
    "  MyJobs, MyDevices: the part of it that is yours.\n";

std::string Limit(int64_t n) {
  return n < 0 ? "" : std::to_string(n);
}

}  // namespace

int RunQos(const std::string& prog, const Args& args) {
  RecordOptions output;
  ArgReader r(args);
  while (!r.Done()) {
    if (RecordFlag(r, output)) continue;
    if (r.Flag("-h", "--help")) {
      printf(kUsage, prog.c_str());
      return 0;
    }
    return Fail(prog, "unrecognized option '" + r.Peek() + "'");
  }
  v1::QosRequest req;
  req.set_for_user(true);
  req.set_uid(getuid());
  v1::QosReply reply;
  if (Status s = ControllerClient::CallOnce(&v1::Controller::Stub::Qos, req, &reply); !s.ok())
    return Fail(prog, s.error().message);

  RecordTable table;
  table.headers = {"Name",         "Priority",   "Preempts", "GraceTime",   "MinRun",
                   "PreemptMode",  "AboveQuota", "MaxWall",  "MaxSubmitPU", "MaxJobsPU",
                   "MaxDevicesPU", "MaxDevices", "InUse",    "MyJobs",      "MyDevices"};
  table.widths = {-12, 8, -20, 10, 10, 11, -10, 11, 11, 9, -14, -14, -14, 6, -14};
  for (const v1::QosInfo& q : reply.qos()) {
    bool limited =
        q.max_jobs_per_user() >= 0 || !q.max_devices_per_user().empty() || !q.max_devices().empty();
    table.rows.push_back({
        q.name(),
        std::to_string(q.priority()),
        Join(std::vector<std::string>(q.preempts().begin(), q.preempts().end()), ","),
        FormatElapsed(q.grace_time_ms()),
        FormatElapsed(q.min_runtime_ms()),
        q.requeue_on_preempt() ? "requeue" : "cancel",
        q.above_quota(),
        q.max_time_ms() > 0 ? FormatTimeLimit(q.max_time_ms()) : "",
        Limit(q.max_submit_jobs_per_user()),
        Limit(q.max_jobs_per_user()),
        DeviceCountsText(q.max_devices_per_user()),
        DeviceCountsText(q.max_devices()),
        DeviceCountsText(q.devices_in_use()),
        limited ? std::to_string(q.user_jobs()) : "",
        DeviceCountsText(q.user_devices()),
    });
  }
  fputs(RenderRecords(table, output).c_str(), stdout);
  return 0;
}

}  // namespace tatami
