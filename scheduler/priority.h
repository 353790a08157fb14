// Multifactor priority (Slurm's priority/multifactor): each factor is a
// number in [0, 1]; a job's priority is the sum of factor x weight, the
// weights from the config's `priority:` section (PriorityConfig). The
// caller computes it before a cycle (tatamid for its pending jobs,
// tatami-sim every priority period) into PendingJob::priority; the cycle
// only sorts by it. `tatami explain` shows the factors.
//
// MultifactorPriority is immutable between SetFairShare calls; const calls
// may run on several threads at once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "scheduler/qos_table.h"
#include "scheduler/scheduling_cycle.h"
#include "topology/cluster_config.h"

namespace tatami {

struct PriorityFactors {
  double age = 0;         // waited / max_age, at most 1
  double fair_share = 1;  // FairShareFactors of the job's account (1: no account)
  double job_size = 0;    // its H100-equivalents / the cluster's
  // 1 - log(device-minutes asked) / log(the cluster's for 30 days), where
  // device-minutes = H100-equivalents x --time: 1 for one device for a
  // minute, 0 for the whole cluster for 30 days or an unlimited job.
  double small_jobs = 0;
  double partition = 0;  // partition priority / the largest
  double qos = 0;        // QoS priority / the largest (a negative one counts 0)
  int32_t nice = 0;      // not a factor: the job's --nice, subtracted from the sum
};

int64_t Weighted(const PriorityConfig& config, const PriorityFactors& f);

// A --nice value: an integer of at most Slurm's 2147483645 either way.
// The error names `what` (--nice, Nice) and what was wanted.
Result<int32_t> ParseNice(std::string_view text, std::string_view what);

// "age 0.50 x 1000 + fair_share 0.25 x 10000 + ... - nice 100 = 2900", factors
// with weight 0 (and a nice of 0) left out.
std::string DescribePriority(const PriorityConfig& config, const PriorityFactors& f);

class MultifactorPriority {
 public:
  // `capacity`: the cluster's H100-equivalents (CapacityOf every device).
  MultifactorPriority(const ClusterConfig& config, double capacity);

  // Fair-share factor by account index (FairShareFactors); accounts past
  // its end, and jobs of no account, get 1.
  void SetFairShare(std::vector<double> by_account) { fair_share_ = std::move(by_account); }

  // Reads the job's submit time, account, QoS index, partition and request.
  PriorityFactors Factors(const PendingJob& job, TimeMs now) const;
  int64_t Priority(const PendingJob& job, TimeMs now) const {
    return Weighted(config_, Factors(job, now));
  }
  const PriorityConfig& config() const { return config_; }

 private:
  PriorityConfig config_;
  QosTable qos_;
  int64_t max_qos_priority_ = 0;
  uint32_t max_partition_priority_ = 0;
  std::unordered_map<std::string, uint32_t> partition_priority_;
  double capacity_;
  double log_most_device_minutes_;  // small_jobs' 0, computed once, not per job
  std::vector<double> fair_share_;
};

}  // namespace tatami
