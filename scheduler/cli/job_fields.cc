#include "scheduler/cli/job_fields.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>

#include "base/duration.h"
#include "base/hostlist.h"
#include "base/strings.h"
#include "scheduler/dependency.h"
#include "scheduler/job_options.h"
#include "scheduler/job_state.h"

namespace tatami {

std::string JobIdText(const v1::JobInfo& job) {
  if (job.array_task_id() < 0) return std::to_string(job.job_id());
  return std::to_string(job.array_job_id()) + "_" + std::to_string(job.array_task_id());
}

std::string NodeListText(const v1::JobInfo& job) {
  std::vector<std::string> nodes;
  for (const auto& a : job.allocation()) nodes.push_back(a.node());
  return nodes.empty() ? "None assigned" : CompressHostlist(nodes);
}

namespace {

// A job's limit as squeue and sacct print it: "UNLIMITED" for none, where
// sinfo's partition limit says "infinite" (FormatTimeLimit), as Slurm's do.
std::string JobTimeLimit(const v1::JobInfo& job) {
  return job.time_limit_ms() > 0 ? FormatTimeLimit(job.time_limit_ms()) : "UNLIMITED";
}

// The QoS squeue and sacct show: what it runs (or ran) as, its own or its
// QoS's above_quota (RunQos); "normal" for none.
std::string QosText(const v1::JobInfo& job) {
  const std::string& qos = RunQos(job);
  return qos.empty() ? "normal" : qos;
}

}  // namespace

uint32_t NodeCount(const v1::JobInfo& job) {
  if (job.allocation_size() > 0) return static_cast<uint32_t>(job.allocation_size());
  return std::max<uint32_t>(1, job.spec().nodes());
}

uint32_t TaskCount(const v1::JobInfo& job) {
  const v1::JobSpec& s = job.spec();
  return s.ntasks() ? s.ntasks() : std::max<uint32_t>(1, s.ntasks_per_node()) * NodeCount(job);
}

uint32_t CpuCount(const v1::JobInfo& job) {
  uint32_t n = 0;
  for (const auto& a : job.allocation()) n += a.cpus();
  if (n == 0) n = TaskCount(job) * std::max<uint32_t>(1, job.spec().cpus_per_task());
  return n;
}

std::string GresOf(const std::string& kind, uint32_t count) {
  return (kind == "h100" ? "gpu:h100" : kind) + ":" + std::to_string(count);
}

std::string TresGresOf(const std::string& kind, uint64_t count) {
  return "gres/" + std::string(kind == "h100" ? "gpu" : kind) + "=" + std::to_string(count);
}

std::string GresText(const v1::JobInfo& job) {
  const auto& a = job.spec().accelerators();
  uint32_t per_node = a.per_node() ? a.per_node() : (a.total() ? a.total() / NodeCount(job) : 0);
  if (per_node == 0 || a.kind().empty()) return "";
  return GresOf(a.kind(), per_node);
}

DurationMs Elapsed(const v1::JobInfo& job, TimeMs now) {
  if (job.start_time() == 0) return 0;
  TimeMs end = job.end_time() ? job.end_time() : now;
  return std::max<DurationMs>(0, end - job.start_time());
}

TimeMs StartTimeShown(const v1::JobInfo& job) {
  if (job.state() != v1::PENDING) return job.start_time();
  return std::max(job.expected_start(), job.spec().begin_time());
}

int WaitExitStatus(const v1::WaitReply& reply) {
  int status = 0;
  for (const v1::JobInfo& job : reply.jobs()) {
    int code = job.exit_signal() ? 128 + job.exit_signal() : job.exit_code();
    if (job.state() != v1::COMPLETED && code == 0) code = 1;
    status = std::max(status, code);
  }
  return std::min(status, 255);
}

std::string QueueField(const v1::JobInfo& job, char f, TimeMs now) {
  const v1::JobSpec& s = job.spec();
  switch (f) {
    case 'i':
      return JobIdText(job);
    case 'A':
    case 'F':
      return std::to_string(job.array_task_id() >= 0 ? job.array_job_id() : job.job_id());
    case 'K':
      return job.array_task_id() >= 0 ? std::to_string(job.array_task_id()) : "N/A";
    case 'j':
      return s.name();
    case 'P':
      return PartitionsOf(job);
    case 'u':
      return s.user();
    case 'a':
      return s.account().empty() ? "(null)" : s.account();
    case 'q':
      return QosText(job);
    case 't':
      return std::string(StateCompact(job.state()));
    case 'T':
      return std::string(StateName(job.state()));
    case 'M':
      return FormatElapsed(Elapsed(job, now), true);
    case 'l':
      return JobTimeLimit(job);
    case 'L': {
      if (job.time_limit_ms() <= 0) return JobTimeLimit(job);
      return FormatElapsed(job.time_limit_ms() - Elapsed(job, now), true);
    }
    case 'D':
      return std::to_string(NodeCount(job));
    case 'C':
      return std::to_string(CpuCount(job));
    case 'N':
      return job.allocation_size() ? NodeListText(job) : "";
    case 'r':
      return job.reason();
    case 'R':
      return job.state() == v1::PENDING ? "(" + job.reason() + ")" : NodeListText(job);
    case 'b': {
      std::string g = GresText(job);
      return g.empty() ? "N/A" : "gres/" + g;
    }
    case 'V':
      return FormatTimestamp(job.submit_time());
    case 'S': {
      TimeMs at = StartTimeShown(job);
      return at ? FormatTimestamp(at) : "N/A";
    }
    case 'Q':
      return std::to_string(job.priority());
    case 'E': {  // what remains of it, each term with its state
      std::string d = FormatRemainingDependencies(job);
      return d.empty() ? "(null)" : d;
    }
    case 'e':
      return job.end_time() ? FormatTimestamp(job.end_time()) : "N/A";
    case 'Z':
      return s.work_dir();
    case 'm':
      return s.mem_per_node_mib() < 0 ? "0" : std::to_string(s.mem_per_node_mib()) + "M";
    case 'o':
      return s.script_args().empty()
                 ? s.name()
                 : s.name() + " " + Join({s.script_args().begin(), s.script_args().end()}, " ");
    case 'f':  // --constraint, as squeue's FEATURES
      return s.constraints().empty() ? "(null)"
                                     : Join({s.constraints().begin(), s.constraints().end()}, "&");
    case 'y':
      return std::to_string(s.nice());
    case 'Y':  // a pending job's: where the backfill plan expects it to start
      return job.state() == v1::PENDING && !job.expected_nodes().empty() ? job.expected_nodes()
                                                                         : "(null)";
    default:
      return std::string("%") + f;
  }
}

namespace {

// squeue's field letters and their column titles.
const std::map<char, std::string>& QueueHeaders() {
  static const std::map<char, std::string> names = {{'i', "JOBID"},
                                                    {'A', "ARRAY_JOB_ID"},
                                                    {'F', "ARRAY_JOB_ID"},
                                                    {'K', "ARRAY_TASK_ID"},
                                                    {'j', "NAME"},
                                                    {'P', "PARTITION"},
                                                    {'u', "USER"},
                                                    {'a', "ACCOUNT"},
                                                    {'q', "QOS"},
                                                    {'t', "ST"},
                                                    {'T', "STATE"},
                                                    {'M', "TIME"},
                                                    {'l', "TIME_LIMIT"},
                                                    {'L', "TIME_LEFT"},
                                                    {'D', "NODES"},
                                                    {'C', "CPUS"},
                                                    {'N', "NODELIST"},
                                                    {'r', "REASON"},
                                                    {'R', "NODELIST(REASON)"},
                                                    {'b', "TRES_PER_NODE"},
                                                    {'V', "SUBMIT_TIME"},
                                                    {'S', "START_TIME"},
                                                    {'e', "END_TIME"},
                                                    {'Z', "WORK_DIR"},
                                                    {'m', "MIN_MEMORY"},
                                                    {'o', "COMMAND"},
                                                    {'y', "NICE"},
                                                    {'f', "FEATURES"},
                                                    {'Y', "SCHEDNODES"},
                                                    {'Q', "PRIORITY"},
                                                    {'E', "DEPENDENCY"}};
  return names;
}

}  // namespace

std::string QueueHeader(char f) {
  auto it = QueueHeaders().find(f);
  return it == QueueHeaders().end() ? std::string("%") + f : it->second;
}

std::string AllQueueFields() {
  std::vector<char> letters;
  for (const auto& [letter, title] : QueueHeaders()) letters.push_back(letter);
  // Alphabetical, a lower-case letter before its capital (a, A, b, C), as Slurm lists them.
  auto order = [](char c) {
    auto u = static_cast<unsigned char>(c);
    return std::tolower(u) * 2 + (std::isupper(u) ? 1 : 0);
  };
  std::sort(letters.begin(), letters.end(), [&](char x, char y) { return order(x) < order(y); });
  std::string format;
  for (char letter : letters) format += (format.empty() ? "%" : "|%") + std::string(1, letter);
  return format;
}

namespace {

struct AcctColumn {
  const char* name;
  int width;
};

const std::vector<AcctColumn>& AcctColumns() {
  static const std::vector<AcctColumn> cols = {
      {"JobID", 12},      {"JobIDRaw", 12},   {"JobName", 10},     {"Partition", 10},
      {"Account", 10},    {"User", 9},        {"AllocCPUS", 10},   {"State", 10},
      {"ExitCode", 8},    {"Submit", 19},     {"Start", 19},       {"End", 19},
      {"Elapsed", 10},    {"ElapsedRaw", 10}, {"NNodes", 8},       {"NodeList", 15},
      {"Timelimit", 10},  {"AllocTRES", 40},  {"QOS", 10},         {"WorkDir", 30},
      {"Reason", 20},     {"ArrayJobID", 12}, {"ArrayTaskID", 12}, {"Restarts", 8},
      {"CPUTimeRAW", 10}, {"TotalCPU", 10},   {"MaxRSS", 10},
  };
  return cols;
}

const AcctColumn* FindAcct(const std::string& name) {
  std::string l = ToLower(name);
  for (const auto& c : AcctColumns()) {
    if (ToLower(c.name) == l) return &c;
  }
  return nullptr;
}

}  // namespace

bool IsAcctField(const std::string& name) {
  return FindAcct(name) != nullptr;
}
std::string AcctHeader(const std::string& name) {
  return FindAcct(name) ? FindAcct(name)->name : name;
}
int AcctDefaultWidth(const std::string& name) {
  return FindAcct(name) ? FindAcct(name)->width : 10;
}

std::string AcctField(const v1::JobInfo& job, const std::string& name, TimeMs now) {
  std::string n = ToLower(name);
  const v1::JobSpec& s = job.spec();
  if (n == "jobid") return JobIdText(job);
  if (n == "jobidraw") return std::to_string(job.job_id());
  if (n == "jobname") return s.name();
  if (n == "partition") return PartitionsOf(job);
  if (n == "account") return s.account();
  if (n == "user") return s.user();
  if (n == "alloccpus") return std::to_string(job.allocation_size() ? CpuCount(job) : 0);
  if (n == "state") {
    std::string st(StateName(job.state()));
    if (job.state() == v1::CANCELLED) st += " by " + std::to_string(s.uid());
    return st;
  }
  if (n == "exitcode")
    return std::to_string(job.exit_code()) + ":" + std::to_string(job.exit_signal());
  if (n == "submit") return FormatTimestamp(job.submit_time());
  if (n == "start") return FormatTimestamp(job.start_time());
  if (n == "end") return FormatTimestamp(job.end_time());
  if (n == "elapsed") return FormatElapsed(Elapsed(job, now));
  if (n == "elapsedraw") return std::to_string(Elapsed(job, now) / 1000);
  if (n == "nnodes") return std::to_string(NodeCount(job));
  if (n == "nodelist") return NodeListText(job);
  if (n == "timelimit") return JobTimeLimit(job);
  if (n == "qos") return QosText(job);
  if (n == "workdir") return s.work_dir();
  if (n == "reason") return job.reason();
  if (n == "arrayjobid") return job.array_task_id() >= 0 ? std::to_string(job.array_job_id()) : "";
  if (n == "arraytaskid")
    return job.array_task_id() >= 0 ? std::to_string(job.array_task_id()) : "";
  if (n == "restarts") return std::to_string(job.restart_count());
  if (n == "totalcpu") {  // like sacct: with milliseconds
    if (!job.cpu_time_ms()) return "";
    char ms[8];
    snprintf(ms, sizeof ms, ".%03lld", static_cast<long long>(job.cpu_time_ms() % 1000));
    return FormatElapsed(job.cpu_time_ms()) + ms;
  }
  if (n == "maxrss")
    return job.max_rss_bytes() ? std::to_string(job.max_rss_bytes() / 1024) + "K" : "";
  if (n == "cputimeraw") return std::to_string(Elapsed(job, now) / 1000 * CpuCount(job));
  if (n == "alloctres") {
    if (job.allocation_size() == 0) return "";
    int64_t mem = 0;
    uint32_t devices = 0;
    std::string kind;
    for (const auto& a : job.allocation()) {
      mem += a.mem_mib();
      devices += static_cast<uint32_t>(a.devices_size());
      kind = a.accelerator_kind();
    }
    std::string t =
        "billing=" + std::to_string(CpuCount(job)) + ",cpu=" + std::to_string(CpuCount(job));
    if (devices) t += "," + TresGresOf(kind, devices);
    t += ",mem=" + FormatMemoryMiB(mem) + ",node=" + std::to_string(job.allocation_size());
    return t;
  }
  return "";
}

}  // namespace tatami
