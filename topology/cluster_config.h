// The cluster as configured in YAML: nodes with their accelerators,
// partitions, accounts and QoS, and the daemons' timing knobs.
//
// LoadClusterConfig is strict: unknown keys, wrong types, bad values and
// dangling references are errors that name the file, line and column and say
// what was expected. tatamid and tatami-agent refuse to start on any error.
// The returned value is immutable and safe to share between threads.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "topology/accelerator.h"

namespace tatami {

struct NodeConfig {
  std::string name;
  AcceleratorKind accelerator_kind = AcceleratorKind::kNone;
  uint32_t accelerators = 0;
  uint32_t cpus = 0;       // 0 = from the topology
  int64_t memory_mib = 0;  // 0 = from the topology
  std::string topology;    // "" = synthetic from cpus; path to hwloc XML; "host"
  std::vector<std::string> features;
  std::string agent;  // agent process that serves this node (default: its own)
};

struct PartitionConfig {
  std::string name;
  std::vector<std::string> nodes;
  bool is_default = false;
  DurationMs max_time = 0;      // 0 = infinite
  DurationMs default_time = 0;  // 0 = max_time
  int64_t default_mem_per_cpu_mib = 1024;
  // Slurm's PriorityJobFactor: the partition factor of multifactor priority
  // is this over the largest partition's.
  uint32_t priority = 0;
};

// Devices of each accelerator kind (Dojo: tiles), indexed by AcceleratorKind.
using KindCounts = std::array<uint32_t, kAcceleratorKinds>;
// The most devices of each kind something may hold; kNoLimit: any number.
inline constexpr int64_t kNoLimit = -1;
inline constexpr int64_t kNoBorrowLimit = kNoLimit;
using KindLimits = std::array<int64_t, kAcceleratorKinds>;
inline constexpr KindLimits kNoKindLimits{kNoLimit, kNoLimit, kNoLimit, kNoLimit};

// A node of the account tree (organisation > team, one per customer), parsed
// by account_config.cc. Quotas count devices of a kind (Kueue's nominal
// quota per resource flavor): a job that starts while its account's use of
// its kind stays within `quota` is guaranteed, never preempted; above it the
// account borrows, at most `borrow` more (with its children's use counted),
// and a borrowing job may be preempted by a job within its own quota.
struct AccountConfig {
  std::string name;
  std::string parent;
  std::vector<std::string> users;  // empty = anyone may charge it
  uint32_t shares = 1;             // fair-share weight among its siblings
  KindCounts quota{};
  // Most devices of a kind above quota; unset (kNoBorrowLimit) = no limit.
  KindLimits borrow = kNoKindLimits;

  bool MayCharge(std::string_view user) const {
    return users.empty() || std::find(users.begin(), users.end(), user) != users.end();
  }
};

// Multifactor priority (Slurm's priority/multifactor): a pending job's
// priority is the sum of each factor, a number in [0, 1], times its weight.
// Without a `priority:` section only the QoS counts, as before it existed.
struct PriorityConfig {
  uint32_t age_weight = 0;         // waited max_age or more: 1
  uint32_t fair_share_weight = 0;  // 2^(-usage/shares) of the job's account
  uint32_t job_size_weight = 0;    // share of the cluster's capacity it asks for
  uint32_t partition_weight = 0;   // partition priority / the largest
  uint32_t qos_weight = 1000;      // QoS priority / the largest
  DurationMs max_age = 7 * 24 * 3600 * kSecond;
  // Past usage counts half as much after this long (0: never forgotten).
  DurationMs usage_half_life = 7 * 24 * 3600 * kSecond;
  // The less device-time a job asks for, the higher (Tiresias' and SJF's
  // lesson: short jobs first cuts the mean JCT of a busy cluster most).
  uint32_t small_jobs_weight = 0;
};

// A row of the throughput table: how fast a class of job runs on each kind,
// relative to any reference the operator likes (H100 = 1.0, say). A job
// that names the class (`sbatch --job-class=vision`) accepts every kind
// with a speed, its request converted by H100-equivalents (job_options.h).
// 0: the class does not run on that kind. Like Gavel's throughput matrix,
// filled from measurements: the numbers are the operator's, not ours.
struct JobClassConfig {
  std::string name;
  std::array<double, kAcceleratorKinds> speed{};  // by AcceleratorKind
};

// A quality of service (Slurm's QOS): a priority tier and its preemption
// rules (Slurm's PreemptType=preempt/qos). Preemption sends SIGTERM, then
// SIGKILL once `grace_time` has passed; a job is never preempted in its
// first `min_runtime` (PreemptExemptTime). Parsed by qos_config.cc.
struct QosConfig {
  std::string name;
  int32_t priority = 0;
  std::vector<std::string> preempts;  // QoS whose running jobs this one's pending jobs may preempt
  DurationMs grace_time = 0;          // of a preempted job of this QoS
  DurationMs min_runtime = 0;         // of a job of this QoS before it may be preempted
  bool requeue_on_preempt = true;     // preempt_mode: requeue (true) or cancel
  // The QoS a job of this one runs as when it starts above its account's
  // quota ("reserved" within quota, "burst" above it); "" = this one.
  std::string above_quota;
  // Limits on what the running jobs of this QoS hold (Slurm's QOS
  // MaxJobsPerUser, MaxTRESPerUser and GrpTRES on gres): per user, and for
  // all users together. A job that would pass one waits (QosLimits says
  // which); one that asks for more than a device limit by itself is refused
  // at submission. kNoLimit: none.
  int64_t max_jobs_per_user = kNoLimit;
  KindLimits max_devices_per_user = kNoKindLimits;
  KindLimits max_devices = kNoKindLimits;
  // Most unfinished (pending or running) jobs a user may have in this QoS
  // (MaxSubmitJobsPerUser): a submission past it is refused.
  int64_t max_submit_jobs_per_user = kNoLimit;
  // Longest time limit a job of this QoS may have, on any kind it accepts
  // (MaxWall): a longer --time is refused, and a job without one gets at
  // most this. 0: none.
  DurationMs max_time = 0;
  bool HasLimits() const {
    return max_jobs_per_user != kNoLimit || max_devices_per_user != kNoKindLimits ||
           max_devices != kNoKindLimits;
  }
};
// At most this many QoS: the scheduler keeps "may preempt" as a bit mask.
inline constexpr size_t kMaxQos = 64;

// How nodes are wired together; topology/fabric.h answers questions about it.
// Every part is optional: a node under no leaf is "somewhere on the network".
struct LeafConfig {
  std::string name;
  std::string spine;  // "" = one spine shared by all leaves that name none
  std::vector<std::string> nodes;
};
// Dojo tray hosts (6 tiles each, 3 wide and 2 high) laid out row by row on one
// 2D tile mesh, `trays_per_row` trays side by side.
struct DojoMeshConfig {
  std::string name;
  std::vector<std::string> trays;
  uint32_t trays_per_row = 1;
};
// A named set of nodes: a rack, or the nodes whose GPUs share one NVLink
// switch fabric (multi-node NVLink, as in GB200 NVL72; an HGX H100 node is
// its own domain and needs no entry).
struct NodeGroupConfig {
  std::string name;
  std::vector<std::string> nodes;
};
struct FabricConfig {
  std::vector<LeafConfig> leaves;
  std::vector<NodeGroupConfig> nvlink_domains;
  std::vector<DojoMeshConfig> dojo_meshes;
  std::vector<NodeGroupConfig> racks;
};

// Where the daemons serve /metrics, and what the agents sample for it.
struct MetricsConfig {
  std::string controller_address;  // HOST:PORT of tatamid's /metrics; "" = not served
  std::string agent_address;       // HOST:PORT of every agent's /metrics (port 0: any free)
  DurationMs sample_interval = 10 * kSecond;  // agents read job CPU and memory this often
  // dcgm-exporter's --hpc-job-mapping-dir: the agent writes DIR/<gpu index>
  // naming the job on that device. "%n" in it becomes the node name (several
  // emulated nodes on one machine); a relative path is under the agent's
  // spool folder. "" = not written.
  std::string dcgm_job_mapping_dir;
};

// The list price of an accelerator-hour of one kind in one tier (a QoS name),
// exported as a gauge so cost = usage x price in PromQL.
struct PriceConfig {
  AcceleratorKind kind = AcceleratorKind::kNone;
  std::string tier;
  double per_hour = 0;
};
struct BillingConfig {
  std::string currency = "USD";
  std::vector<PriceConfig> prices;
};

// ClusterConfig::backfill_max_jobs when the config says nothing, and
// MakeSchedulingPolicy's when its caller does not.
inline constexpr uint32_t kDefaultBackfillMaxJobs = 64;

// Kind rebalancing (scheduler/rebalance.h): the config's `rebalance:`, or
// `rebalance: off`. The defaults are those issue 6's GigaTexas runs chose:
// for jobs that have waited 4 h, jobs still 10 h or more from their end
// that would run at 0.75 of their speed or better elsewhere (an H100 job
// 1.3x faster on Dojo: 0.77) are moved, where the queue gains more than
// they lose and the plan starts them elsewhere within those 4 h.
// `jobs: uncontended` moves only jobs that took their kind when no job
// waited for it.
struct RebalanceConfig {
  bool enabled = true;
  bool only_uncontended = false;  // `jobs: any` (default) or `uncontended`
  DurationMs min_wait = 4 * 60 * kMinute;
  DurationMs min_remaining = 10 * 60 * kMinute;
  double min_relative_speed = 0.75;

  // Whether a job that starts now may later be moved, as far as the config
  // says: rebalancing is on and, under `jobs: uncontended`, no job of the
  // cycle that started it waited for its kind (PlannedStart::contended).
  // tatamid and tatami-sim add their own conditions.
  bool MayMove(bool contended) const { return enabled && !(contended && only_uncontended); }
};

struct ClusterConfig {
  std::string path;  // file it came from; relative paths inside resolve against its folder
  std::string cluster_name = "tatami";
  std::string controller_address = "127.0.0.1:0";
  DurationMs heartbeat_interval = 2 * kSecond;
  DurationMs node_timeout = 30 * kSecond;
  DurationMs kill_wait = 10 * kSecond;
  // How long a finished job stays in tatamid's memory (squeue -t CD,
  // explain) before only the job store (sacct) has it; 0: forever. Slurm's
  // MinJobAge, and its default.
  DurationMs min_job_age = 5 * kMinute;
  uint32_t max_array_size = 10001;
  // How many blocked jobs a backfill pass plans (reserves for), in queue
  // order; those behind them may be passed by backfilled jobs. Slurm's
  // bf_max_job_test, at least 1.
  uint32_t backfill_max_jobs = kDefaultBackfillMaxJobs;
  RebalanceConfig rebalance;
  std::vector<NodeConfig> nodes;
  std::vector<PartitionConfig> partitions;
  std::vector<AccountConfig> accounts;
  // The account of a job that names none, when no account lists its user
  // (`default_account:`, an account anyone may charge); "" = none.
  std::string default_account;
  std::vector<QosConfig> qos;
  PriorityConfig priority;
  std::vector<JobClassConfig> job_classes;  // the `throughput:` table
  FabricConfig fabric;
  MetricsConfig metrics;
  BillingConfig billing;
  // Slurm's PrivateData: what users other than admins (root and tatamid's
  // own user) see only of their own. `jobs`: squeue, sacct, sprio, tatami
  // explain and tatami wait list only their jobs; `usage`: tatami report only their
  // usage, sshare only accounts they may charge (and those accounts' parents).
  // The user is the one the CLI names, as for scancel: no credential yet.
  struct PrivateData {
    bool jobs = false;
    bool usage = false;
  } private_data;
  // Added to every job's environment (e.g. Open MPI settings for a cluster
  // whose emulated nodes all live on 127.0.0.1).
  std::vector<std::pair<std::string, std::string>> job_environment;

  const NodeConfig* FindNode(std::string_view name) const;
  const PartitionConfig* FindPartition(std::string_view name) const;
  const PartitionConfig* DefaultPartition() const;
  const AccountConfig* FindAccount(std::string_view name) const;
  // What a job of `user` that names no account charges (Slurm's default
  // account): the first account whose `users` lists the user, else
  // default_account; "" when neither.
  std::string DefaultAccountOf(std::string_view user) const;
  const QosConfig* FindQos(std::string_view name) const;
  const JobClassConfig* FindJobClass(std::string_view name) const;
  // Resolves a path written in the config relative to the config's folder.
  std::string ResolvePath(const std::string& p) const;
};

Result<ClusterConfig> LoadClusterConfig(const std::string& path);
// For tests: `origin` names the text in errors.
Result<ClusterConfig> ParseClusterConfig(const std::string& yaml_text, const std::string& origin);

}  // namespace tatami
