// tatami prio (like sprio): each pending job's multifactor priority, term
// by term: each factor (age, fair share, job size, small jobs, partition,
// QoS) times its weight from the config's `priority:` section, less the
// job's --nice (NICE). Highest first: the order the scheduler considers
// them in.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "scheduler/cli/client.h"
#include "scheduler/cli/commands.h"
#include "scheduler/cli/job_fields.h"
#include "scheduler/cli/record_output.h"
#include "scheduler/job_options.h"

namespace tatami {
namespace {

constexpr const char* kUsage =
    "usage: %s [-j IDS] [-u USERS] [-A ACCOUNTS] [-p PARTITIONS] [-n] [-P|--json|--csv]\n"
    "  Pending jobs, highest priority first; each column is a factor (0-1) times\n"
    "  its weight from the config, and PRIORITY their sum less NICE (squeue %%Q).\n";

std::string Whole(double v) {
  return std::to_string(std::llround(v));
}

}  // namespace

int RunPrio(const std::string& prog, const Args& args) {
  v1::ListJobsRequest req;
  req.set_requester(CallerName());
  req.add_states(v1::PENDING);
  RecordOptions output;
  std::string error;
  ArgReader r(args);
  while (!r.Done()) {
    if (RecordFlag(r, output)) continue;
    if (r.Flag(nullptr, "--help")) {
      printf(kUsage, prog.c_str());
      return 0;
    } else if (!JobFilterFlag(r, req, &error)) {
      return Fail(prog, "unrecognized option '" + r.Peek() + "'");
    }
    if (!error.empty()) return Fail(prog, error);
  }
  v1::ListJobsReply reply;
  if (Status s = ControllerClient::CallOnce(&v1::Controller::Stub::ListJobs, req, &reply); !s.ok())
    return Fail(prog, s.error().message);

  std::vector<const v1::JobInfo*> jobs;
  for (const v1::JobInfo& j : reply.jobs())
    if (j.state() == v1::PENDING) jobs.push_back(&j);
  std::stable_sort(jobs.begin(), jobs.end(), [](const v1::JobInfo* a, const v1::JobInfo* b) {
    return a->priority() > b->priority();
  });
  RecordTable table;
  table.headers = {"JOBID",     "PARTITION", "USER",      "ACCOUNT",  "PRIORITY", "AGE",
                   "FAIRSHARE", "JOBSIZE",   "SMALLJOBS", "PARTPRIO", "QOS",      "NICE"};
  table.widths = {-12, -10, -10, -16, 10, 8, 10, 8, 10, 9, 8, 8};
  for (const v1::JobInfo* j : jobs) {
    const v1::PriorityTerms& t = j->priority_terms();
    table.rows.push_back({JobIdText(*j), PartitionsOf(*j), j->spec().user(), j->spec().account(),
                          std::to_string(j->priority()), Whole(t.age()), Whole(t.fair_share()),
                          Whole(t.job_size()), Whole(t.small_jobs()), Whole(t.partition()),
                          Whole(t.qos()), std::to_string(j->spec().nice())});
  }
  fputs(RenderRecords(table, output).c_str(), stdout);
  return 0;
}

}  // namespace tatami
