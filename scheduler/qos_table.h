// The config's QoS as the scheduling cycle sees them: small indices
// (RunningJob::qos) and "may preempt" bit masks (PendingJob::preempts).
// Grace and minimum run times stay in the QosConfig, for the caller that
// applies a plan's preemptions (tatamid, tatami-sim).
//
// Immutable after construction; safe to share between threads.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "topology/cluster_config.h"

namespace tatami {

class QosTable {
 public:
  // A job without a QoS: preempts nothing, is never preempted.
  static constexpr uint32_t kNone = UINT32_MAX;

  // `qos` as validated by LoadClusterConfig (at most kMaxQos, names known).
  explicit QosTable(std::vector<QosConfig> qos);

  // kNone for ""; an error naming the unknown QoS and the configured ones.
  Result<uint32_t> Find(std::string_view name) const;
  uint64_t PreemptMask(uint32_t index) const;  // 0 for kNone
  bool Preemptible(uint32_t index) const;      // whether any QoS may preempt it
  // The QosConfig's fields; for kNone: 0, 0, 0 and requeue (never asked in
  // practice: a job without a QoS is never preempted).
  int64_t Priority(uint32_t index) const;
  DurationMs GraceTime(uint32_t index) const;
  DurationMs MinRuntime(uint32_t index) const;
  bool RequeueOnPreempt(uint32_t index) const;
  // What a job of QoS `index` runs as: its above_quota QoS when it starts
  // above its account's quota (not `within_quota`), else `index` itself.
  uint32_t RunsAs(uint32_t index, bool within_quota) const;
  std::string_view Name(uint32_t index) const;  // "" for kNone

 private:
  const QosConfig* Get(uint32_t index) const;  // null for kNone

  std::vector<QosConfig> qos_;
  std::vector<uint64_t> masks_;
  std::vector<uint32_t> above_quota_;  // RunsAs, by index; kNone: runs as itself
  uint64_t preemptible_ = 0;
};

}  // namespace tatami
