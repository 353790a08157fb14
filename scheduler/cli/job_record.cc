#include "scheduler/cli/job_record.h"

#include <grp.h>

#include <algorithm>
#include <vector>

#include "base/duration.h"
#include "base/strings.h"
#include "launcher/output_path.h"
#include "scheduler/cli/job_fields.h"

namespace tatami {
namespace {

// "alice(1000)", as Slurm shows a user or group; the name from the job
// (user) or this machine's group database (group), else the id alone.
std::string NameAndId(const std::string& name, uint32_t id) {
  return name.empty() ? std::to_string(id) : name + "(" + std::to_string(id) + ")";
}

std::string GroupName(uint32_t gid) {
  struct group entry;
  struct group* found = nullptr;
  std::vector<char> buffer(4096);
  if (getgrgid_r(gid, &entry, buffer.data(), buffer.size(), &found) != 0 || !found) return "";
  return found->gr_name;
}

// The job's TRES: what it holds, or for a pending job what it asks for.
std::string Tres(const v1::JobInfo& job, TimeMs now) {
  if (job.allocation_size() > 0) return AcctField(job, "AllocTRES", now);
  std::string t =
      "cpu=" + std::to_string(CpuCount(job)) + ",node=" + std::to_string(NodeCount(job));
  const v1::AcceleratorRequest& a = job.spec().accelerators();
  uint64_t devices = a.total() ? a.total() : uint64_t{a.per_node()} * NodeCount(job);
  if (devices > 0 && !a.kind().empty()) t += "," + TresGresOf(a.kind(), devices);
  return t;
}

}  // namespace

std::string ScontrolJobRecord(const v1::JobInfo& job, TimeMs now, bool one_line) {
  const v1::JobSpec& s = job.spec();
  auto field = [&](char f) { return QueueField(job, f, now); };
  std::string start = job.state() == v1::PENDING ? FormatTimestamp(StartTimeShown(job))
                                                 : FormatTimestamp(job.start_time());
  TimeMs end_time = job.end_time();
  if (end_time == 0 && job.time_limit_ms() > 0) {
    TimeMs started = job.state() == v1::PENDING ? StartTimeShown(job) : job.start_time();
    if (started > 0) end_time = started + job.time_limit_ms();
  }
  std::string job_id = "JobId=" + std::to_string(job.job_id());
  if (job.array_task_id() >= 0)
    job_id += " ArrayJobId=" + std::to_string(job.array_job_id()) +
              " ArrayTaskId=" + std::to_string(job.array_task_id());
  std::vector<std::string> lines = {
      job_id + " JobName=" + s.name(),
      "UserId=" + NameAndId(s.user(), s.uid()) +
          " GroupId=" + NameAndId(GroupName(s.gid()), s.gid()),
      "Priority=" + field('Q') + " Nice=" + field('y') + " Account=" + field('a') +
          " QOS=" + field('q'),
      "JobState=" + field('T') + " Reason=" + (job.reason().empty() ? "None" : job.reason()) +
          " Dependency=" + field('E'),
      "Requeue=" + std::string(s.requeue() ? "1" : "0") +
          " Restarts=" + std::to_string(job.restart_count()) +
          " BatchFlag=1 ExitCode=" + AcctField(job, "ExitCode", now),
      "RunTime=" + FormatElapsed(Elapsed(job, now)) + " TimeLimit=" + field('l') +
          " TimeMin=" + (s.time_min_ms() > 0 ? FormatElapsed(s.time_min_ms()) : "N/A"),
      "SubmitTime=" + FormatTimestamp(job.submit_time()) + " EligibleTime=" +
          FormatTimestamp(job.eligible_time() ? job.eligible_time()
                                              : std::max(job.submit_time(), s.begin_time())),
      "StartTime=" + start + " EndTime=" + FormatTimestamp(end_time) + " Deadline=N/A",
      "Partition=" + field('P'),
      "NodeList=" + (job.allocation_size() ? NodeListText(job) : "(null)") +
          (job.state() == v1::PENDING ? " SchedNodeList=" + field('Y') : ""),
      "NumNodes=" + std::to_string(NodeCount(job)) + " NumCPUs=" + std::to_string(CpuCount(job)) +
          " NumTasks=" + std::to_string(TaskCount(job)) +
          " CPUs/Task=" + std::to_string(std::max<uint32_t>(1, s.cpus_per_task())),
      "TRES=" + Tres(job, now),
      "Features=" + field('f'),
      "Command=" + field('o'),
      "WorkDir=" + s.work_dir(),
  };
  // The batch script's output files, as its node names them (%N: the
  // first node; before the job runs, as the agent would then).
  std::string batch_node = job.allocation_size() ? job.allocation(0).node() : "";
  std::string out = ResolveOutputPath(s.stdout_pattern(), job, batch_node, 0);
  std::string err =
      s.stderr_pattern().empty() ? out : ResolveOutputPath(s.stderr_pattern(), job, batch_node, 0);
  lines.push_back("StdErr=" + err);
  lines.push_back("StdOut=" + out);
  return LayOutRecord(lines, one_line);
}

std::string LayOutRecord(const std::vector<std::string>& lines, bool one_line) {
  return Join(lines, one_line ? " " : "\n   ") + "\n";
}

}  // namespace tatami
