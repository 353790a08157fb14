// tatami report (like sreport): allocated usage per account, user and
// accelerator kind over a period, from the controller's accounting records,
// with its list-price cost. Its totals equal the increase of
// tatami_accelerator_seconds_total over the same period.
#include <map>
#include <tuple>

#include "base/duration.h"
#include "base/strings.h"
#include "scheduler/cli/client.h"
#include "scheduler/cli/commands.h"
#include "scheduler/cli/record_output.h"

namespace tatami {
namespace {

constexpr const char* kUsage =
    "usage: %s [-S START] [-E END] [-A ACCOUNTS] [-u USERS] [--by FIELDS] [-t s|m|h]\n"
    "       [-n] [-P|--json|--csv]\n"
    "  START/END: YYYY-MM-DD[THH:MM[:SS]], now or @UNIXSECONDS (default: today 00:00 to now)\n"
    "  --by: any of account,user,kind,partition,tier (default account,user,kind)\n"
    "  -t: time unit of the usage columns: seconds, minutes or hours (default hours)\n";

const std::vector<std::string> kGroupFields = {"account", "user", "kind", "partition", "tier"};

std::string FieldOf(const v1::UsageRow& row, const std::string& f) {
  if (f == "account") return row.account();
  if (f == "user") return row.user();
  if (f == "kind") return row.kind().empty() ? "none" : row.kind();
  if (f == "partition") return row.partition();
  return row.tier();
}

}  // namespace

int RunReport(const std::string& prog, const Args& args) {
  v1::ReportRequest req;
  req.set_requester(CallerName());
  RecordOptions output;
  std::vector<std::string> by = {"account", "user", "kind"};
  double unit = 3600;
  std::string unit_name = "Hours", value, error;
  TimeMs now = SystemClock::Get().Now(), time = 0;
  req.set_start_time(StartOfDay(now));
  ArgReader r(args);
  while (!r.Done()) {
    if (RecordFlag(r, output)) continue;
    if (r.Flag(nullptr, "--help")) {
      printf(kUsage, prog.c_str());
      return 0;
    } else if (r.Time("-S", "--starttime", now, &time, &error)) {
      req.set_start_time(time);
    } else if (r.Time("-E", "--endtime", now, &time, &error)) {
      req.set_end_time(time);
    } else if (r.Value("-A", "--accounts", &value, &error)) {
      AddNames(value, req.mutable_accounts());
    } else if (r.Value("-u", "--users", &value, &error)) {
      AddNames(value, req.mutable_users());
    } else if (r.Value(nullptr, "--by", &value, &error)) {
      by = Split(value, ',');
      for (const auto& f : by) {
        if (std::find(kGroupFields.begin(), kGroupFields.end(), f) == kGroupFields.end())
          return Fail(prog, "--by: unknown field '" + f + "' (want any of " +
                                Join(kGroupFields, ",") + ")");
      }
    } else if (r.Value("-t", "--time-unit", &value, &error)) {
      std::string u =
          value.empty() ? "" : std::string(1, static_cast<char>(std::tolower(value[0])));
      if (u == "s") {
        unit = 1, unit_name = "Seconds";
      } else if (u == "m") {
        unit = 60, unit_name = "Minutes";
      } else if (u == "h") {
        unit = 3600, unit_name = "Hours";
      } else {
        return Fail(prog, "-t: unknown time unit '" + value + "' (want seconds, minutes or hours)");
      }
    } else {
      return Fail(prog, "unrecognized option '" + r.Peek() + "'");
    }
    if (!error.empty()) return Fail(prog, error);
  }
  if (req.end_time() && req.end_time() < req.start_time())
    return Fail(prog, "--endtime is before --starttime");

  v1::ReportReply reply;
  if (Status s = ControllerClient::CallOnce(&v1::Controller::Stub::Report, req, &reply); !s.ok())
    return Fail(prog, s.error().message);

  std::map<std::pair<std::string, std::string>, double> price;  // (kind, tier) -> per hour
  for (const auto& p : reply.prices()) price[{p.kind(), p.tier()}] = p.per_hour();
  struct Sum {
    double accel = 0, cpu = 0, mem = 0, cost = 0;
    uint32_t jobs = 0;
    bool priced = true;
  };
  std::map<std::vector<std::string>, Sum> groups;
  Sum total;
  for (const auto& row : reply.rows()) {
    std::vector<std::string> key;
    for (const auto& f : by) key.push_back(FieldOf(row, f));
    Sum& s = groups[key];
    for (Sum* t : {&s, &total}) {
      t->accel += row.accelerator_seconds();
      t->cpu += row.cpu_seconds();
      t->mem += row.memory_byte_seconds();
      t->jobs += row.jobs();
      if (row.accelerator_seconds() == 0) continue;
      auto p = price.find({row.kind(), row.tier()});
      if (p == price.end()) {
        t->priced = false;
      } else {
        t->cost += row.accelerator_seconds() / 3600 * p->second;
      }
    }
  }

  bool machine = output.format != RecordFormat::kTable;
  int decimals = machine ? 3 : 2;
  RecordTable table;
  for (const auto& f : by) {
    std::string h = f;
    h[0] = static_cast<char>(std::toupper(h[0]));
    table.headers.push_back(h);
    table.widths.push_back(f == "account" ? 16 : 10);
  }
  for (const std::string& h :
       {std::string("Jobs"), "Accel" + unit_name, "CPU" + unit_name, "MemGiB" + unit_name,
        "Cost" + (reply.currency().empty() ? "" : "(" + reply.currency() + ")")}) {
    table.headers.push_back(h);
    table.widths.push_back(13);
  }
  auto add = [&](std::vector<std::string> cells, const Sum& s) {
    cells.push_back(std::to_string(s.jobs));
    cells.push_back(FormatFixed(s.accel / unit, decimals));
    cells.push_back(FormatFixed(s.cpu / unit, decimals));
    cells.push_back(FormatFixed(s.mem / (1024.0 * 1024 * 1024) / unit, decimals));
    cells.push_back(s.accel == 0 ? "0" : s.priced ? FormatFixed(s.cost, 2) : "unpriced");
    table.rows.push_back(std::move(cells));
  };
  for (const auto& [key, s] : groups) add(key, s);
  if (!machine) {
    printf("Usage %s - %s (allocated time; cost at list price)\n",
           FormatTimestamp(reply.start_time()).c_str(), FormatTimestamp(reply.end_time()).c_str());
    std::vector<std::string> cells(by.size(), "");
    cells[0] = "TOTAL";
    add(cells, total);
  }
  fputs(RenderRecords(table, output).c_str(), stdout);
  return 0;
}

}  // namespace tatami
