// What the running jobs of each QoS hold against its limits (QosConfig's
// max_jobs_per_user, max_devices_per_user, max_devices: Slurm's QOS
// MaxJobsPerUser, MaxTRESPerUser and GrpTRES), and whether one more job
// fits them. The scheduling cycle asks before each start, with the QoS the
// job would run as (a reserved job above its quota counts as burst).
//
// Like QuotaBooks, a value: the caller builds it from the running jobs
// (tatamid every cycle, tatami-sim once, then charges starts and ends), each
// cycle updates its copy alone. Not thread-safe for writes.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "topology/cluster_config.h"

namespace tatami {

// The limits a start would pass, as Slurm's reason codes.
inline constexpr const char* kQosJobsPerUser = "QOSMaxJobsPerUserLimit";
inline constexpr const char* kQosDevicesPerUser = "QOSMaxGRESPerUser";
inline constexpr const char* kQosDevices = "QOSGrpGRES";

// Why a job of QoS `qos` holding `devices` of `kind` could never start
// under its limits, whatever else runs: a sentence naming the limit ("qos
// burst allows at most 8 h100 per user (max_devices_per_user); the job asks
// for 16"); "" when it could. tatamid refuses such a job at submission.
std::string NeverWithinLimits(const QosConfig& qos, AcceleratorKind kind, uint32_t devices);

class QosLimits {
 public:
  QosLimits() = default;  // no limits: everything fits
  // `qos` in the QosTable's order (the config's).
  explicit QosLimits(const std::vector<QosConfig>& qos);

  // Whether any QoS has a limit; without one Check is always null.
  bool any() const { return any_; }
  // A job of `user` (tatamid: its uid) running as QoS index `qos` and
  // holding `devices` of `kind` would start: the first limit it would pass
  // (per-user jobs, per-user devices, all users' devices), or null.
  const char* Check(uint32_t qos, uint32_t user, AcceleratorKind kind, uint32_t devices) const;
  // A job starts (+1) or ends (-1) with `devices` of `kind`. QoS without
  // limits are not counted.
  void Charge(uint32_t qos, uint32_t user, AcceleratorKind kind, int64_t devices, int jobs);

  // What `user`'s running jobs of `qos` hold, and all users' (for explain
  // and tests).
  uint32_t JobsOf(uint32_t qos, uint32_t user) const;
  uint32_t DevicesOf(uint32_t qos, uint32_t user, AcceleratorKind kind) const;
  uint32_t Devices(uint32_t qos, AcceleratorKind kind) const;

 private:
  struct Limits {
    bool any = false;
    int64_t jobs_per_user = kNoLimit;
    KindLimits devices_per_user = kNoKindLimits;
    KindLimits devices = kNoKindLimits;
  };
  struct Held {
    uint32_t jobs = 0;
    KindCounts devices{};
  };
  static uint64_t Key(uint32_t qos, uint32_t user) { return uint64_t(qos) << 32 | user; }
  const Limits* LimitsOf(uint32_t qos) const;

  bool any_ = false;
  std::vector<Limits> limits_;                  // by QoS index
  std::vector<KindCounts> all_users_;           // by QoS index
  std::unordered_map<uint64_t, Held> by_user_;  // by Key(qos, user)
};

}  // namespace tatami
