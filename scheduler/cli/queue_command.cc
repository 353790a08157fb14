// tatami queue / squeue: jobs as a table, in the -S order (Slurm's
// default, P,t,-p, unless given); --start lists pending jobs with the
// start and nodes the backfill plan expects for them.

#include <cstdio>
#include <map>

#include "base/hostlist.h"
#include "base/strings.h"
#include "scheduler/cli/client.h"
#include "scheduler/cli/commands.h"
#include "scheduler/cli/job_fields.h"
#include "scheduler/cli/queue_sort.h"
#include "scheduler/cli/table.h"
#include "scheduler/job_state.h"

namespace tatami {
namespace {

constexpr const char* kDefaultFormat = "%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R";
constexpr const char* kLongFormat = "%.18i %.9P %.8j %.8u %.8T %.10M %.9l %.6D %R";
constexpr const char* kStartFormat = "%.18i %.9P %.8j %.8u %.2t %.19S %.6D %20Y %R";

// squeue -O/--Format: Slurm's field names, "name[:[.]size]" each, as the
// %-format tatami renders (a field without a size takes 20, as Slurm's).
Result<std::string> FormatFromNames(const std::string& names) {
  static const std::map<std::string, char> letters = {
      {"account", 'a'},    {"arrayjobid", 'A'}, {"arraytaskid", 'K'},  {"command", 'o'},
      {"dependency", 'E'}, {"endtime", 'e'},    {"feature", 'f'},      {"jobid", 'i'},
      {"minmemory", 'm'},  {"name", 'j'},       {"nice", 'y'},         {"nodelist", 'N'},
      {"numcpus", 'C'},    {"numnodes", 'D'},   {"partition", 'P'},    {"priority", 'Q'},
      {"qos", 'q'},        {"reason", 'r'},     {"reasonlist", 'R'},   {"schednodes", 'Y'},
      {"starttime", 'S'},  {"state", 'T'},      {"statecompact", 't'}, {"submittime", 'V'},
      {"timeleft", 'L'},   {"timelimit", 'l'},  {"timeused", 'M'},     {"tres-per-node", 'b'},
      {"username", 'u'},   {"workdir", 'Z'}};
  std::string format;
  for (const std::string& item : Split(names, ',')) {
    size_t colon = item.find(':');
    std::string name = ToLower(item.substr(0, colon));
    auto letter = letters.find(name);
    if (letter == letters.end())
      return MakeError("-O: unknown field '" + item.substr(0, colon) +
                       "' (want e.g. JobID, Name, " +
                       "State, TimeUsed, NodeList, ReasonList; see tatami queue --help)");
    std::string size = colon == std::string::npos ? "20" : item.substr(colon + 1);
    bool right = !size.empty() && size[0] == '.';
    if (right) size.erase(0, 1);
    if (size.empty()) size = "20";
    if (size.find_first_not_of("0123456789") != std::string::npos)
      return MakeError("-O: '" + item + "': the size after ':' is a number ([.]N)");
    format +=
        (format.empty() ? "" : " ") + std::string("%") + (right ? "." : "") + size + letter->second;
  }
  return format;
}

// One output line: a job, or the pending tasks of an array collapsed into
// one line as squeue shows them (12_[3-9,11]).
struct Row {
  const v1::JobInfo* job;
  std::string id;  // overrides the JOBID column when set
};

std::vector<Row> MakeRows(const std::vector<const v1::JobInfo*>& jobs, bool every_task) {
  std::vector<Row> rows;
  std::map<std::pair<uint64_t, std::string>, size_t> group;  // (array id, reason) -> row
  std::map<size_t, std::vector<std::string>> tasks;
  for (const v1::JobInfo* j : jobs) {
    if (every_task || j->array_task_id() < 0 || j->state() != v1::PENDING) {
      rows.push_back({j, ""});
      continue;
    }
    auto key = std::make_pair(j->array_job_id(), j->reason());
    auto [it, added] = group.emplace(key, rows.size());
    if (added) rows.push_back({j, ""});
    tasks[it->second].push_back("t" + std::to_string(j->array_task_id()));
  }
  for (auto& [index, names] : tasks) {
    if (names.size() < 2) continue;
    // CompressHostlist(t3,t4,t5) = "t[3-5]"; drop the "t".
    rows[index].id =
        std::to_string(rows[index].job->array_job_id()) + "_" + CompressHostlist(names).substr(1);
  }
  return rows;
}

}  // namespace

int RunQueue(const std::string& prog, const Args& args) {
  v1::ListJobsRequest req;
  req.set_requester(CallerName());
  std::string format = kDefaultFormat, value, error;
  std::string sort(kDefaultQueueSort);
  bool no_header = false, every_task = false, format_given = false, sort_given = false;
  ArgReader r(args);
  while (!r.Done()) {
    if (r.Flag("-h", "--noheader")) {
      no_header = true;
    } else if (r.Flag("-l", "--long")) {
      format = kLongFormat;
    } else if (r.Flag(nullptr, "--start")) {
      // As Slurm's: pending jobs, soonest expected start first.
      req.add_states(v1::PENDING);
      if (!format_given) format = kStartFormat;
      if (!sort_given) sort = "S";
    } else if (r.Flag("-r", "--array")) {
      every_task = true;
    } else if (r.Flag(nullptr, "--me")) {
      req.add_users(CallerName());
    } else if (r.Flag(nullptr, "--help")) {
      printf(
          "usage: %s [-h] [-l] [-r] [--me] [--start] [-o FORMAT | -O NAMES] [-S SORT] [-j IDS] "
          "[-u USERS] "
          "[-A ACCOUNTS] [-p PARTITIONS] [-t STATES] [-n NAMES]\n",
          prog.c_str());
      return 0;
    } else if (r.Value("-o", "--format", &value, &error)) {
      // Slurm's %all: every field, '|' between them.
      format = value == "%all" ? AllQueueFields() : value;
      format_given = true;
    } else if (r.Value("-O", "--Format", &value, &error)) {
      Result<std::string> from_names = FormatFromNames(value);
      if (!from_names) return Fail(prog, from_names.error().message);
      format = *from_names;
      format_given = true;
    } else if (r.Value("-S", "--sort", &value, &error)) {
      sort = value;
      sort_given = true;
    } else if (JobFilterFlag(r, req, &error)) {
      // -j, -u, -A, -p
    } else if (r.Value("-n", "--name", &value, &error)) {
      AddNames(value, req.mutable_names());
    } else if (r.Value("-t", "--states", &value, &error)) {
      for (const auto& s : Split(value, ',')) {
        if (s == "all" || s == "ALL") {
          req.set_include_finished(true);
          continue;
        }
        auto st = ParseState(s);
        if (!st)
          return Fail(prog, "invalid job state '" + s +
                                "' (want e.g. PD, R, CG, CD, F, CA, TO, NF or all)");
        req.add_states(*st);
      }
    } else {
      return Fail(prog, "unrecognized option '" + r.Peek() + "'");
    }
    if (!error.empty()) return Fail(prog, error);
  }
  v1::ListJobsReply reply;
  if (Status s = ControllerClient::CallOnce(&v1::Controller::Stub::ListJobs, req, &reply); !s.ok())
    return Fail(prog, s.error().message);

  auto keys = ParseSortKeys(sort);
  if (!keys) return Fail(prog, keys.error().message);
  TimeMs now = SystemClock::Get().Now();
  std::vector<const v1::JobInfo*> jobs;
  for (const v1::JobInfo& job : reply.jobs()) jobs.push_back(&job);
  SortJobs(jobs, *keys, now);
  std::vector<Row> rows = MakeRows(jobs, every_task);
  std::string out = RenderTable(
      ParseFormat(format), rows.size(),
      [&](size_t row, char f) {
        if (f == 'i' && !rows[row].id.empty()) return rows[row].id;
        return QueueField(*rows[row].job, f, now);
      },
      QueueHeader, no_header);
  fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace tatami
