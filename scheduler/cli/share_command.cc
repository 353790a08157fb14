// tatami share (like sshare): each account's standing now. Its share of
// the cluster, its decayed usage and the fair-share factor that priority
// reads; and per accelerator kind, devices in use against its guaranteed
// quota and borrowing limit (the numbers AssocGrpGRES and reclaim decide on).
#include <cstdio>

#include "base/duration.h"
#include "base/strings.h"
#include "scheduler/cli/client.h"
#include "scheduler/cli/commands.h"
#include "scheduler/cli/record_output.h"

namespace tatami {
namespace {

constexpr const char* kUsage =
    "usage: %s [-A ACCOUNTS] [-n] [-P|--json|--csv]\n"
    "  -A: these accounts and their sub-accounts (default: all)\n"
    "  Usage is decayed H100-equivalent device-hours (a Dojo tile counts 8);\n"
    "  InUse/Quota/Borrow count devices per kind (tiles for d1).\n";

}  // namespace

int RunShare(const std::string& prog, const Args& args) {
  v1::SharesRequest req;
  req.set_requester(CallerName());
  RecordOptions output;
  std::string value, error;
  ArgReader r(args);
  while (!r.Done()) {
    if (RecordFlag(r, output)) continue;
    if (r.Flag(nullptr, "--help")) {
      printf(kUsage, prog.c_str());
      return 0;
    } else if (r.Value("-A", "--accounts", &value, &error)) {
      AddNames(value, req.mutable_accounts());
    } else {
      return Fail(prog, "unrecognized option '" + r.Peek() + "'");
    }
    if (!error.empty()) return Fail(prog, error);
  }

  v1::SharesReply reply;
  if (Status s = ControllerClient::CallOnce(&v1::Controller::Stub::Shares, req, &reply); !s.ok())
    return Fail(prog, s.error().message);

  bool table_view = output.format == RecordFormat::kTable;
  RecordTable table;
  table.headers = {"Account",   "Parent", "NormShares", "UsageH100h", "EffectvUsage",
                   "FairShare", "InUse",  "Quota",      "Borrow"};
  table.widths = {-20, -16, 10, 12, 12, 9, 16, 16, 16};
  for (const v1::AccountStanding& a : reply.accounts()) {
    // The table shows the tree by indenting, as sshare does.
    std::string name = table_view ? std::string(a.depth(), ' ') + a.account() : a.account();
    DeviceColumns devices = DeviceColumnsOf(a);
    table.rows.push_back({
        name,
        a.parent(),
        FormatFixed(a.norm_shares(), 6),
        FormatFixed(a.usage_seconds() / 3600, table_view ? 2 : 6),
        FormatFixed(a.effective_usage(), 6),
        FormatFixed(a.fair_share(), 6),
        devices.held,
        devices.quota,
        devices.borrow,
    });
  }
  if (table_view && reply.usage_half_life_ms() > 0)
    printf("Usage decays with a half-life of %s\n",
           FormatElapsed(reply.usage_half_life_ms()).c_str());
  fputs(RenderRecords(table, output).c_str(), stdout);
  return 0;
}

}  // namespace tatami
