#include "sim/simulator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <queue>
#include <unordered_map>

#include "base/strings.h"
#include "collectives/cost_model.h"
#include "scheduler/dojo_mesh.h"
#include "scheduler/fair_share.h"
#include "scheduler/priority.h"
#include "scheduler/qos_table.h"
#include "scheduler/rebalance.h"
#include "scheduler/scheduling_cycle.h"
#include "sim/speeds.h"
#include "topology/node_topology.h"

namespace tatami::sim {
namespace {

constexpr TimeMs kNever = INT64_MAX;
constexpr AcceleratorKind kKinds[] = {AcceleratorKind::kH100, AcceleratorKind::kD1,
                                      AcceleratorKind::kHw4};

// Where jobs of one accelerator kind go: the first partition holding that
// kind, and the most devices one of its nodes has.
struct KindPool {
  AcceleratorKind kind;
  std::string partition;
  uint32_t max_per_node = 0;
};

std::vector<KindPool> PoolsOf(const std::vector<NodeResources>& nodes) {
  std::vector<KindPool> pools;
  for (AcceleratorKind kind : kKinds) {
    KindPool pool{kind, "", 0};
    for (const NodeResources& n : nodes) {
      if (n.accel_kind != kind || n.partitions.empty()) continue;
      if (pool.partition.empty()) pool.partition = n.partitions.front();
      if (n.InPartition(pool.partition))
        pool.max_per_node = std::max(pool.max_per_node, n.DevicesTotal());
    }
    if (!pool.partition.empty()) pools.push_back(pool);
  }
  return pools;
}

uint32_t CeilDiv(uint32_t a, uint32_t b) {
  return (a + b - 1) / b;
}

// The request for `gpus` H100-equivalents on `pool`, if that kind can take
// the job at all (HW4 boards serve one job from one host).
std::optional<ResourceRequest> RequestOn(const KindPool& pool, uint32_t gpus) {
  ResourceRequest r;
  r.partition = pool.partition;
  r.accel_kind = std::string(AcceleratorName(pool.kind));
  if (pool.kind == AcceleratorKind::kD1) {
    r.tiles = CeilDiv(gpus, kH100PerTile);
    r.tasks = r.tiles;
    return r;
  }
  if (pool.max_per_node == 0) return std::nullopt;
  if (pool.kind == AcceleratorKind::kHw4 && gpus > pool.max_per_node) return std::nullopt;
  r.nodes = CeilDiv(gpus, pool.max_per_node);
  r.accel_per_node = CeilDiv(gpus, r.nodes);
  r.tasks_per_node = r.accel_per_node;
  r.tasks = r.nodes * r.tasks_per_node;
  r.cpus_per_node = r.accel_per_node;
  return r;
}

// How one trace job is offered to the scheduler, and what it needs to know
// when the job starts.
struct JobShape {
  PendingJob pending;
  std::vector<AcceleratorKind> kinds;  // per option
  std::vector<double> speeds;          // per option, against H100
  const ClassProfile* profile = nullptr;
  double usable_devices = 0;  // H100-equivalents of the kinds it accepts
};

double CapacityOfNodes(const std::vector<NodeResources>& nodes) {
  double capacity = 0;
  for (const NodeResources& n : nodes) capacity += n.DevicesTotal() * H100Equivalents(n.accel_kind);
  return capacity;
}

// Run time factor of a placement against the same devices packed under one
// leaf switch: (compute + all-reduce here) / (compute + all-reduce there).
double CommunicationFactor(const ClassProfile& c, const std::vector<NodeShare>& shares,
                           const std::vector<NodeResources>& nodes) {
  if (shares.size() < 2) return 1.0;
  std::vector<collectives::RankSite> actual, packed;
  for (const NodeShare& s : shares) {
    const NodeResources& n = nodes[s.node_index];
    FabricPosition ideal = nodes[shares.front().node_index].fabric;
    for (uint32_t d : s.devices) {
      actual.push_back({n.accel_kind, n.fabric, s.node_index, d});
      packed.push_back({n.accel_kind, ideal, s.node_index, d});
    }
  }
  double here = collectives::EstimateAllReduce(actual, c.gradient_bytes).seconds;
  double best = collectives::EstimateAllReduce(packed, c.gradient_bytes).seconds;
  return (c.step_seconds + here) / (c.step_seconds + std::min(here, best));
}

// Free tiles outside each mesh's largest free rectangle, as a share of all
// free tiles: 0 when every mesh's free tiles form one rectangle.
double MeshFragmentation(const std::vector<NodeResources>& nodes) {
  int64_t free = 0, largest = 0;
  // Every tray counts: fragmentation is the mesh's, whoever could use it.
  for (const MeshGrid& g : BuildMeshGrids(
           nodes, [](size_t) { return true; }, false)) {
    free += g.FreeTiles();
    largest += g.LargestFreeRect();
  }
  return free == 0 ? 0 : 1.0 - double(largest) / double(free);
}

// Where one job is in its life: how much work it has left and when its
// current run ends.
struct Progress {
  uint32_t qos = QosTable::kNone;      // as submitted: priority and preempt mask
  uint32_t run_qos = QosTable::kNone;  // what its current run runs as (QosTable::RunsAs)
  double capacity = 0;                 // H100-equivalents it holds while running (fair-share usage)
  double remaining = 1.0;              // of its work, after preemptions
  double full_ms = 0;                  // a whole run where it last started
  TimeMs started = 0;
  TimeMs end_at = -1;       // of the current run; an end event at another time is stale
  TimeMs expected_end = 0;  // what backfill assumes (start + limit, or grace deadline)
  TimeMs sigterm_at = -1;   // when it was told to stop; -1: not preempted
  bool cut_short = false;   // its run ends at a lowered limit with work left
  bool moving = false;      // stopping for a move (Plan::moves): requeued whatever its QoS
};

// The run's state between events.
// How fast a job of `profile`'s class runs on `kind`, relative to an H100
// (trace run times are H100 times). The config's throughput row for the
// class, when it has one, wins over speeds.h: the operator's measurements
// are what tatamid schedules with.
double ClassSpeed(const ClassProfile& profile, const JobClassConfig* measured,
                  AcceleratorKind kind) {
  if (!measured) return SpeedOn(profile, kind);
  double h100 = measured->speed[static_cast<size_t>(AcceleratorKind::kH100)];
  double speed = measured->speed[static_cast<size_t>(kind)];
  return h100 > 0 ? speed / h100 : speed;
}

class Replay {
 public:
  Replay(const std::vector<NodeResources>& nodes, const ClusterConfig& config,
         const SimOptions& options, const std::vector<TraceJob>& trace,
         const SchedulingPolicy& policy, const QosTable& qos)
      : config_(config),
        options_(options),
        trace_(trace),
        policy_(policy),
        qos_(qos),
        pools_(PoolsOf(nodes)),
        accounts_(std::make_shared<AccountTree>(config.accounts)),
        priority_(config, CapacityOfNodes(nodes)),
        usage_(config.priority.usage_half_life) {
    snap_.nodes = nodes;
    for (const NodeResources& n : nodes) {
      run_.devices[n.accel_kind] += n.DevicesTotal();
      has_mesh_ |= n.accel_kind == AcceleratorKind::kD1;
    }
    // Trace accounts the config does not name join the top level, one share each.
    account_of_.reserve(trace.size());
    user_of_.reserve(trace.size());
    std::unordered_map<std::string, uint32_t> users;
    for (const TraceJob& t : trace) {
      account_of_.push_back(t.account.empty() ? kNoAccount : accounts_->Add(t.account));
      user_of_.push_back(users.try_emplace(t.user, uint32_t(users.size())).first->second);
    }
    snap_.quotas = QuotaBooks(accounts_);
    snap_.qos_limits = QosLimits(config.qos);
    run_.devices.erase(AcceleratorKind::kNone);
    for (const auto& [kind, count] : run_.devices) run_.busy_seconds[kind] = 0;
    run_.policy = policy.name;
    run_.jobs.resize(trace.size());
    shapes_.resize(trace.size());
    started_.resize(trace.size());
    progress_.resize(trace.size());
    TimeMs span = trace.empty() ? 0 : trace.back().submit - trace.front().submit;
    sample_every_ = options.sample_interval > 0 ? options.sample_interval
                                                : std::max<DurationMs>(kMinute, span / 400);
  }

  SimRun Run() {
    auto wall = std::chrono::steady_clock::now();
    size_t next = 0;
    clock_ = trace_.empty() ? 0 : trace_.front().submit;
    next_sample_ = clock_;
    run_.first_submit = clock_;
    const DurationMs interval = policy_.queue->BackfillInterval();
    TimeMs cycle_at = kNever;  // when the next cycle is due
    bool changed_since_backfill = false;
    while (true) {
      TimeMs at = kNever;
      if (next < trace_.size()) at = std::min(at, trace_[next].submit);
      if (!ends_.empty()) at = std::min(at, ends_.top().first);
      if (!wakes_.empty()) at = std::min(at, wakes_.top());
      at = std::min(at, cycle_at);
      if (interval > 0 && changed_since_backfill && !snap_.pending.empty())
        at = std::min(at, std::max(clock_, last_backfill_ + interval));
      if (at == kNever) break;
      AdvanceTo(at);
      bool changed = false;
      while (!ends_.empty() && ends_.top().first == at) {
        auto [end, i] = ends_.top();
        ends_.pop();
        if (progress_[i].end_at != end) continue;  // it was preempted: ends earlier
        Finish(i);
        changed = true;
      }
      // A running job past its minimum run time may now be preempted.
      for (; !wakes_.empty() && wakes_.top() <= at; wakes_.pop()) changed = true;
      for (; next < trace_.size() && trace_[next].submit == at; ++next) changed |= Submit(next);
      changed_since_backfill |= changed;
      if (changed && !snap_.pending.empty()) {
        TimeMs due = std::max(at, last_cycle_ + options_.min_cycle_interval);
        cycle_at = std::min(cycle_at, due);
      }
      bool backfill_due = interval >= 0 && changed_since_backfill && !snap_.pending.empty() &&
                          at - last_backfill_ >= interval;
      if (cycle_at <= at || (interval > 0 && backfill_due)) {
        snap_.backfill_pass = backfill_due;
        if (backfill_due) {
          last_backfill_ = at;
          changed_since_backfill = false;
        }
        Cycle();
        cycle_at = kNever;
      }
    }
    AdvanceTo(clock_);
    run_.last_end = last_end_;
    if (has_mesh_)
      run_.mean_mesh_fragmentation =
          fragmentation_samples_ ? fragmentation_sum_ / fragmentation_samples_ : 0;
    run_.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
    return std::move(run_);
  }

 private:
  // Integrates busy devices up to `to`, sampling on the way.
  void AdvanceTo(TimeMs to) {
    while (next_sample_ <= to && next_sample_ >= clock_) {
      UtilisationSample s;
      s.time = next_sample_ - run_.first_submit;
      for (const auto& [kind, count] : run_.devices)
        s.busy_fraction[kind] = count ? double(busy_[kind]) / double(count) : 0;
      run_.samples.push_back(std::move(s));
      if (has_mesh_) {
        fragmentation_sum_ += MeshFragmentation(snap_.nodes);
        ++fragmentation_samples_;
      }
      next_sample_ += sample_every_;
    }
    double dt = double(to - clock_) / 1000;
    for (auto& [kind, busy] : busy_) run_.busy_seconds[kind] += double(busy) * dt;
    clock_ = to;
  }

  bool Submit(size_t i) {
    const TraceJob& t = trace_[i];
    JobOutcome& out = run_.jobs[i];
    out.id = t.id;
    out.account = t.account;
    out.submit = t.submit;
    out.gpus = t.gpus;
    JobShape& shape = shapes_[i];
    uint32_t qos = *qos_.Find(t.qos);  // Simulator::Run checked every name
    progress_[i].qos = qos;
    if (!Shape(t, qos, shape)) {
      ++run_.unplaceable;
      return false;
    }
    out.ideal_run = static_cast<DurationMs>(
        double(t.run_time) / *std::max_element(shape.speeds.begin(), shape.speeds.end()));
    out.usable_devices = shape.usable_devices;
    out.job_class = t.job_class.empty() ? std::string(shape.profile->name) : t.job_class;
    shape.pending.job_id = i;  // index, not the trace's id: O(1) lookups
    shape.pending.account = account_of_[i];
    shape.pending.user = user_of_[i];
    shape.pending.qos = qos;
    if (policy_.multifactor) shape.pending.priority = priority_.Priority(shape.pending, clock_);
    Enqueue(shape.pending);
    return true;
  }

  // Keeps the queue in QueuedBefore order: the cycle then skips sorting it.
  void Enqueue(const PendingJob& job) {
    snap_.pending.insert(
        std::upper_bound(snap_.pending.begin(), snap_.pending.end(), job, QueuedBefore), job);
  }

  bool Shape(const TraceJob& t, uint32_t qos, JobShape& shape) {
    const ClassProfile* profile = FindClass(t.job_class);
    if (!profile) profile = FindClass(ClassForGpuHours(double(t.run_time) * t.gpus / 3.6e6, t.id));
    shape.profile = profile;
    const JobClassConfig* measured = config_.FindJobClass(t.job_class);
    if (!measured) measured = config_.FindJobClass(profile->name);
    for (const KindPool& pool : pools_) {
      if (!t.kind.empty() && AcceleratorName(pool.kind) != t.kind) continue;
      double speed = t.kind.empty() ? ClassSpeed(*profile, measured, pool.kind) : 1.0;
      auto req = RequestOn(pool, t.gpus);
      if (speed <= 0 || !req || !Feasible(*req)) continue;
      shape.kinds.push_back(pool.kind);
      shape.speeds.push_back(speed);
      shape.usable_devices += double(run_.devices[pool.kind]) * H100Equivalents(pool.kind);
      if (shape.kinds.size() == 1) {
        shape.pending.request = *req;
      } else {
        shape.pending.alternatives.push_back({*req, speed / shape.speeds.front()});
      }
    }
    if (shape.kinds.empty()) return false;
    shape.pending.submit_time = t.submit;
    shape.pending.priority = qos_.Priority(qos);
    shape.pending.preempts = qos_.PreemptMask(qos);
    shape.pending.qos_above_quota = qos_.RunsAs(qos, /*within_quota=*/false);
    double limit = double(t.time_limit > 0 ? t.time_limit : t.run_time) / shape.speeds.front() *
                   options_.estimate_factor;
    shape.pending.time_limit =
        std::max<DurationMs>(kSecond, static_cast<DurationMs>(std::ceil(limit)));
    shape.pending.time_min = static_cast<DurationMs>(
        std::ceil(double(shape.pending.time_limit) * options_.time_min_share));
    return true;
  }

  bool Feasible(const ResourceRequest& req) {
    std::string key = PlacementKey(req);
    if (key.empty()) return CheckFeasible(req, snap_.nodes).ok();
    auto [it, added] = feasible_.try_emplace(key, false);
    if (added) it->second = CheckFeasible(req, snap_.nodes).ok();
    return it->second;
  }

  // Multifactor priorities move with age and usage: recomputed every
  // priority period (Slurm's PriorityCalcPeriod), then the queue re-sorted.
  void RefreshPriorities() {
    if (!policy_.multifactor || clock_ - last_priority_ < options_.priority_interval) return;
    last_priority_ = clock_;
    std::vector<FairShareUsage::Running> running;
    running.reserve(snap_.running.size());
    for (const RunningJob& r : snap_.running)
      running.push_back({r.account, progress_[r.job_id].capacity, r.start});
    priority_.SetFairShare(
        FairShareFactors(*accounts_, usage_.UsageAt(clock_, accounts_->size(), running)));
    for (PendingJob& p : snap_.pending) p.priority = priority_.Priority(p, clock_);
    std::stable_sort(snap_.pending.begin(), snap_.pending.end(), QueuedBefore);
  }

  void Cycle() {
    RefreshPriorities();
    snap_.now = clock_;
    Plan plan = RunSchedulingCycle(snap_, *policy_.queue, *policy_.placer);
    ++run_.cycles;
    last_cycle_ = clock_;
    for (const Preemption& p : plan.preemptions) Preempt(p.victim);
    for (uint64_t m : plan.moves) {
      progress_[m].moving = true;
      Preempt(m);
    }
    RememberPassedOver(plan);
    if (plan.starts.empty()) return;
    for (PlannedStart& p : plan.starts) {
      started_[p.job_id] = true;
      Start(p.job_id, p);
    }
    std::erase_if(snap_.pending, [&](const PendingJob& j) { return started_[j.job_id]; });
  }

  // As tatamid does: a job that chose to wait for a faster kind keeps the
  // time it first did (PendingJob::passed_over_at).
  void RememberPassedOver(const Plan& plan) {
    if (plan.passed_over.empty()) return;
    std::vector<uint64_t> waiting = plan.passed_over;
    std::sort(waiting.begin(), waiting.end());
    for (PendingJob& p : snap_.pending) {
      if (p.passed_over_at == 0 && std::binary_search(waiting.begin(), waiting.end(), p.job_id))
        p.passed_over_at = clock_;
    }
  }

  void Start(size_t i, PlannedStart& p) {
    const TraceJob& t = trace_[i];
    JobShape& shape = shapes_[i];
    AcceleratorKind kind = shape.kinds[p.option];
    double ms = double(t.run_time) / shape.speeds[p.option];
    if (kind == AcceleratorKind::kH100)
      ms *= CommunicationFactor(*shape.profile, p.shares, snap_.nodes);
    Progress& g = progress_[i];
    g.full_ms = ms;
    g.started = clock_;
    g.capacity = CapacityOf(RequestOf(shape.pending, p.option));
    g.run_qos = qos_.RunsAs(g.qos, p.guaranteed);
    // Whole milliseconds, rounding up all but floating-point noise.
    DurationMs run = static_cast<DurationMs>(std::ceil(ms * g.remaining - 1e-6));
    JobOutcome& out = run_.jobs[i];
    if (out.start < 0) out.start = clock_;
    out.kind = kind;
    out.speed = shape.speeds[p.option];
    out.devices = 0;
    out.placement.clear();
    for (const NodeShare& s : p.shares) {
      out.devices += static_cast<uint32_t>(s.devices.size());
      std::vector<std::string> devices;
      for (uint32_t d : s.devices) devices.push_back(std::to_string(d));
      out.placement += (out.placement.empty() ? "" : " + ") + s.node + " " + Join(devices, ",");
    }
    busy_[kind] += out.devices;
    bool exclusive = RequestOf(shape.pending, p.option).exclusive;
    // A limit lowered by --time-min (SimOptions::time_min_share) may end
    // the run before its work does; otherwise the run never outlasts it.
    DurationMs limit = p.time_limit > 0 ? p.time_limit : LimitOf(shape.pending, p.option);
    g.cut_short = p.time_limit > 0 && run > p.time_limit;
    if (g.cut_short) run = p.time_limit;
    RunningJob r{i, exclusive, std::move(p.shares), limit > 0 ? clock_ + limit : 0};
    r.qos = g.run_qos;
    r.priority = shape.pending.priority;
    r.start = clock_;
    r.preemptible_from = clock_ + qos_.MinRuntime(g.run_qos);
    r.account = shape.pending.account;
    r.guaranteed = p.guaranteed;
    // Every simulated job checkpoints: it may be moved once, if the config
    // allows (RebalanceConfig::MayMove).
    r.movable = out.moves == 0 && config_.rebalance.MayMove(p.contended);
    r.elsewhere = ElsewhereOf(shape.pending.request, shape.pending.alternatives, p.option);
    shape.pending.excluded_kinds = 0;
    bool reclaimable = !r.guaranteed && accounts_->HasQuotas();
    if ((qos_.Preemptible(g.run_qos) || reclaimable) && r.preemptible_from > clock_)
      wakes_.push(r.preemptible_from);
    AddRunning(std::move(r));
    g.end_at = clock_ + run;
    ends_.push({g.end_at, i});
  }

  // snap_.running is kept in expected-end order for backfill.
  void AddRunning(RunningJob r) {
    auto at =
        std::upper_bound(snap_.running.begin(), snap_.running.end(), r.expected_end,
                         [](TimeMs end, const RunningJob& x) { return end < x.expected_end; });
    progress_[r.job_id].expected_end = r.expected_end;
    snap_.running.insert(at, std::move(r));
  }

  RunningJob TakeRunning(size_t i) {
    TimeMs end = progress_[i].expected_end;
    auto it = std::lower_bound(snap_.running.begin(), snap_.running.end(), end,
                               [](const RunningJob& x, TimeMs e) { return x.expected_end < e; });
    while (it->job_id != i) ++it;
    RunningJob r = std::move(*it);
    snap_.running.erase(it);
    return r;
  }

  // SIGTERM now; it ends when tatamid would SIGKILL it, its QoS's grace
  // time plus the config's kill_wait on, unless it finishes first.
  void Preempt(size_t i) {
    Progress& g = progress_[i];
    RunningJob r = TakeRunning(i);
    r.preempting = true;
    TimeMs deadline = clock_ + qos_.GraceTime(g.run_qos) + config_.kill_wait;
    if (g.end_at > deadline) {
      g.sigterm_at = clock_;
      g.end_at = deadline;
      ends_.push({deadline, i});
      r.expected_end = deadline;
    }
    AddRunning(std::move(r));
  }

  void Finish(size_t i) {
    JobOutcome& out = run_.jobs[i];
    busy_[out.kind] -= out.devices;
    RunningJob r = TakeRunning(i);
    ReleaseShares(r.shares, r.exclusive, snap_.nodes);
    snap_.quotas.Charge(r.account, out.kind, -int64_t(out.devices));
    Progress& g = progress_[i];
    snap_.qos_limits.Charge(g.run_qos, user_of_[i], out.kind, -int64_t(out.devices), -1);
    usage_.AddRun(r.account, g.capacity, g.started, clock_);
    out.ran += clock_ - g.started;
    if (g.sigterm_at >= 0) {
      // Preempted: the work done until SIGTERM was saved; the rest waits again.
      ++out.preemptions;
      g.remaining = std::max(0.0, g.remaining - double(g.sigterm_at - g.started) / g.full_ms);
      g.sigterm_at = -1;
      if (g.moving) {
        g.moving = false;
        ++out.moves;
        shapes_[i].pending.excluded_kinds = 1u << static_cast<unsigned>(out.kind);
        Requeue(i);
        return;
      }
      if (qos_.RequeueOnPreempt(g.run_qos)) {
        ++shapes_[i].pending.preempted_in_a_row;
        Requeue(i);
        return;
      }
      out.cancelled = true;
    } else if (g.cut_short) {
      // Its lowered limit ended the run: the work done is checkpointed.
      ++out.cut_short;
      shapes_[i].pending.preempted_in_a_row = 0;
      g.remaining = std::max(0.0, g.remaining - double(clock_ - g.started) / g.full_ms);
      g.cut_short = false;
      Requeue(i);
      return;
    }
    out.end = clock_;
    last_end_ = std::max(last_end_, clock_);
  }

  // Pending again, with its priority as of now.
  void Requeue(size_t i) {
    started_[i] = false;
    PendingJob& again = shapes_[i].pending;
    if (policy_.multifactor) again.priority = priority_.Priority(again, clock_);
    Enqueue(again);
  }

  const ClusterConfig& config_;
  const SimOptions& options_;
  const std::vector<TraceJob>& trace_;
  const SchedulingPolicy& policy_;
  const QosTable& qos_;
  std::vector<KindPool> pools_;
  std::shared_ptr<AccountTree> accounts_;  // the config's, plus the trace's other accounts
  std::vector<uint32_t> account_of_;       // by trace index
  std::vector<uint32_t> user_of_;          // by trace index: the trace's users, numbered
  MultifactorPriority priority_;
  FairShareUsage usage_;
  TimeMs last_priority_ = INT64_MIN / 2;
  Snapshot snap_;
  SimRun run_;
  std::vector<JobShape> shapes_;
  std::vector<bool> started_;       // by trace index; only read for jobs just started
  std::vector<Progress> progress_;  // by trace index
  std::unordered_map<std::string, bool> feasible_;
  std::priority_queue<std::pair<TimeMs, size_t>, std::vector<std::pair<TimeMs, size_t>>,
                      std::greater<>>
      ends_;
  std::priority_queue<TimeMs, std::vector<TimeMs>, std::greater<>> wakes_;
  std::map<AcceleratorKind, uint64_t> busy_;
  bool has_mesh_ = false;
  TimeMs clock_ = 0, next_sample_ = 0, last_end_ = 0;
  TimeMs last_cycle_ = INT64_MIN / 2, last_backfill_ = INT64_MIN / 2;
  DurationMs sample_every_ = kMinute;
  double fragmentation_sum_ = 0;
  uint64_t fragmentation_samples_ = 0;
};

}  // namespace

Result<Simulator> Simulator::Create(const ClusterConfig& config, SimOptions options) {
  std::vector<NodeResources> nodes = NodeResourcesOf(config);
  auto topologies = DiscoverConfiguredNodes(config);
  if (!topologies) return topologies.error();
  for (size_t i = 0; i < nodes.size(); ++i) {
    NodeResources& n = nodes[i];
    if (const auto& topo = (*topologies)[i]) {
      n.cpus_total = topo->cpus;
      n.mem_total_mib = topo->memory_mib;
    } else {
      return MakeError(config.path + ": node " + n.name +
                       ": topology 'host' is this machine, which a simulation cannot assume; "
                       "give the node cpus and memory, or an hwloc XML");
    }
    n.cpus_free = n.cpus_total;
    n.mem_free_mib = n.mem_total_mib;
    n.schedulable = true;
  }
  return Simulator(std::move(nodes), config, options);
}

Result<SimRun> Simulator::Run(const std::vector<TraceJob>& trace,
                              const SchedulingPolicy& policy) const {
  if (!std::is_sorted(trace.begin(), trace.end(),
                      [](const TraceJob& a, const TraceJob& b) { return a.submit < b.submit; })) {
    return MakeError("the trace is not in submit order (trace readers sort it)");
  }
  QosTable qos(config_.qos);
  for (const TraceJob& t : trace) {
    if (auto q = qos.Find(t.qos); !q.ok()) {
      return MakeError("trace job " + std::to_string(t.id) +
                       (t.line ? " (line " + std::to_string(t.line) + ")" : "") + ": " +
                       q.error().message);
    }
  }
  return Replay(nodes_, config_, options_, trace, policy, qos).Run();
}

}  // namespace tatami::sim
