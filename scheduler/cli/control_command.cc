// scontrol: Slurm's control tool, as far as job scripts and users reach for
// it on a tatami cluster.
//  - `show hostnames [LIST]` (LIST defaults to $SLURM_JOB_NODELIST): one
//    node a line, what every torchrun or NCCL launch script runs to find its
//    rendezvous host. `show hostlist[sorted] NAMES`: the reverse.
//  - `show job [JOBID]`, `show node [NODES]`, `show partition [NAME]`:
//    Slurm's KEY=VALUE records (job_record.h, node_record.h); -o puts each
//    on one line.
//  - hold, uhold, release, requeue, requeuehold, `update JobId=...`: the
//    tatami commands of those names (hold, release, requeue [--hold],
//    update), words, checks and errors alike.
//  - `update NodeName=NODES State=DRAIN|DOWN Reason=TEXT` and
//    `State=RESUME|IDLE|UNDRAIN`: tatami node drain|resume.
//  - `ping`: whether the controller answers.
// Keywords are case-insensitive, as Slurm's. What scontrol does beyond
// these (reconfigure, reservations, ...) is refused by name.
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "base/hostlist.h"
#include "base/strings.h"
#include "scheduler/cli/client.h"
#include "scheduler/cli/commands.h"
#include "scheduler/cli/job_record.h"
#include "scheduler/cli/node_record.h"

namespace tatami {
namespace {

constexpr const char* kUsage =
    "usage: %s [-o|--oneliner] COMMAND\n"
    "  show hostnames [HOSTLIST]     one name a line (default: $SLURM_JOB_NODELIST)\n"
    "  show hostlist[sorted] NAMES   names (a,b or a b) as one hostlist expression\n"
    "  show job [JOBID]              the job's record, KEY=VALUE (every job: none given)\n"
    "  show node [NODES]             nodes' records (every node: none given)\n"
    "  show partition [NAME]         partitions' records\n"
    "  hold|uhold|release JOBID...   tatami hold|release\n"
    "  requeue|requeuehold JOBID...  tatami requeue [--hold]\n"
    "  update JobId=ID KEY=VALUE...  tatami update (see tatami update --help)\n"
    "  update NodeName=NODES State=DRAIN Reason=TEXT | State=RESUME\n"
    "                                tatami node drain|resume\n"
    "  ping                          whether the controller answers (UP or DOWN)\n";

// "KEY=VALUE" -> lower-case key and value; key "" when there is no '='.
std::pair<std::string, std::string> KeyValue(const std::string& word) {
  size_t eq = word.find('=');
  if (eq == std::string::npos) return {"", word};
  return {ToLower(word.substr(0, eq)), word.substr(eq + 1)};
}

int ShowHostnames(const std::string& prog, const Args& args) {
  if (args.size() > 1)
    return Fail(prog, "show hostnames takes one hostlist, not " + std::to_string(args.size()));
  std::string list;
  if (!args.empty()) {
    list = args[0];
  } else if (const char* env = getenv("SLURM_JOB_NODELIST")) {
    list = env;
  } else {
    return Fail(prog, "show hostnames: no hostlist given, and SLURM_JOB_NODELIST is not set");
  }
  Result<std::vector<std::string>> names = ExpandHostlist(list);
  if (!names) return Fail(prog, "show hostnames: " + names.error().message);
  for (const std::string& name : *names) printf("%s\n", name.c_str());
  return 0;
}

int ShowHostlist(const std::string& prog, const Args& args, bool sorted) {
  if (args.empty()) return Fail(prog, "show hostlist: no names given");
  Result<std::vector<std::string>> names = ExpandHostlist(Join(args, ","));
  if (!names) return Fail(prog, "show hostlist: " + names.error().message);
  if (sorted) std::sort(names->begin(), names->end());
  printf("%s\n", CompressHostlist(*names).c_str());
  return 0;
}

int ShowJob(const std::string& prog, const Args& args, bool one_line) {
  v1::ListJobsRequest req;
  req.set_requester(CallerName());
  req.set_include_finished(true);
  for (const std::string& id : args) {
    if (Status s = AddJobIds(id, req.mutable_job_ids()); !s.ok())
      return Fail(prog, "show job: " + s.error().message);
  }
  v1::ListJobsReply reply;
  if (Status s = ControllerClient::CallOnce(&v1::Controller::Stub::ListJobs, req, &reply); !s.ok())
    return Fail(prog, s.error().message);
  // Slurm's words, which scripts test for.
  if (reply.jobs().empty() && !args.empty()) return Fail(prog, "Invalid job id specified");
  if (reply.jobs().empty()) {
    printf("No jobs in the system\n");
    return 0;
  }
  TimeMs now = SystemClock::Get().Now();
  for (const v1::JobInfo& job : reply.jobs())
    printf("%s%s", ScontrolJobRecord(job, now, one_line).c_str(), one_line ? "" : "\n");
  return 0;
}

// One name or hostlist, or none (every one); `what` names it in errors.
Result<std::vector<std::string>> Wanted(const std::string& what, const Args& args) {
  if (args.size() > 1) return MakeError("show " + what + " takes one name or hostlist");
  if (args.empty()) return std::vector<std::string>();
  Result<std::vector<std::string>> names = ExpandHostlist(args[0]);
  if (!names) return MakeError("show " + what + ": " + names.error().message);
  return names;
}

Result<v1::ClusterInfoReply> Cluster() {
  v1::ClusterInfoReply reply;
  if (Status s = ControllerClient::CallOnce(&v1::Controller::Stub::ClusterInfo,
                                            v1::ClusterInfoRequest(), &reply);
      !s.ok())
    return s.error();
  return reply;
}

template <class Info, class Print>
int ShowRecords(const std::string& prog, const std::string& what, const Args& args,
                const google::protobuf::RepeatedPtrField<Info>& all, Print print) {
  Result<std::vector<std::string>> wanted = Wanted(what, args);
  if (!wanted) return Fail(prog, wanted.error().message);
  for (const std::string& name : *wanted) {
    if (std::none_of(all.begin(), all.end(), [&](const Info& i) { return i.name() == name; }))
      return Fail(prog, what + " '" + name + "' not found");
  }
  for (const Info& info : all) {
    if (wanted->empty() || std::find(wanted->begin(), wanted->end(), info.name()) != wanted->end())
      print(info);
  }
  return 0;
}

int ShowNodes(const std::string& prog, const Args& args, bool one_line) {
  Result<v1::ClusterInfoReply> cluster = Cluster();
  if (!cluster) return Fail(prog, cluster.error().message);
  return ShowRecords(prog, "node", args, cluster->nodes(), [&](const v1::NodeInfo& n) {
    printf("%s%s", ScontrolNodeRecord(n, one_line).c_str(), one_line ? "" : "\n");
  });
}

int ShowPartitions(const std::string& prog, const Args& args, bool one_line) {
  Result<v1::ClusterInfoReply> cluster = Cluster();
  if (!cluster) return Fail(prog, cluster.error().message);
  std::vector<v1::NodeInfo> nodes(cluster->nodes().begin(), cluster->nodes().end());
  return ShowRecords(
      prog, "partition", args, cluster->partitions(), [&](const v1::PartitionInfo& p) {
        printf("%s%s", ScontrolPartitionRecord(p, nodes, one_line).c_str(), one_line ? "" : "\n");
      });
}

int Show(const std::string& prog, const Args& args, bool one_line) {
  if (args.empty())
    return Fail(prog, "show what? (hostnames, hostlist, hostlistsorted, job, node or partition)");
  std::string what = ToLower(args[0]);
  Args rest(args.begin() + 1, args.end());
  if (what == "hostnames") return ShowHostnames(prog, rest);
  if (what == "hostlist" || what == "hostlistsorted")
    return ShowHostlist(prog, rest, what == "hostlistsorted");
  if (what == "job" || what == "jobs" || what == "jobid") return ShowJob(prog, rest, one_line);
  if (what == "node" || what == "nodes") return ShowNodes(prog, rest, one_line);
  if (what == "partition" || what == "partitions") return ShowPartitions(prog, rest, one_line);
  return Fail(prog, "show " + what + " is not something tatami's scontrol does (it shows " +
                        "hostnames, hostlist, hostlistsorted, job, node and partition)");
}

// update NodeName=NODES State=... [Reason=...], as tatami node drain|resume.
int UpdateNodes(const std::string& prog, const Args& args) {
  std::string nodes, state, reason;
  for (const std::string& word : args) {
    auto [key, value] = KeyValue(word);
    if (key == "nodename") {
      nodes = value;
    } else if (key == "state") {
      state = ToLower(value);
    } else if (key == "reason") {
      reason = value;
    } else {
      return Fail(prog, "update NodeName: '" + word +
                            "' is not something tatami can change (it takes State= and Reason=)");
    }
  }
  if (state.empty()) return Fail(prog, "update NodeName: no State= given (DRAIN or RESUME)");
  Args node_args;
  if (state == "drain" || state == "down" || state == "fail") {
    if (reason.empty())
      return Fail(prog, "update NodeName: State=" + state + " needs a Reason=, as Slurm's does");
    node_args = {"drain", nodes, "--reason=" + reason};
  } else if (state == "resume" || state == "idle" || state == "undrain") {
    node_args = {"resume", nodes};
  } else {
    return Fail(prog, "update NodeName: State=" + state + " is not one tatami takes (want " +
                          "DRAIN, DOWN, FAIL, RESUME, IDLE or UNDRAIN)");
  }
  return RunNode(prog, node_args);
}

int Update(const std::string& prog, const Args& args) {
  for (const std::string& word : args) {
    if (KeyValue(word).first == "nodename") return UpdateNodes(prog, args);
  }
  return RunUpdate(prog, args);
}

// Whether the controller answers, as Slurm's `scontrol ping` says it.
int Ping(const std::string& prog) {
  Result<ControllerClient> client = ControllerClient::Connect("");
  if (!client) return Fail(prog, client.error().message);
  v1::ClusterInfoReply reply;
  bool up = client
                ->Call(&v1::Controller::Stub::ClusterInfo, v1::ClusterInfoRequest(), &reply,
                       /*timeout_seconds=*/10)
                .ok();
  printf("tatamid at %s is %s\n", client->address().c_str(), up ? "UP" : "DOWN");
  return up ? 0 : 1;
}

}  // namespace

int RunControl(const std::string& prog, const Args& args) {
  bool one_line = false;
  size_t at = 0;
  for (; at < args.size() && !args[at].empty() && args[at][0] == '-'; ++at) {
    const std::string& option = args[at];
    if (option == "-h" || option == "--help") {
      printf(kUsage, prog.c_str());
      return 0;
    }
    if (option == "-o" || option == "--oneliner") {
      one_line = true;
    } else if (option != "-d" && option != "--details" && option != "-Q" && option != "--quiet") {
      return Fail(prog, "unrecognized option '" + option + "'");
    }
  }
  if (at == args.size()) {
    fprintf(stderr, kUsage, prog.c_str());
    return 2;
  }
  std::string verb = ToLower(args[at]);
  Args rest(args.begin() + static_cast<std::ptrdiff_t>(at) + 1, args.end());
  if (verb == "show") return Show(prog, rest, one_line);
  if (verb == "hold" || verb == "uhold") return RunHold(prog, rest);
  if (verb == "release") return RunRelease(prog, rest);
  if (verb == "requeue") return RunRequeue(prog, rest);
  if (verb == "requeuehold") {
    rest.insert(rest.begin(), "--hold");
    return RunRequeue(prog, rest);
  }
  if (verb == "update") return Update(prog, rest);
  if (verb == "ping") return Ping(prog);
  if (verb == "help") {
    printf(kUsage, prog.c_str());
    return 0;
  }
  return Fail(prog, "'" + args[at] + "' is not something tatami's scontrol does (it does show, " +
                        "hold, uhold, release, requeue, requeuehold, update and ping)");
}

}  // namespace tatami
