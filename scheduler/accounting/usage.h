// What billing counts: allocated accelerator-, CPU- and memory-time, per
// (account, partition, accelerator kind, tier). Shared by the live ledger
// (usage_ledger.h, which feeds the Prometheus counters) and the report
// over accounting records (usage_report.h), so the two agree by
// construction: both multiply the same rates by the same run intervals.
//
// Amounts are exact integers (unit x milliseconds) in 128 bits: a counter
// built from them never goes backwards through rounding, and 100,000 jobs of
// 2 TiB for a year do not overflow.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

#include "base/clock.h"
#include "proto/tatami.pb.h"

namespace tatami {

struct UsageKey {
  std::string account;
  std::string partition;
  std::string kind;  // "h100", "d1", "hw4"; "" for CPU-only jobs
  std::string tier;  // the QoS the run ran as ("normal" when none): RunQos
  auto operator<=>(const UsageKey&) const = default;
};

// What one run holds while it runs.
struct UsageRates {
  uint32_t accelerators = 0;
  uint32_t cpus = 0;
  int64_t mem_mib = 0;
};

struct UsageAmount {
  __int128 accelerator_ms = 0;  // device x ms
  __int128 cpu_ms = 0;          // cpu x ms
  __int128 mem_mib_ms = 0;      // MiB x ms

  void Add(const UsageRates& r, DurationMs d);
  UsageAmount& operator+=(const UsageAmount& o);
  UsageAmount Times(__int128 k) const { return {accelerator_ms * k, cpu_ms * k, mem_mib_ms * k}; }
  double AcceleratorSeconds() const;
  double CpuSeconds() const;
  double MemoryByteSeconds() const;
  bool operator==(const UsageAmount&) const = default;
};

// Run outcomes as billing splits them.
inline constexpr const char* kOutcomeCompleted = "completed";
inline constexpr const char* kOutcomeFailed = "failed";
inline constexpr const char* kOutcomeCancelled = "cancelled";
inline constexpr const char* kOutcomeTimeout = "timeout";
inline constexpr const char* kOutcomeNodeFail = "node_fail";  // the node or its agent failed
inline constexpr const char* kOutcomePreempted = "preempted";
inline constexpr const char* kOutcomeRequeued = "requeued";  // by tatami requeue
// Off a kind that waiting jobs wanted (rebalance.h).
inline constexpr const char* kOutcomeMoved = "moved";

// The outcome of a run that ended with the job in `final_state`.
const char* OutcomeOf(v1::JobState final_state);

// The billing tier of a run as `qos` (JobInfo.qos or RunRecord.qos,
// RunQos): that name, or "normal" for none.
std::string TierOf(const std::string& qos);
// The key of the job's current run, and of one of its ended runs: each in
// the partition it ran in (a job with alternatives may run in several).
UsageKey KeyOf(const v1::JobInfo& job);
UsageKey KeyOf(const v1::JobInfo& job, const v1::RunRecord& run);
// The run a job's allocation holds now (kind, devices, cpus, memory).
UsageRates RatesOf(const v1::JobInfo& job);
std::string KindOf(const v1::JobInfo& job);
// The record of the job's current run, ended at `end` with `outcome`.
v1::RunRecord MakeRunRecord(const v1::JobInfo& job, TimeMs end, const std::string& outcome);
UsageRates RatesOf(const v1::RunRecord& run);

}  // namespace tatami
