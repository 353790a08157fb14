// tatami update JOBID... [--time=LIMIT] [--time-min=LIMIT] [--qos=QOS]
// [--account=ACCOUNT] [--partition=PARTITION] [--nodes=N] [--ntasks=N]
// [--mem=SIZE] [--gpus=SHAPES] (or --gres, --gpus-per-node, --tiles,
// --accelerators) [--job-class=CLASS] [--constraint=FEATURES]
// [--dependency=DEP] [--nice=N]: change pending
// jobs' settings (Slurm's scontrol update job; an empty --dependency or
// --constraint clears it), and a running job's time limit. scontrol's own
// words work too: `tatami update JobId=12 TimeLimit=30:00 QOS=burst
// NumNodes=2 NumTasks=16 MinMemoryNode=64G Gres=gpu:4 Features=ib
// Dependency=afterok:11 Nice=100`. The controller
// checks each change as it checks a submission and says, per job, what it
// refused.
#include <strings.h>

#include <cstdio>

#include "base/duration.h"
#include "base/strings.h"
#include "scheduler/cli/batch_options.h"
#include "scheduler/cli/client.h"
#include "scheduler/cli/commands.h"
#include "scheduler/job_options.h"
#include "scheduler/job_update.h"
#include "scheduler/priority.h"

namespace tatami {
namespace {

constexpr const char* kUsage =
    "usage: %s JOBID[_TASK][,JOBID...]... [-t|--time=LIMIT] [--time-min=LIMIT] [-q|--qos=QOS]\n"
    "       [-A|--account=ACCOUNT] [-p|--partition=PARTITION[,...]] [-N|--nodes=N]\n"
    "       [-n|--ntasks=N] [--mem=SIZE] [-G|--gpus=SHAPES] [--gres=SHAPES]\n"
    "       [--gpus-per-node=SHAPES] [--tiles=N] [--accelerators=SHAPES] [--job-class=CLASS]\n"
    "       [-C|--constraint=FEATURES] [-d|--dependency=DEP] [--nice=N]\n"
    "       %s JobId=ID [TimeLimit=LIMIT] [TimeMin=LIMIT] [QOS=QOS] [Account=ACCOUNT]\n"
    "       [Partition=PARTITION] [NumNodes=N] [NumTasks=N] [MinMemoryNode=SIZE]\n"
    "       [Gres=gpu:N] [TresPerNode=gres/gpu:N] [TresPerJob=gres/gpu:N]\n"
    "       [Features=FEATURES] [Dependency=DEP] [Nice=N]\n"
    "       (scontrol's words; an empty DEP, FEATURES or CLASS clears it; new\n"
    "       accelerators replace the job's alternatives, as sbatch's SHAPES give them)\n";

// A parsed value into the request through `set`, or the parse's error.
template <class T, class Set>
Status SetParsed(Result<T> parsed, Set set) {
  if (!parsed) return parsed.error();
  set(*parsed);
  return {};
}

// The accelerators as sbatch's flag `option` gives them, or as scontrol's
// TresPerNode/TresPerJob=gres/NAME[:TYPE]:COUNT (per node / for the job);
// an empty value: none.
Status SetAccelerators(const std::string& option, const std::string& written,
                       const std::string& value, v1::UpdateJobsRequest& req) {
  bool tres = option.starts_with("tres-");
  std::string shapes = value;
  if (tres) {
    if (!value.starts_with("gres/") && !value.starts_with("gres:"))
      return MakeError(written + ": want gres/NAME[:TYPE]:COUNT, not '" + value + "'");
    shapes = value.substr(5);
  }
  v1::AcceleratorChange& change = *req.mutable_accelerators();
  if (shapes.empty()) return {};  // none: the job no longer asks for any
  bool gres = tres || option == "gres";
  // ParseAccelerators reads --gpus's counts as the job's, others' per node.
  std::string opt = option == "gpus" ? "--gpus" : written;
  v1::JobSpec parsed;
  if (Status s = ParseAccelerators(opt, shapes, gres, parsed); !s.ok()) return s;
  *change.mutable_request() = parsed.accelerators();
  *change.mutable_options() = parsed.accelerator_options();
  if (option == "tres-per-job") {  // parsed as per node: for the job instead
    auto for_job = [](v1::AcceleratorRequest* r) {
      r->set_total(r->per_node());
      r->set_per_node(0);
    };
    for_job(change.mutable_request());
    for (auto& o : *change.mutable_options()) for_job(o.mutable_accelerators());
  }
  return {};
}

// Sets the request's field for one change; an error names the option as
// the user wrote it (`written`: --time, TimeLimit, ...).
Status SetChange(const std::string& option, const std::string& written, const std::string& value,
                 v1::UpdateJobsRequest& req) {
  if (option == "time") {
    return SetParsed(ParseTimeLimit(value, written), [&](auto v) { req.set_time_limit_ms(v); });
  } else if (option == "nice") {
    return SetParsed(ParseNice(value, written), [&](auto v) { req.set_nice(v); });
  } else if (option == "time-min") {  // 0 clears it
    return SetParsed(ParseTimeLimit(value, written), [&](auto v) { req.set_time_min_ms(v); });
  } else if (option == "nodes") {
    return SetParsed(ParseNodeCount(value, written), [&](auto v) { req.set_nodes(v); });
  } else if (option == "ntasks") {
    return SetParsed(ParseCount(value, written), [&](auto v) { req.set_ntasks(v); });
  } else if (option == "mem") {  // as sbatch: 0 is the whole node
    return SetParsed(ParseMemoryMiB(value, written),
                     [&](auto v) { req.set_mem_per_node_mib(v == 0 ? -1 : v); });
  } else if (option == "gpus" || option == "gres" || option == "gpus-per-node" ||
             option == "accelerators" || option == "tres-per-node" || option == "tres-per-job") {
    return SetAccelerators(option, written, value, req);
  } else if (option == "tiles") {
    return SetParsed(ParseCount(value, written), [&](auto n) {
      v1::AcceleratorRequest& tiles = *req.mutable_accelerators()->mutable_request();
      tiles.set_kind("d1");
      tiles.set_total(n);
    });
  } else if (option == "job-class") {
    req.set_job_class(value);  // "" clears it; the controller checks the name
  } else if (option == "constraint") {
    req.set_constraint(value);  // "" clears it; the controller parses it
  } else if (option == "dependency") {
    req.set_dependency(value);  // "" clears it; the controller parses and checks it
  } else if (value.empty()) {
    const char* what = option == "qos" ? " QoS" : option == "account" ? "n account" : " partition";
    return MakeError(written + " needs a" + what + " name");
  } else if (option == "qos") {
    req.set_qos(value);
  } else if (option == "account") {
    req.set_account(value);
  } else {
    req.set_partition(value);
  }
  return {};
}

// scontrol's KEY=VALUE words, keys in any case; "" if `arg` is none of them.
std::string ScontrolKey(const std::string& arg) {
  size_t eq = arg.find('=');
  if (eq == std::string::npos) return "";
  std::string key = arg.substr(0, eq);
  for (const auto& [word, option] : {std::pair{"jobid", "jobid"},
                                     {"timelimit", "time"},
                                     {"timemin", "time-min"},
                                     {"numnodes", "nodes"},
                                     {"numtasks", "ntasks"},
                                     {"minmemorynode", "mem"},
                                     {"gres", "gres"},
                                     {"trespernode", "tres-per-node"},
                                     {"tresperjob", "tres-per-job"},
                                     {"features", "constraint"},
                                     {"qos", "qos"},
                                     {"account", "account"},
                                     {"partition", "partition"},
                                     {"dependency", "dependency"},
                                     {"nice", "nice"}}) {
    if (strcasecmp(key.c_str(), word) == 0) return option;
  }
  return "";
}

// sbatch's flags for the changes; SetChange's option is the long flag
// without its dashes.
struct UpdateFlag {
  const char* short_flag;  // null: none
  const char* long_flag;
};
constexpr UpdateFlag kUpdateFlags[] = {
    {"-t", "--time"},         {"-q", "--qos"},
    {"-A", "--account"},      {"-p", "--partition"},
    {"-d", "--dependency"},   {nullptr, "--nice"},
    {nullptr, "--time-min"},  {"-N", "--nodes"},
    {"-n", "--ntasks"},       {nullptr, "--mem"},
    {"-C", "--constraint"},   {"-G", "--gpus"},
    {nullptr, "--gres"},      {nullptr, "--gpus-per-node"},
    {nullptr, "--tiles"},     {nullptr, "--accelerators"},
    {nullptr, "--job-class"},
};

// The flag the reader is at, its value read (or `error` set); null if none.
const UpdateFlag* FlagGiven(ArgReader& r, std::string* value, std::string* error) {
  for (const UpdateFlag& f : kUpdateFlags) {
    if (r.Value(f.short_flag, f.long_flag, value, error)) return &f;
  }
  return nullptr;
}

}  // namespace

int RunUpdate(const std::string& prog, const Args& args) {
  v1::UpdateJobsRequest req;
  ArgReader r(args);
  while (!r.Done()) {
    std::string value, error;
    Status change;
    if (r.Flag("-h", "--help")) {
      printf(kUsage, prog.c_str(), prog.c_str());
      return 0;
    } else if (const UpdateFlag* flag = FlagGiven(r, &value, &error)) {
      if (error.empty()) change = SetChange(flag->long_flag + 2, flag->long_flag, value, req);
    } else if (!r.Peek().empty() && r.Peek()[0] == '-') {
      return Fail(prog, "unrecognized option '" + r.Peek() + "'");
    } else if (std::string key = ScontrolKey(r.Peek()); !key.empty()) {
      std::string word = r.Next();
      value = word.substr(word.find('=') + 1);
      if (key == "jobid") {
        for (const auto& id : Split(value, ',')) req.add_job_ids(id);
      } else {
        change = SetChange(key, word.substr(0, word.find('=')), value, req);
      }
    } else if (r.Peek().find('=') != std::string::npos) {
      return Fail(prog, "cannot update '" + r.Peek().substr(0, r.Peek().find('=')) + "': only " +
                            kUpdatableKeys + " can be changed");
    } else {
      for (const auto& id : Split(r.Next(), ',')) req.add_job_ids(id);
    }
    if (!error.empty()) return Fail(prog, error);
    if (!change.ok()) return Fail(prog, change.error().message);
  }
  if (req.job_ids().empty()) return Fail(prog, "no job ids given");
  if (!ChangesAnything(req)) return Fail(prog, kNothingToUpdate);
  req.set_requester(CallerName());
  v1::UpdateJobsReply reply;
  if (Status s = ControllerClient::CallOnce(&v1::Controller::Stub::UpdateJobs, req, &reply);
      !s.ok())
    return Fail(prog, s.error().message);
  return FailEach(prog, reply.errors());
}

}  // namespace tatami
