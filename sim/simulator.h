// tatami-sim's engine: replays a trace through the real scheduling cycle
// (scheduling_cycle.h, with a named policy from policy.h) on a simulated
// cluster, in virtual time.
//
// The cluster is a Snapshot the simulator owns: nodes from the cluster
// config, the pending queue, the running jobs. Events (submissions, job
// ends, backfill timers) advance a virtual clock; after each batch of
// events at one instant, one scheduling cycle runs and every start it plans
// is committed at once (simulated agents start jobs instantly and never
// fail). Preemption follows the config's QoS (a trace job's `qos`): a
// victim gets SIGTERM, saves its progress (checkpointing is what the grace
// time is for), ends when its QoS's grace time plus the config's kill_wait
// is over (when tatamid would SIGKILL it) and is requeued with
// the work it has left, or cancelled when its QoS says so. A job's run time is its trace run time
// divided by its class's speed on the kind it landed on (the config's throughput table, else
// speeds.h) and multiplied by what its
// placement costs its all-reduce against the best placement
// (collectives/cost_model.h).
//
// Single-threaded; one Simulator per run. Memory is O(jobs + nodes).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "scheduler/policy.h"
#include "scheduler/resources.h"
#include "sim/trace.h"
#include "topology/cluster_config.h"

namespace tatami::sim {

struct SimOptions {
  // Users' time limits as a multiple of the true run time on the job's
  // first choice of kind (1: perfect estimates, as most trace studies).
  double estimate_factor = 1.0;
  // Utilisation and Dojo fragmentation are sampled this often (0: about
  // 400 samples over the trace's submission span).
  DurationMs sample_interval = 0;
  // At most this often a cycle runs (0: at every instant something
  // happened), like tatamid's loop batching wake-ups.
  DurationMs min_cycle_interval = 0;
  // Multifactor priorities (policies with SchedulingPolicy::multifactor) are
  // recomputed this often: Slurm's PriorityCalcPeriod.
  DurationMs priority_interval = 5 * kMinute;
  // Jobs checkpoint, and each gives sbatch --time-min as this share of its
  // limit: a backfill pass may start it before a reservation with its
  // limit lowered (PlannedStart::time_limit). A run that lowered limit
  // ends is queued again with the work left, as a user resubmits from the
  // checkpoint. 0: no --time-min (traces give none).
  double time_min_share = 0;
};

// What happened to one job.
struct JobOutcome {
  uint64_t id = 0;
  std::string account;
  TimeMs submit = 0;
  TimeMs start = -1;  // -1: never started (cannot fit this cluster)
  TimeMs end = -1;
  DurationMs ideal_run = 0;  // alone, on its fastest kind, best placement
  uint32_t gpus = 0;         // H100-equivalents asked for
  uint32_t devices = 0;      // devices held (tiles on Dojo)
  AcceleratorKind kind = AcceleratorKind::kNone;
  // H100-equivalents of the kinds it accepts: the cluster its 1/N share
  // (finish-time fairness, report.h) is a share of.
  double usable_devices = 0;
  uint32_t preemptions = 0;  // runs ended by a preemption or a move
  std::string placement;     // of its last start: "node d,d,d" per node, joined by " + "
  bool cancelled = false;    // preempted under preempt_mode cancel: ended unfinished
  DurationMs ran = 0;        // time it held devices, over all its starts
  uint32_t cut_short = 0;    // runs a lowered limit ended (SimOptions::time_min_share)
  std::string job_class{};   // the model class its speeds come from (speeds.h)
  double speed = 0;          // on the kind of its last start, against an H100 (0: never started)
  uint32_t moves = 0;        // runs ended by a move off a kind others wanted (Plan::moves)
};

struct UtilisationSample {
  TimeMs time = 0;
  std::map<AcceleratorKind, double> busy_fraction;
};

struct SimRun {
  std::string policy;
  std::vector<JobOutcome> jobs;  // trace order
  std::vector<UtilisationSample> samples;
  std::map<AcceleratorKind, uint64_t> devices;     // per kind in the cluster
  std::map<AcceleratorKind, double> busy_seconds;  // device-seconds in use
  TimeMs first_submit = 0, last_end = 0;
  double mean_mesh_fragmentation = -1;  // -1: no Dojo mesh
  uint64_t cycles = 0;
  uint64_t unplaceable = 0;  // jobs no option of which this cluster can ever hold
  double wall_seconds = 0;
};

class Simulator {
 public:
  // Fails when a node's size is neither configured nor discoverable.
  // Keeps the config's QoS, accounts and priority weights for Run. Trace
  // accounts the config lacks are top-level accounts with one share.
  static Result<Simulator> Create(const ClusterConfig& config, SimOptions options);

  // One policy over the whole trace, from an empty cluster. Fails when the
  // trace is out of order or a job names a QoS the config lacks.
  Result<SimRun> Run(const std::vector<TraceJob>& trace, const SchedulingPolicy& policy) const;

  const std::vector<NodeResources>& nodes() const { return nodes_; }

 private:
  Simulator(std::vector<NodeResources> nodes, ClusterConfig config, SimOptions options)
      : nodes_(std::move(nodes)), config_(std::move(config)), options_(options) {}
  std::vector<NodeResources> nodes_;
  ClusterConfig config_;  // QoS, accounts and priority weights
  SimOptions options_;
};

}  // namespace tatami::sim
