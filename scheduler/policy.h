// The scheduling policies by name: what tatamid runs and what tatami-sim
// compares it with. A policy is a queue policy (who goes next, when
// backfill may pass a blocked job) and a placer (where a job fits).
//
//   fifo           strict QoS priority/submit order, first-fit placement: a
//                  job that does not fit blocks its partition.
//   fifo-backfill  Slurm's defaults: the same order and first-fit nodes,
//                  plus a backfill pass every 30 s that reserves for up to
//                  64 blocked jobs (backfill_max_jobs) and starts later
//                  jobs that delay none of them (sched/backfill,
//                  bf_interval=30).
//   tatami-blind   tatami blind to heterogeneity: a job that accepts
//                  several kinds takes the first that fits, as listed.
//   tatami         what tatamid runs: multifactor priority with fair share,
//                  backfill every cycle, topology-aware
//                  placement (topology_placer.h), and a job that accepts
//                  several accelerator kinds tries the one giving the most
//                  speed per unit of capacity first, and waits for it when
//                  the backfill plan says it finishes sooner there than on
//                  one free now (OptionChoice::kEarliestCompletion); one
//                  that fits nowhere reserves where it finishes soonest; a
//                  job of more than 10 hours never takes one that runs it
//                  at under half its best speed (SlowOptionRule); a long
//                  job on a kind that jobs have queued 4 h for is moved to
//                  another it accepts, where they gain more than it loses
//                  (RebalanceConfig, rebalance.h).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "scheduler/placement.h"
#include "scheduler/scheduling_cycle.h"
#include "topology/cluster_config.h"

namespace tatami {

struct SchedulingPolicy {
  std::string name;
  std::unique_ptr<QueuePolicy> queue;
  std::unique_ptr<Placer> placer;
  // Priority from the config's multifactor weights (priority.h: age, fair
  // share, job size, partition, QoS); otherwise the QoS priority alone, as
  // Slurm's priority/basic.
  bool multifactor = false;
};

// The names above, in that order (baselines first).
std::vector<std::string> PolicyNames();

// Error names the unknown policy and lists the known ones.
// `backfill_max_jobs`: how many blocked jobs a backfill pass reserves for
// (the config's backfill_max_jobs, Slurm's bf_max_job_test; same default).
// `rebalance`: the tatami policy's kind rebalancing (the config's).
Result<SchedulingPolicy> MakeSchedulingPolicy(std::string_view name,
                                              size_t backfill_max_jobs = kDefaultBackfillMaxJobs,
                                              const RebalanceConfig& rebalance = {});

}  // namespace tatami
