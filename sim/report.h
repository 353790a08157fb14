// What a simulated run amounts to: the figures trace studies compare
// (Gavel, Themis, Sia), a side-by-side table of policies with ratios, JSON
// for scripts, and SVG plots a person can look at.
//
//   JCT             end - submit, of jobs that finished
//   queueing delay  start - submit
//   makespan        last end - first submit
//   utilisation     device-seconds busy / (devices x makespan), per kind
//   rho             Themis' finish-time fairness: JCT over the time the job
//                   would take alone on its 1/N share of the cluster (its
//                   ideal run time, stretched when that share is smaller than
//                   what it asked for); > 1 means it fared worse than fair.
//                   N is the trace's contention, not the policy's: see
//                   OfferedContention
//   bounded slowdown  max(1, JCT / max(run time, 10 s))
//   fragmentation   free Dojo tiles outside each mesh's largest free
//                   rectangle, as a share of free tiles, averaged over samples
//
// Pure functions of a SimRun.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "sim/simulator.h"

namespace tatami::sim {

struct PolicySummary {
  std::string policy;
  size_t jobs = 0, finished = 0, never_started = 0;
  size_t cancelled = 0;  // preempted and not requeued: left out of the JCT figures
  double mean_jct_s = 0, p50_jct_s = 0, p99_jct_s = 0;
  double mean_queue_s = 0, p99_queue_s = 0;
  double makespan_s = 0;
  std::map<AcceleratorKind, double> utilisation;  // 0..1
  double mean_rho = 0, p99_rho = 0, max_rho = 0;
  double mean_bounded_slowdown = 0;
  uint64_t preemptions = 0;
  uint64_t moves = 0;              // preemptions that moved a job off a kind (rebalance.h)
  uint64_t runs_cut_short = 0;     // by a lowered limit (SimOptions::time_min_share)
  double mesh_fragmentation = -1;  // -1: no Dojo mesh
  std::map<std::string, double> mean_rho_by_account;
  uint64_t cycles = 0;
  double wall_seconds = 0;
};

PolicySummary Summarize(const SimRun& run);

// Themis' N for each job of `jobs` (same order): the mean number of jobs
// whose ideal run overlaps its own over its ideal run, itself included,
// where a job's ideal run starts at its submission and lasts its
// ideal_run. Jobs that never started (the cluster cannot hold them) do not
// count; their own N is 1.
//
// Why not the jobs a policy actually kept pending or running (Themis' own
// reading): that N is the policy's backlog, so a policy that clears its
// queue faster raises every job's bar and can score a job worse although
// it finished sooner. This N depends on the trace and the cluster alone,
// so one job's rho under two policies differs exactly as its JCT does.
std::vector<double> OfferedContention(const std::vector<JobOutcome>& jobs);

// Rows of figures, a column per policy, then each baseline's figure divided
// by the last policy's (the one being judged: > 1 = it does better on a
// lower-is-better row).
std::string ComparisonTable(const std::vector<PolicySummary>& summaries);

// {"trace": ..., "cluster": ..., "policies": [{summary, utilisation samples}]}
std::string ResultsJson(const std::string& cluster, const std::string& trace,
                        const std::vector<SimRun>& runs,
                        const std::vector<PolicySummary>& summaries);

// One row per job: id, account, gpus, submit/start/end/ran/ideal run in
// seconds (empty where it never started), kind, devices, preemptions,
// moves (of those preemptions, rebalance.h's), outcome (finished, cancelled, never-started), rho
// (finished jobs), its model class and its speed on the kind it last ran on (against an H100): what
// a per-account or per-class figure is made of.
std::string JobsCsv(const SimRun& run);

// Busy share of each accelerator kind over time, one line per kind.
std::string UtilisationSvg(const SimRun& run);
// Cumulative distribution of JCT (log scale), one line per policy.
std::string JctCdfSvg(const std::vector<SimRun>& runs);

}  // namespace tatami::sim
