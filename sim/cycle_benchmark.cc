// One full scheduling cycle at GigaTexas size: 100,000 pending jobs in
// priority order, placement on 6,250 HGX nodes, 200 Dojo trays and 2,500
// HW4 hosts, and a backfill pass with reservations, on a cluster whose
// devices are ~95% busy with running jobs of known expected ends (so most
// of the queue is blocked and backfill does real work). Issue 6's figure;
// run by scripts/bench/cycle.sh. Slurm's backfill, for comparison, tests
// at most bf_max_job_test (500) jobs per cycle and is paused and resumed
// over seconds on queues this long.
//
// Jobs: 1-256 H100-equivalents (mostly small, as in Philly), a third of
// them also accepting Dojo tiles at 1.3x, time limits of 10 minutes to a
// day; all drawn from a fixed seed.
#include <benchmark/benchmark.h>

#include <random>

#include "scheduler/policy.h"
#include "sim/simulator.h"
#include "sim/speeds.h"

namespace tatami::sim {
namespace {

ResourceRequest H100Request(uint32_t gpus) {
  ResourceRequest r;
  r.partition = "h100";
  r.accel_kind = "h100";
  r.nodes = (gpus + 7) / 8;
  r.accel_per_node = std::min<uint32_t>(gpus, 8);
  r.tasks_per_node = r.accel_per_node;
  r.tasks = r.nodes * r.tasks_per_node;
  r.cpus_per_node = r.accel_per_node;
  return r;
}

ResourceRequest TileRequest(uint32_t gpus) {
  ResourceRequest r;
  r.partition = "dojo";
  r.accel_kind = "d1";
  r.tiles = (gpus + kH100PerTile - 1) / kH100PerTile;
  r.tasks = r.tiles;
  return r;
}

// Marks `share`'s devices busy until `end` as one running job.
void Occupy(Snapshot& snap, uint64_t id, size_t node, uint32_t first, uint32_t count, TimeMs end) {
  NodeResources& n = snap.nodes[node];
  NodeShare s{n.name, count, 1024, {}, static_cast<uint32_t>(node)};
  for (uint32_t d = first; d < first + count && d < n.DevicesTotal(); ++d) s.devices.push_back(d);
  RunningJob r;
  r.job_id = id;
  r.shares = {s};
  r.expected_end = end;
  ApplyShares(r.shares, false, snap.nodes);
  snap.running.push_back(std::move(r));
}

const Snapshot& GigaTexas() {
  static const Snapshot world = [] {
    Snapshot snap;
    auto config = LoadClusterConfig(std::string(TATAMI_SOURCE_DIR) + "/configs/sim-gigatexas.yaml");
    if (!config.ok()) throw std::runtime_error(config.error().message);
    auto sim = Simulator::Create(*config, SimOptions{});
    if (!sim.ok()) throw std::runtime_error(sim.error().message);
    snap.nodes = sim->nodes();
    snap.now = 0;
    snap.backfill_pass = true;
    std::mt19937_64 rng(42);
    std::uniform_int_distribution<TimeMs> end(10 * kMinute, 24 * kHour);
    std::bernoulli_distribution busy(0.95);
    uint64_t id = 1'000'000;
    for (size_t i = 0; i < snap.nodes.size(); ++i) {
      const NodeResources& n = snap.nodes[i];
      if (n.accel_kind == AcceleratorKind::kD1) {
        for (uint32_t t = 0; t < n.DevicesTotal(); ++t)
          if (busy(rng)) Occupy(snap, id++, i, t, 1, end(rng));
      } else if (n.accel_kind != AcceleratorKind::kNone && busy(rng)) {
        Occupy(snap, id++, i, 0, n.DevicesTotal(), end(rng));
      }
    }
    std::sort(
        snap.running.begin(), snap.running.end(),
        [](const RunningJob& a, const RunningJob& b) { return a.expected_end < b.expected_end; });
    std::discrete_distribution<int> size({40, 15, 12, 15, 8, 6, 3, 1});
    const uint32_t kSizes[] = {1, 2, 4, 8, 16, 32, 64, 256};
    std::bernoulli_distribution dojo_too(1.0 / 3);
    for (uint64_t j = 0; j < 100'000; ++j) {
      uint32_t gpus = kSizes[size(rng)];
      PendingJob p;
      p.job_id = j;
      p.submit_time = -static_cast<TimeMs>(100'000 - j) * kSecond;
      p.request = H100Request(gpus);
      p.time_limit = end(rng);
      if (dojo_too(rng)) p.alternatives.push_back({TileRequest(gpus), 1.3});
      snap.pending.push_back(std::move(p));
    }
    return snap;
  }();
  return world;
}

// `time_min_share` > 0: every pending job gives sbatch --time-min as that
// share of its limit, so each one a reservation keeps out also asks
// whether a lowered limit fits before it (the worst case of --time-min).
void BM_SchedulingCycle_GigaTexas_100kPending(benchmark::State& state, const char* policy_name,
                                              double time_min_share) {
  const Snapshot& world = GigaTexas();
  auto policy = MakeSchedulingPolicy(policy_name);
  Plan plan;
  for (auto _ : state) {
    state.PauseTiming();
    Snapshot snap = world;
    for (PendingJob& p : snap.pending)  // in the copy: peak memory stays one world's
      p.time_min = static_cast<DurationMs>(double(p.time_limit) * time_min_share);
    state.ResumeTiming();
    plan = RunSchedulingCycle(snap, *policy->queue, *policy->placer);
    benchmark::DoNotOptimize(plan);
  }
  state.counters["pending"] = double(world.pending.size());
  state.counters["running"] = double(world.running.size());
  state.counters["starts"] = double(plan.starts.size());
  state.counters["reservations"] = double(plan.reservations.size());
}

BENCHMARK_CAPTURE(BM_SchedulingCycle_GigaTexas_100kPending, tatami, "tatami", 0)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_SchedulingCycle_GigaTexas_100kPending, tatami_all_time_min, "tatami", 0.1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_SchedulingCycle_GigaTexas_100kPending, fifo_backfill, "fifo-backfill", 0)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_SchedulingCycle_GigaTexas_100kPending, fifo, "fifo", 0)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace tatami::sim

BENCHMARK_MAIN();
