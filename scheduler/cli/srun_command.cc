// srun inside a job: runs COMMAND as a step of tasks across the job's
// nodes, each started by its node's agent inside the job (its environment,
// its cleanup), as tatami-rsh starts mpirun's orteds.
//
//   srun [-n N] [-N NODES] [--ntasks-per-node=K] [-c CPUS] [-l] [-K] COMMAND [ARGS...]
//
// Tasks are laid out as Slurm's block distribution (step_layout.h) and each
// gets SLURM_PROCID, SLURM_LOCALID, SLURM_NODEID and the step's SLURM_STEP_*
// and SLURM_NTASKS, so `srun tatami-bind python train.py` and scripts that
// read those variables work unchanged. Output is relayed as it comes (-l:
// each line behind its rank); srun exits with the highest exit code of the
// tasks that ended by themselves (128 + signal for one killed), 255 for one
// that could not run. SIGINT and SIGTERM end every task (srun then exits
// with at least 128 + that signal); -K ends them all when one fails.
// Outside a job srun says so: tatami runs steps only inside allocations.
// Tasks read /dev/null: srun's stdin is not forwarded (Slurm's goes to task
// 0). One thread per task, each a streaming Exec call.
#include <grpcpp/grpcpp.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/files.h"
#include "base/hostlist.h"
#include "base/strings.h"
#include "launcher/node_addresses.h"
#include "proto/tatami.grpc.pb.h"
#include "scheduler/cli/commands.h"
#include "scheduler/cli/step_layout.h"

namespace tatami {
namespace {

constexpr const char* kUsage =
    "usage: %s [-n|--ntasks=N] [-N|--nodes=N] [--ntasks-per-node=K] [-c|--cpus-per-task=N]\n"
    "       [-l|--label] [-K|--kill-on-bad-exit] COMMAND [ARGS...]\n"
    "Inside a job: runs COMMAND as N tasks across the job's nodes (default: the job's\n"
    "--ntasks), each with SLURM_PROCID, SLURM_LOCALID and SLURM_NODEID. Exits with the\n"
    "highest exit code of the tasks.\n";

// The step's tasks in flight, for the signal handler and -K.
std::mutex g_contexts_mu;
std::vector<grpc::ClientContext*> g_contexts;
std::atomic<bool> g_stopping{false};
std::atomic<int> g_stopped_by{0};  // the signal that ended the step, if one did

void CancelAll() {
  g_stopping = true;
  std::lock_guard lock(g_contexts_mu);
  for (grpc::ClientContext* ctx : g_contexts) ctx->TryCancel();
}

// Output of every task to one terminal, whole lines (or whole chunks) at a time.
class Relay {
 public:
  explicit Relay(bool label) : label_(label) {}
  void Write(int fd, uint32_t rank, const std::string& data) {
    std::lock_guard lock(mu_);
    if (!label_) {
      WriteAll(fd, data);
      return;
    }
    std::string& pending = pending_[{fd, rank}];
    pending += data;
    size_t start = 0;
    for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1)
      WriteAll(fd, std::to_string(rank) + ": " + pending.substr(start, nl + 1 - start));
    pending.erase(0, start);
  }
  // What a task left without a newline at its end.
  void Flush(uint32_t rank) {
    std::lock_guard lock(mu_);
    for (int fd : {1, 2}) {
      auto it = pending_.find({fd, rank});
      if (it == pending_.end() || it->second.empty()) continue;
      WriteAll(fd, std::to_string(rank) + ": " + it->second + "\n");
      it->second.clear();
    }
  }

 private:
  bool label_;
  std::mutex mu_;
  std::map<std::pair<int, uint32_t>, std::string> pending_;
};

struct Options {
  StepRequest step;
  uint32_t cpus_per_task = 0;
  bool label = false;
  bool kill_on_bad_exit = false;
  std::vector<std::string> command;
};

// base/strings.h's count (1 to 1,000,000, the error naming `option`) into *out.
Status SetCount(const std::string& option, const std::string& value, uint32_t* out) {
  Result<uint32_t> n = ParseCount(value, option);
  if (!n) return n.error();
  *out = *n;
  return {};
}

// Options up to the command: srun's own stop at the first word that is not one.
Result<Options> ParseOptions(const Args& args) {
  Options o;
  ArgReader r(args);
  std::string value, error;
  while (!r.Done() && !r.Peek().empty() && r.Peek()[0] == '-') {
    Status s;
    if (r.Value("-n", "--ntasks", &value, &error)) {
      s = SetCount("--ntasks", value, &o.step.ntasks);
    } else if (r.Value("-N", "--nodes", &value, &error)) {
      s = SetCount("--nodes", value, &o.step.nodes);
    } else if (r.Value(nullptr, "--ntasks-per-node", &value, &error)) {
      s = SetCount("--ntasks-per-node", value, &o.step.ntasks_per_node);
    } else if (r.Value("-c", "--cpus-per-task", &value, &error)) {
      s = SetCount("--cpus-per-task", value, &o.cpus_per_task);
    } else if (r.Flag("-l", "--label")) {
      o.label = true;
    } else if (r.Flag("-K", "--kill-on-bad-exit")) {
      o.kill_on_bad_exit = true;
    } else {
      return MakeError("option " + r.Peek() +
                       " is not one tatami's srun takes (it takes -n, -N, --ntasks-per-node, "
                       "-c, -l and -K)");
    }
    if (!error.empty()) return MakeError(error);
    if (!s.ok()) return s.error();
  }
  while (!r.Done()) o.command.push_back(r.Next());
  if (o.command.empty()) return MakeError("no command given");
  return o;
}

// Runs one task to its end; returns its exit code as a shell reports it,
// or -1 for one that srun ended (-K, or a signal to srun).
int RunTask(const std::string& prog, const StepTask& task, v1::ExecRequest req,
            v1::Agent::Stub& agent, Relay& relay, const Options& o) {
  grpc::ClientContext ctx;
  {
    std::lock_guard lock(g_contexts_mu);
    if (g_stopping) return -1;
    g_contexts.push_back(&ctx);
  }
  auto reader = agent.Exec(&ctx, req);
  v1::ExecChunk chunk;
  int code = 255;
  while (reader->Read(&chunk)) {
    if (!chunk.stdout().empty()) relay.Write(1, task.rank, chunk.stdout());
    if (!chunk.stderr().empty()) relay.Write(2, task.rank, chunk.stderr());
    if (!chunk.error().empty())
      fprintf(stderr, "%s: error: task %u on %s: %s\n", prog.c_str(), task.rank, task.node.c_str(),
              chunk.error().c_str());
    if (chunk.exited()) code = chunk.exit_code();
  }
  grpc::Status s = reader->Finish();
  {
    std::lock_guard lock(g_contexts_mu);
    std::erase(g_contexts, &ctx);
  }
  relay.Flush(task.rank);
  if (!s.ok() && g_stopping) return -1;
  if (!s.ok()) {
    fprintf(stderr, "%s: error: task %u on %s: %s\n", prog.c_str(), task.rank, task.node.c_str(),
            s.error_message().c_str());
    code = 255;
  }
  if (code != 0 && o.kill_on_bad_exit && !g_stopping) {
    fprintf(stderr, "%s: error: task %u exited with %d; ending the others (-K)\n", prog.c_str(),
            task.rank, code);
    CancelAll();
  }
  return code;
}

}  // namespace

int RunSrun(const std::string& prog, const Args& args) {
  if (!args.empty() && (args[0] == "-h" || args[0] == "--help")) {
    printf(kUsage, prog.c_str());
    return 0;
  }
  Result<Options> o = ParseOptions(args);
  if (!o) return Fail(prog, o.error().message);
  const char* job = getenv("SLURM_JOB_ID");
  const char* addresses = getenv("TATAMI_NODE_ADDRESSES");
  const char* nodelist = getenv("SLURM_JOB_NODELIST");
  if (!job || !addresses || !nodelist)
    return Fail(prog,
                "not inside a job (SLURM_JOB_ID, SLURM_JOB_NODELIST or "
                "TATAMI_NODE_ADDRESSES unset): tatami runs steps inside allocations; "
                "submit one with sbatch (--wait to block until it ends)");
  Result<std::vector<std::string>> nodes = ExpandHostlist(nodelist);
  if (!nodes) return Fail(prog, "SLURM_JOB_NODELIST: " + nodes.error().message);
  uint32_t job_ntasks = 0;
  if (const char* n = getenv("SLURM_NTASKS")) job_ntasks = ParseInt(n).value_or(0);
  Result<std::vector<StepTask>> tasks = LayOutStep(*nodes, job_ntasks, o->step);
  if (!tasks) return Fail(prog, tasks.error().message);

  std::map<std::string, std::string> address_of = ParseNodeAddresses(addresses);
  std::map<std::string, std::shared_ptr<v1::Agent::Stub>> agents;
  std::vector<std::string> step_nodes;
  for (const StepTask& t : *tasks) {
    if (agents.count(t.node)) continue;
    auto it = address_of.find(t.node);
    if (it == address_of.end())
      return Fail(prog, "node " + t.node + " has no agent address in TATAMI_NODE_ADDRESSES");
    agents[t.node] =
        v1::Agent::NewStub(grpc::CreateChannel(it->second, grpc::InsecureChannelCredentials()));
    step_nodes.push_back(t.node);
  }
  std::string ntasks = std::to_string(tasks->size());
  std::vector<std::string> common = {
      "SLURM_NTASKS=" + ntasks,
      "SLURM_NPROCS=" + ntasks,
      "SLURM_STEP_NUM_TASKS=" + ntasks,
      "SLURM_STEP_NUM_NODES=" + std::to_string(step_nodes.size()),
      "SLURM_STEP_NODELIST=" + CompressHostlist(step_nodes),
  };
  if (o->cpus_per_task) common.push_back("SLURM_CPUS_PER_TASK=" + std::to_string(o->cpus_per_task));

  // SIGINT and SIGTERM wait for one thread (sigwait), which may take locks
  // as a handler may not; every task thread inherits the blocked mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::thread([stop_signals] {
    int signal_number = 0;
    if (sigwait(&stop_signals, &signal_number) != 0) return;
    g_stopped_by = signal_number;
    CancelAll();
  }).detach();
  Relay relay(o->label);
  std::vector<int> codes(tasks->size(), -1);
  std::vector<std::thread> threads;
  threads.reserve(tasks->size());
  for (size_t i = 0; i < tasks->size(); ++i) {
    const StepTask& t = (*tasks)[i];
    v1::ExecRequest req;
    req.set_job_id(std::strtoull(job, nullptr, 10));
    req.set_node(t.node);
    // Through the shell for its PATH search in the task's environment;
    // "$@" keeps every argument as given.
    for (const char* word : {"/bin/sh", "-c", "exec \"$0\" \"$@\""}) req.add_argv(word);
    for (const std::string& word : o->command) req.add_argv(word);
    for (const std::string& kv : common) req.add_env(kv);
    req.add_env("SLURM_PROCID=" + std::to_string(t.rank));
    req.add_env("SLURM_LOCALID=" + std::to_string(t.local_rank));
    req.add_env("SLURM_NODEID=" + std::to_string(t.node_index));
    v1::Agent::Stub* agent = agents.at(t.node).get();
    threads.emplace_back([&, i, agent, req = std::move(req)] {
      codes[i] = RunTask(prog, (*tasks)[i], req, *agent, relay, *o);
    });
  }
  for (std::thread& t : threads) t.join();
  // The tasks that ended by themselves say; a signal to srun, as a shell's.
  int code = std::max(0, *std::max_element(codes.begin(), codes.end()));
  return g_stopped_by ? std::max(code, 128 + g_stopped_by.load()) : code;
}

}  // namespace tatami
