// tatami acct / sacct: finished and running jobs from the controller's
// accounting store.
#include <unistd.h>

#include <cstdio>

#include "base/duration.h"
#include "base/strings.h"
#include "scheduler/cli/client.h"
#include "scheduler/cli/commands.h"
#include "scheduler/cli/job_fields.h"
#include "scheduler/cli/record_output.h"
#include "scheduler/job_state.h"

namespace tatami {
namespace {

constexpr const char* kDefaultFields = "JobID,JobName,Partition,Account,AllocCPUS,State,ExitCode";
// Slurm's -b/--brief and -l/--long, of the fields tatami keeps.
constexpr const char* kBriefFields = "JobID,State,ExitCode";
constexpr const char* kLongFields =
    "JobID,JobIDRaw,JobName,Partition,Account,User,QOS,AllocCPUS,AllocTRES,NNodes,NodeList,State,"
    "ExitCode,Reason,Restarts,Submit,Start,End,Elapsed,Timelimit,TotalCPU,CPUTimeRAW,MaxRSS";

struct Field {
  std::string name;
  int width;
};

}  // namespace

int RunAcct(const std::string& prog, const Args& args) {
  v1::AcctRequest req;
  req.set_requester(CallerName());
  std::string fields_text = kDefaultFields, value, error;
  bool all_users = false;
  RecordOptions output;
  TimeMs now = SystemClock::Get().Now(), time = 0;
  ArgReader r(args);
  while (!r.Done()) {
    if (r.Flag("-n", "--noheader")) {
      output.no_header = true;
    } else if (r.Flag("-X", "--allocations")) {
      // Tatami records no job steps: every row is an allocation already.
    } else if (r.Flag("-P", "--parsable2")) {
      output.format = RecordFormat::kParsable;
    } else if (r.Flag("-p", "--parsable")) {
      output.format = RecordFormat::kParsable;
      output.trailing_delimiter = true;
    } else if (r.Flag(nullptr, "--json")) {
      output.format = RecordFormat::kJson;
    } else if (r.Flag(nullptr, "--csv")) {
      output.format = RecordFormat::kCsv;
    } else if (r.Flag("-a", "--allusers")) {
      all_users = true;
    } else if (r.Flag("-b", "--brief")) {
      fields_text = kBriefFields;
    } else if (r.Flag("-l", "--long")) {
      fields_text = kLongFields;
    } else if (r.Flag(nullptr, "--help")) {
      printf(
          "usage: %s [-n] [-X] [-P|-p|--json|--csv] [-a] [-j IDS] [-u USERS] [-A ACCOUNTS] [-s "
          "STATES] [-S TIME] [-E TIME] [-o FIELDS | -b | -l]\n",
          prog.c_str());
      return 0;
    } else if (r.Value("-o", "--format", &value, &error)) {
      fields_text = value;
    } else if (r.Value("-j", "--jobs", &value, &error)) {
      if (Status st = AddJobIds(value, req.mutable_job_ids()); !st.ok())
        return Fail(prog, st.error().message);
    } else if (r.Value("-u", "--user", &value, &error)) {
      AddNames(value, req.mutable_users());
    } else if (r.Value("-A", "--accounts", &value, &error)) {
      AddNames(value, req.mutable_accounts());
    } else if (r.Value("-s", "--state", &value, &error)) {
      for (const auto& s : Split(value, ',')) {
        auto st = ParseState(s);
        if (!st) return Fail(prog, "invalid job state '" + s + "'");
        req.add_states(*st);
      }
    } else if (r.Time("-S", "--starttime", now, &time, &error)) {
      req.set_start_time(time);
    } else if (r.Time("-E", "--endtime", now, &time, &error)) {
      req.set_end_time(time);
    } else {
      return Fail(prog, "unrecognized option '" + r.Peek() + "'");
    }
    if (!error.empty()) return Fail(prog, error);
  }
  // Like sacct: since midnight unless jobs are named; your own jobs unless root or -a.
  if (req.start_time() == 0 && req.job_ids().empty()) req.set_start_time(StartOfDay(now));
  if (req.users().empty() && !all_users && getuid() != 0) {
    req.add_users(CallerName());
  }
  std::vector<Field> fields;
  for (const auto& f : Split(fields_text, ',')) {
    std::vector<std::string> parts = Split(f, '%');
    if (!IsAcctField(parts[0])) return Fail(prog, "invalid field '" + parts[0] + "' in --format");
    int width = AcctDefaultWidth(parts[0]);
    if (parts.size() > 1) width = static_cast<int>(ParseInt(parts[1]).value_or(width));
    fields.push_back({parts[0], width});
  }

  v1::AcctReply reply;
  if (Status s = ControllerClient::CallOnce(&v1::Controller::Stub::Acct, req, &reply); !s.ok())
    return Fail(prog, s.error().message);

  RecordTable table;
  for (const Field& f : fields) {
    table.headers.push_back(AcctHeader(f.name));
    table.widths.push_back(f.width);
  }
  for (const auto& job : reply.jobs()) {
    std::vector<std::string>& row = table.rows.emplace_back();
    for (const Field& f : fields) row.push_back(AcctField(job, f.name, now));
  }
  std::string out = RenderRecords(table, output);
  fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace tatami
