// The agent's measurements: job CPU time and memory sampled from /proc,
// and what its /metrics shows per node.
#include <algorithm>
#include <cstdio>
#include <map>

#include "launcher/agent.h"
#include "launcher/dcgm_job_mapping.h"
#include "launcher/job_usage.h"
#include "metrics/family.h"

namespace tatami {

void Agent::AddExitLocked(Job& job, const ExitStatus& status) {
  job.exited_cpu_ms += status.cpu_ms;
  job.cpu_ms = std::max(job.cpu_ms, job.exited_cpu_ms);
  job.max_rss_bytes = std::max(job.max_rss_bytes, status.max_rss_bytes);
}

void Agent::WriteDcgmMapping(const std::string& node, uint64_t job,
                             const std::vector<uint32_t>& devices) const {
  const std::string& dir = options_.metrics.dcgm_job_mapping_dir;
  if (dir.empty() || devices.empty()) return;
  // GPU metrics lose their job label, nothing worse: the job runs anyway.
  if (Status s = WriteJobMapping(JobMappingDir(dir, node), devices, std::to_string(job)); !s.ok())
    fprintf(stderr, "tatami-agent: %s\n", s.error().message.c_str());
}

void Agent::RemoveDcgmMapping(const std::string& node, uint64_t job,
                              const std::vector<uint32_t>& devices) const {
  const std::string& dir = options_.metrics.dcgm_job_mapping_dir;
  if (dir.empty() || devices.empty()) return;
  RemoveJobMapping(JobMappingDir(dir, node), devices, std::to_string(job));
}

void Agent::SampleJobsOnce() {
  std::set<pid_t> sessions;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, job] : jobs_) {
      if (job.batch_pid > 0) sessions.insert(job.batch_pid);
      sessions.insert(job.exec_pids.begin(), job.exec_pids.end());
    }
  }
  // /proc is read without the lock: it is the slow part.
  auto usage = ReadSessionUsage(sessions);
  std::lock_guard lock(mu_);
  for (auto& [key, job] : jobs_) {
    SessionUsage sum;
    auto add = [&](pid_t session) {
      if (auto it = usage.find(session); it != usage.end()) {
        sum.cpu_ms += it->second.cpu_ms;
        sum.rss_bytes += it->second.rss_bytes;
      }
    };
    if (job.batch_pid > 0) add(job.batch_pid);
    for (pid_t p : job.exec_pids) add(p);
    job.live_cpu_ms = sum.cpu_ms;
    job.live_rss_bytes = sum.rss_bytes;
    job.cpu_ms = std::max(job.cpu_ms, job.exited_cpu_ms + sum.cpu_ms);
    job.max_rss_bytes = std::max(job.max_rss_bytes, sum.rss_bytes);
  }
}

void Agent::SampleLoop() {
  DurationMs interval = std::max<DurationMs>(options_.metrics.sample_interval, 10);
  std::unique_lock lock(mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, std::chrono::milliseconds(interval), [&] { return stopping_; });
    if (stopping_) return;
    if (jobs_.empty()) continue;
    lock.unlock();
    SampleJobsOnce();
    lock.lock();
  }
}

std::vector<prometheus::MetricFamily> Agent::CollectMetrics() {
  using metrics::Counter;
  using metrics::Gauge;
  auto total = Gauge("tatami_node_accelerators", "Accelerators of a node this agent serves");
  auto allocated =
      Gauge("tatami_node_accelerators_allocated", "Accelerators held by jobs running on a node");
  auto jobs =
      Gauge("tatami_node_jobs", "Jobs running on a node (batch or a node of a multi-node job)");
  auto cpu = Counter("tatami_node_job_cpu_seconds_total",
                     "User+system CPU-seconds of job processes on a node, by account");
  auto rss = Gauge("tatami_node_job_resident_memory_bytes",
                   "Resident memory of job processes on a node, by account (last sample)");
  auto outbox = Gauge("tatami_agent_unacknowledged_events",
                      "Job events waiting for the controller to acknowledge them");

  std::lock_guard lock(mu_);
  std::map<std::string, std::pair<uint32_t, uint32_t>> devices;  // node -> (allocated, jobs)
  std::map<std::pair<std::string, std::string>, int64_t> cpu_ms = ended_cpu_ms_, rss_bytes;
  for (const auto& n : options_.nodes) devices[n.config.name];
  for (const auto& [key, job] : jobs_) {
    const std::string& account = job.launch.job().spec().account();
    auto& d = devices[key.second];
    d.first += static_cast<uint32_t>(job.devices.size());
    ++d.second;
    cpu_ms[{key.second, account}] += job.cpu_ms;
    rss_bytes[{key.second, account}] += job.live_rss_bytes;
  }
  for (const auto& n : options_.nodes) {
    std::string kind(AcceleratorName(n.config.accelerator_kind));
    if (n.config.accelerators == 0) continue;
    total.Add({{"node", n.config.name}, {"kind", kind}}, n.config.accelerators);
    allocated.Add({{"node", n.config.name}, {"kind", kind}}, devices[n.config.name].first);
  }
  for (const auto& [node, d] : devices) jobs.Add({{"node", node}}, d.second);
  for (const auto& [k, ms] : cpu_ms)
    cpu.Add({{"node", k.first}, {"account", k.second}}, static_cast<double>(ms) / 1000);
  for (const auto& [k, bytes] : rss_bytes)
    rss.Add({{"node", k.first}, {"account", k.second}}, static_cast<double>(bytes));
  outbox.Add({}, static_cast<double>(outbox_.size()));

  std::vector<prometheus::MetricFamily> out;
  for (auto* f : {&total, &allocated, &jobs, &cpu, &rss, &outbox}) out.push_back(f->Take());
  return out;
}

}  // namespace tatami
