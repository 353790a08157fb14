// tatami explain JOBID...: what the scheduler decided about a job and why.
// A pending job: its reason in words. A running or finished one: where it
// runs, each node's devices, and every rank's binding (device, NUMA node,
// cores, NIC) as topology/binding.h decided it. Pending jobs also show
// their multifactor priority and the backfill plan's expected start, as of
// the last scheduling cycle, and their account's devices against its quota
// now; running ones whether their quota guarantees them and the QoS they
// run as.
#include <algorithm>
#include <cstdio>
#include <map>

#include "base/duration.h"
#include "base/hostlist.h"
#include "base/strings.h"
#include "scheduler/cli/client.h"
#include "scheduler/cli/commands.h"
#include "scheduler/cli/job_fields.h"
#include "scheduler/cli/table.h"
#include "scheduler/job_options.h"
#include "scheduler/job_state.h"
#include "scheduler/scheduling_cycle.h"

namespace tatami {
namespace {

std::string ReasonInWords(const std::string& reason) {
  static const std::map<std::string, std::string> words = {
      {"None", "nothing holds it back; it starts in the next scheduling cycle"},
      {"Priority", "a job ahead of it in the queue is waiting for resources in its partition"},
      {"Resources", "the resources it asks for are in use; it starts when enough are released"},
      {"NoContiguousTiles",
       "enough d1 tiles are free, but not as one rectangle of the mesh; it waits rather than "
       "run scattered"},
      {"Dependency", "it waits for the jobs named by --dependency"},
      {"DependencyNeverSatisfied", "a job it depends on ended in a way that can never satisfy it"},
      {"JobHeldUser", "it is held (--hold, tatami hold); `tatami release JOB` lets it run"},
      {"BeginTime", "it may not start before its --begin time"},
      {"JobArrayTaskLimit", "its array's %limit of running tasks is reached"},
      {"Preempting",
       "it has preempted lower-QoS jobs, or other accounts' jobs borrowing what its quota "
       "guarantees (SIGTERM sent), and starts on their resources once their grace time is over"},
      {"FasterKindSooner",
       "a kind it accepts is free now, but the backfill plan frees a faster one it prefers soon "
       "enough that it finishes sooner there; it waits for that one"},
      {"Reservation",
       "what it needs is free now, but the backfill plan holds it for an earlier job, and this "
       "job's time limit would run past that job's expected start"},
      {"Preempted", "it was preempted by a higher QoS and requeued; it waits to run again"},
      {"Moved",
       "it was moved off a kind that jobs waited for (rebalance) and requeued; it waits to run "
       "again on another"},
      {"PreemptedTwice",
       "it was preempted twice in a row; it waits until no pending job that may preempt its QoS "
       "is left, so that it can run its minimum this time"},
      {"AssocGrpGRES",
       "its account (or a parent account) would pass its quota plus borrowing limit for this "
       "accelerator kind; it starts when the account's own running jobs release devices"},
      {"QOSMaxJobsPerUserLimit",
       "its user already runs as many jobs of the QoS it would run as as that QoS allows each "
       "user; it starts when one of them ends"},
      {"QOSMaxGRESPerUser",
       "its user's running jobs of the QoS it would run as hold as many devices of this kind "
       "as that QoS allows each user; it starts when they release some"},
      {"InvalidAccount",
       "its account is no longer in the cluster config; it waits, uncharged to anyone, until an "
       "admin adds the account back, `tatami update -A` moves it to another, or it is cancelled"},
      {"InvalidQOS",
       "its QoS is no longer in the cluster config; it waits until an admin adds the QoS back, "
       "`tatami update -q` moves it to another, or it is cancelled"},
      {"PartitionConfig",
       "its partition is no longer in the cluster config; it waits until an admin adds the "
       "partition back, `tatami update -p` moves it to another, or it is cancelled"},
      {"QOSGrpGRES",
       "the running jobs of the QoS it would run as, all users' together, hold as many devices "
       "of this kind as that QoS allows; it starts when they release some"},
  };
  auto it = words.find(reason);
  return it == words.end() ? reason : reason + ": " + it->second;
}

// "h100:8 in h100 (its request), d1:1 in dojo at 1.3x": what the job
// accepts, with the option it runs as marked.
void PrintOptions(const v1::JobInfo& job) {
  const v1::JobSpec& spec = job.spec();
  if (spec.accelerator_options().empty()) return;
  bool placed = IsActive(job.state()) || (IsTerminal(job.state()) && job.start_time() > 0);
  auto line = [&](uint32_t option, const std::string& text) {
    bool ran = placed && job.run_option() == option;
    printf("    %s %s\n", ran ? "*" : "-", text.c_str());
  };
  printf("  accepts%s:\n", placed ? " (* what it runs as)" : "");
  // tatamid's SlowOptionRule: which options a pending job will not take.
  const SlowOptionRule& rule = kTatamiSlowOptions;
  double fastest = 1.0;
  for (const v1::AcceleratorOption& o : spec.accelerator_options())
    fastest = std::max(fastest, o.speed());
  bool long_job = rule.min_relative_speed > 0 && job.time_limit_ms() > rule.applies_above;
  auto too_slow = [&](double speed) {
    return job.state() == v1::PENDING && long_job && speed < rule.min_relative_speed * fastest
               ? " (waits for a faster kind instead: its time limit is over " +
                     FormatTimeLimit(rule.applies_above) + ")"
               : std::string();
  };
  line(0, DescribeShape(spec.accelerators()) + " in " + spec.partition() + ", its request" +
              too_slow(1.0));
  for (int i = 0; i < spec.accelerator_options_size(); ++i) {
    const v1::AcceleratorOption& o = spec.accelerator_options(i);
    line(static_cast<uint32_t>(i + 1),
         DescribeShape(o.accelerators()) + " in " + o.partition() + " at " +
             FormatSpeed(o.speed()) +
             (o.from_class() ? " (job class " + spec.job_class() + ")" : "") +
             (o.from_partition_list() ? " (-p list)" : "") + too_slow(o.speed()));
  }
  if (placed && job.time_limit_ms() > 0)
    printf("  time limit there: %s\n", FormatTimeLimit(job.time_limit_ms()).c_str());
}

// "d1" or "d1, hw4": the kinds of a JobInfo.excluded_kinds mask.
std::string KindsIn(uint32_t mask) {
  std::vector<std::string> kinds;
  for (size_t k = 1; k < kAcceleratorKinds; ++k)
    if (mask >> k & 1) kinds.emplace_back(AcceleratorName(static_cast<AcceleratorKind>(k)));
  return Join(kinds, ", ");
}

const v1::QosInfo* FindQos(const v1::QosReply& reply, const std::string& name) {
  for (const v1::QosInfo& q : reply.qos())
    if (q.name() == name) return &q;
  return nullptr;
}

// A pending job's QoS: what it runs as above its account's quota, and the
// limits of each QoS it may run as, with what they count now.
void PrintQos(const v1::JobInfo& job, const v1::QosReply& reply) {
  const v1::QosInfo* own = FindQos(reply, job.spec().qos());
  if (!own) return;
  const v1::QosInfo* above = FindQos(reply, own->above_quota());
  if (above) {
    printf("  runs as qos %s if it starts within its account's quota, as qos %s above it\n",
           own->name().c_str(), above->name().c_str());
  }
  for (const v1::QosInfo* q : {own, above}) {
    if (!q) continue;
    std::string limits = DescribeQosLimits(*q, job.spec().uid());
    if (!limits.empty()) printf("  qos %s allows %s\n", q->name().c_str(), limits.c_str());
  }
}

// `standing`: the pending job's account now (tatami share's row), if any;
// `qos`: the QoS tiers as the job's user sees them, if known.
void PrintJob(const v1::JobInfo& job, const v1::AccountStanding* standing,
              const v1::QosReply* qos) {
  const v1::JobSpec& spec = job.spec();
  std::vector<std::string> nodes;
  for (const auto& a : job.allocation()) nodes.push_back(a.node());
  printf("Job %s (%s) %s", JobIdText(job).c_str(), spec.name().c_str(),
         std::string(StateName(job.state())).c_str());
  if (!nodes.empty()) printf(" on %s", CompressHostlist(nodes).c_str());
  if (job.start_time() > 0) printf(" since %s", FormatTimestamp(job.start_time()).c_str());
  printf("\n  partition %s, account %s, user %s\n", PartitionsOf(job).c_str(),
         spec.account().empty() ? "-" : spec.account().c_str(), spec.user().c_str());
  PrintOptions(job);
  if (job.state() == v1::PENDING) {
    printf("  pending: %s\n", ReasonInWords(job.reason()).c_str());
    if (job.spec().begin_time() > 0)
      printf("  begins no earlier than %s\n", FormatTimestamp(job.spec().begin_time()).c_str());
    if (job.reason() == "Reservation" && job.held_for_job() != 0)
      printf("  held for job %llu\n", static_cast<unsigned long long>(job.held_for_job()));
    if (spec.time_min_ms() > 0)
      printf(
          "  --time-min %s: backfill may start it sooner with its limit lowered as far as that\n",
          FormatTimeLimit(spec.time_min_ms()).c_str());
    if (job.reason() == kFasterKindSooner && job.passed_over_time() > 0)
      printf(
          "  first passed over a start at %s: it waits only while the faster kind would still "
          "finish it before that start would have\n",
          FormatTimestamp(job.passed_over_time()).c_str());
    if (job.excluded_kinds() != 0)
      printf(
          "  moved off %s for jobs that waited for it: takes its other kinds until it has "
          "started on one\n",
          KindsIn(job.excluded_kinds()).c_str());
    if (!job.priority_factors().empty())
      printf("  priority %lld: %s\n", static_cast<long long>(job.priority()),
             job.priority_factors().c_str());
    if (standing)
      printf("  account %s %s\n", standing->account().c_str(), DescribeStanding(*standing).c_str());
    if (qos) PrintQos(job, *qos);
    if (job.expected_start() > 0)
      printf("  the backfill plan expects it to start at %s on %s\n",
             FormatTimestamp(job.expected_start()).c_str(), job.expected_nodes().c_str());
    return;
  }
  if (job.limit_lowered() && IsActive(job.state()))
    printf("  its limit was lowered to %s to start it sooner (--time-min %s)\n",
           FormatTimeLimit(job.time_limit_ms()).c_str(),
           FormatTimeLimit(spec.time_min_ms()).c_str());
  if (job.guaranteed() && IsActive(job.state()))
    printf("  started within its account's quota: guaranteed, never preempted\n");
  if (!job.qos().empty() && job.qos() != job.spec().qos())
    printf("  runs as qos %s: it started above its account's quota, where qos %s runs as %s\n",
           job.qos().c_str(), job.spec().qos().c_str(), job.qos().c_str());
  if (IsTerminal(job.state()) && !job.reason().empty() && job.reason() != "None")
    printf("  ended: %s\n", job.reason().c_str());
  if (job.preempt_time() > 0 && IsActive(job.state()))
    printf("  being %s since %s: %s\n", job.moving() ? "moved" : "preempted",
           FormatTimestamp(job.preempt_time()).c_str(), job.reason().c_str());
  if (job.movable() && job.preempt_time() == 0 && IsActive(job.state()) &&
      job.allocation_size() > 0) {
    const std::string& kind = job.allocation(0).accelerator_kind();
    printf(
        "  may be moved off %s to another kind it accepts (requeued), when jobs that wait for "
        "%s would gain more than it loses\n",
        kind.c_str(), kind.c_str());
  }
  for (const auto& a : job.allocation()) {
    std::vector<std::string> devs;
    for (uint32_t d : a.devices()) devs.push_back(std::to_string(d));
    printf("  %s: %u CPUs, %s memory%s\n", a.node().c_str(), a.cpus(),
           FormatMemoryMiB(a.mem_mib()).c_str(),
           devs.empty() ? "" : (", " + a.accelerator_kind() + " " + Join(devs, ",")).c_str());
  }
  if (job.binding_size() == 0) return;
  static const char* kTitles[] = {"RANK", "NODE", "LOCAL_RANK", "DEVICE", "NUMA", "CPUS", "NIC"};
  auto cell = [&](size_t row, char field) -> std::string {
    const v1::RankBinding& b = job.binding(static_cast<int>(row));
    switch (field) {
      case 'a':
        return std::to_string(b.rank());
      case 'b':
        return b.node();
      case 'c':
        return std::to_string(b.local_rank());
      case 'd':
        return b.device() < 0 ? "-" : std::to_string(b.device());
      case 'e':
        return b.numa_node() < 0 ? "-" : std::to_string(b.numa_node());
      case 'f':
        return b.cpus().empty() ? "unbound" : b.cpus();
      default:
        return b.nic().empty() ? "-" : b.nic();
    }
  };
  std::string table = RenderTable(
      ParseFormat("%#a %#b %#c %#d %#e %#f %#g"), static_cast<size_t>(job.binding_size()), cell,
      [](char field) { return std::string(kTitles[field - 'a']); }, /*no_header=*/false);
  printf("  binding (mpirun tatami-bind PROGRAM applies it; rankfile in $TATAMI_RANKFILE):\n");
  for (const auto& line : Split(table, '\n'))
    if (!line.empty()) printf("    %s\n", line.c_str());
}

}  // namespace

int RunExplain(const std::string& prog, const Args& args) {
  v1::ListJobsRequest req;
  req.set_requester(CallerName());
  req.set_include_finished(true);
  for (const auto& a : args) {
    if (a == "-h" || a == "--help") {
      printf("usage: %s JOBID...\n", prog.c_str());
      return 0;
    }
    if (!a.empty() && a[0] == '-') return Fail(prog, "unrecognized option '" + a + "'");
    if (Status s = AddJobIds(a, req.mutable_job_ids()); !s.ok())
      return Fail(prog, s.error().message);
  }
  if (req.job_ids().empty()) return Fail(prog, "no job ids given");
  auto client = ControllerClient::Connect("");
  if (!client) return Fail(prog, client.error().message);
  v1::ListJobsReply reply;
  if (Status s = client->Call(&v1::Controller::Stub::ListJobs, req, &reply); !s.ok())
    return Fail(prog, s.error().message);
  // A job that ended more than min_job_age ago is no longer in the
  // controller's memory; the job store (sacct's) still has its record.
  v1::AcctRequest ended;
  ended.set_requester(req.requester());
  for (uint64_t id : req.job_ids()) {
    bool listed = std::any_of(reply.jobs().begin(), reply.jobs().end(), [&](const v1::JobInfo& j) {
      return j.job_id() == id || j.array_job_id() == id;
    });
    if (!listed) ended.add_job_ids(id);
  }
  v1::AcctReply stored;
  if (!ended.job_ids().empty() && client->Call(&v1::Controller::Stub::Acct, ended, &stored).ok()) {
    for (v1::JobInfo& job : *stored.mutable_jobs()) *reply.add_jobs() = std::move(job);
  }
  if (reply.jobs().empty()) return Fail(prog, "no such job");
  // Pending jobs' accounts as tatami share sees them: how much of the
  // quota is held decides AssocGrpGRES, reclaim and what the job runs as.
  v1::SharesRequest accounts;
  accounts.set_requester(req.requester());
  for (const auto& job : reply.jobs()) {
    const std::string& a = job.spec().account();
    if (job.state() == v1::PENDING && !a.empty() && job.reason() != "InvalidAccount" &&
        std::find(accounts.accounts().begin(), accounts.accounts().end(), a) ==
            accounts.accounts().end())
      accounts.add_accounts(a);
  }
  std::map<std::string, v1::AccountStanding> standings;
  v1::SharesReply shares;
  // Refused (an account removed since the listing), the jobs are shown
  // without that line: it adds to explain, which stands without it.
  if (!accounts.accounts().empty() &&
      client->Call(&v1::Controller::Stub::Shares, accounts, &shares).ok()) {
    for (const auto& s : shares.accounts()) standings[s.account()] = s;
  }
  // The QoS tiers, limits and use, per user of a pending job with a QoS;
  // like the standings, left out if refused.
  std::map<uint32_t, v1::QosReply> qos_by_user;
  for (const auto& job : reply.jobs()) {
    uint32_t uid = job.spec().uid();
    if (job.state() != v1::PENDING || job.spec().qos().empty() || qos_by_user.count(uid)) continue;
    v1::QosRequest q;
    q.set_for_user(true);
    q.set_uid(uid);
    if (!client->Call(&v1::Controller::Stub::Qos, q, &qos_by_user[uid]).ok())
      qos_by_user.erase(uid);
  }
  for (const auto& job : reply.jobs()) {
    bool pending = job.state() == v1::PENDING;
    auto it = standings.find(job.spec().account());
    auto qos = qos_by_user.find(job.spec().uid());
    PrintJob(job, pending && it != standings.end() ? &it->second : nullptr,
             pending && qos != qos_by_user.end() ? &qos->second : nullptr);
  }
  return 0;
}

}  // namespace tatami
