// Job traces tatami-sim replays: what each job asked for, when, and how
// long it ran. Readers for the public traces in ../shared/traces and for
// Tatami's own job records, so a real cluster's history can be replayed.
//
//   philly   Microsoft Philly via Pollux's flattened philly.csv:
//            timestamp,duration,num_gpus,gpu_time,cluster (CC-BY-4.0)
//   sia      Sia/Pollux workloads: name,time,application,num_replicas,batch_size
//   tatami   a tatamid state database (SQLite, the controller's jobs.db):
//            every finished job's submit time, run time, size and account
//
// Errors name the file, the line and the field, and say what was wanted.
// Readers are pure functions; the result is a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace tatami::sim {

struct TraceJob {
  uint64_t id = 0;    // 1.. in submit order
  size_t line = 0;    // where the trace has it (0: a database row)
  TimeMs submit = 0;  // ms after the trace's first submission
  // Run time on the reference accelerator (one H100 per GPU asked for) with
  // the best placement; the simulator scales it by where the job lands.
  DurationMs run_time = 0;
  uint32_t gpus = 1;    // accelerators asked for
  std::string account;  // Philly's virtual cluster, Tatami's account
  std::string user;
  std::string job_class;      // model class for speeds (speeds.h); "" = from GPU-time
  std::string kind;           // accelerator kind the job must have; "" = any
  DurationMs time_limit = 0;  // 0: the simulator derives one from run_time
  // A QoS of the cluster config; "": none (preempts nothing, never preempted).
  std::string qos;
};

enum class TraceFormat { kPhilly, kSia, kTatami };

// "philly", "sia", "tatami"; the error lists them.
Result<TraceFormat> ParseTraceFormat(std::string_view name);
// By content: a SQLite file is a Tatami database; otherwise the CSV header.
Result<TraceFormat> DetectTraceFormat(const std::string& path);

Result<std::vector<TraceJob>> ReadTrace(const std::string& path, TraceFormat format);
Result<std::vector<TraceJob>> ReadTrace(const std::string& path);  // detected

// For tests: `origin` names the text in errors.
Result<std::vector<TraceJob>> ParsePhillyCsv(std::string_view text, const std::string& origin);
Result<std::vector<TraceJob>> ParseSiaCsv(std::string_view text, const std::string& origin);

// Keeps the first `count` jobs (0: all; more than the trace has: it plays
// again after its last submission) and divides every submit time by
// `compress` (> 1: a busier cluster), as trace studies vary load.
void ShapeTrace(std::vector<TraceJob>& jobs, size_t count, double compress);

// Multiplies every job's width (GPUs) by `factor`, keeping its run time and
// its model class (set from the original GPU-hours when the trace has
// none): the same arrivals, as jobs the size of FSD training. Philly's
// jobs (1.3 GPUs on average) cannot load a 70,000-device site otherwise.
void WidenJobs(std::vector<TraceJob>& jobs, uint32_t factor);

// The work the jobs bring (GPU-hours as H100-equivalents), divided by what
// the cluster `device_h100_equivalents` could do over the span of their
// submissions: 1.0 keeps it busy while they arrive, if placement allowed.
double OfferedLoad(const std::vector<TraceJob>& jobs, double device_h100_equivalents);

}  // namespace tatami::sim
