#include "scheduler/accounting/usage.h"

#include "scheduler/job_options.h"

namespace tatami {

void UsageAmount::Add(const UsageRates& r, DurationMs d) {
  if (d <= 0) return;
  accelerator_ms += static_cast<__int128>(r.accelerators) * d;
  cpu_ms += static_cast<__int128>(r.cpus) * d;
  mem_mib_ms += static_cast<__int128>(r.mem_mib) * d;
}

UsageAmount& UsageAmount::operator+=(const UsageAmount& o) {
  accelerator_ms += o.accelerator_ms;
  cpu_ms += o.cpu_ms;
  mem_mib_ms += o.mem_mib_ms;
  return *this;
}

double UsageAmount::AcceleratorSeconds() const {
  return static_cast<double>(accelerator_ms) / 1000.0;
}
double UsageAmount::CpuSeconds() const {
  return static_cast<double>(cpu_ms) / 1000.0;
}
double UsageAmount::MemoryByteSeconds() const {
  return static_cast<double>(mem_mib_ms) * (1024.0 * 1024.0 / 1000.0);
}

const char* OutcomeOf(v1::JobState s) {
  switch (s) {
    case v1::COMPLETED:
      return kOutcomeCompleted;
    case v1::CANCELLED:
      return kOutcomeCancelled;
    case v1::TIMEOUT:
      return kOutcomeTimeout;
    case v1::PREEMPTED:
      return kOutcomePreempted;
    case v1::NODE_FAIL:
      return kOutcomeNodeFail;
    default:
      return kOutcomeFailed;
  }
}

std::string TierOf(const std::string& qos) {
  return qos.empty() ? "normal" : qos;
}

UsageKey KeyOf(const v1::JobInfo& job) {
  return {job.spec().account(), RunPartition(job), KindOf(job), TierOf(RunQos(job))};
}

UsageKey KeyOf(const v1::JobInfo& job, const v1::RunRecord& run) {
  const v1::JobSpec& spec = job.spec();
  const std::string& partition = run.partition().empty() ? spec.partition() : run.partition();
  return {spec.account(), partition, run.accelerator_kind(),
          TierOf(run.qos().empty() ? spec.qos() : run.qos())};
}

std::string KindOf(const v1::JobInfo& job) {
  for (const auto& a : job.allocation()) {
    if (a.devices_size() > 0) return a.accelerator_kind();
  }
  return "";
}

UsageRates RatesOf(const v1::JobInfo& job) {
  UsageRates r;
  for (const auto& a : job.allocation()) {
    r.accelerators += static_cast<uint32_t>(a.devices_size());
    r.cpus += a.cpus();
    r.mem_mib += a.mem_mib();
  }
  return r;
}

UsageRates RatesOf(const v1::RunRecord& run) {
  return {run.accelerators(), run.cpus(), run.mem_mib()};
}

v1::RunRecord MakeRunRecord(const v1::JobInfo& job, TimeMs end, const std::string& outcome) {
  v1::RunRecord run;
  UsageRates r = RatesOf(job);
  run.set_start_time(job.start_time());
  run.set_end_time(end);
  run.set_outcome(outcome);
  run.set_accelerator_kind(KindOf(job));
  run.set_accelerators(r.accelerators);
  run.set_cpus(r.cpus);
  run.set_mem_mib(r.mem_mib);
  run.set_nodes(static_cast<uint32_t>(job.allocation_size()));
  run.set_partition(RunPartition(job));
  run.set_qos(RunQos(job));
  return run;
}

}  // namespace tatami
