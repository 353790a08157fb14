// Placement at GigaTexas size, and Dojo mesh fragmentation per strategy.
//
//   scripts/bench/placement.sh        (or build/bin/placement_benchmark)
//
// The cluster: 6,250 HGX nodes (50,000 H100) under leaf switches of 32
// nodes, 16 leaves a spine; 10 Dojo ExaPODs (20 trays = 120 tiles each, laid
// out 4 trays a row: a 12 x 10 tile mesh); 2,500 HW4 hosts of 8 boards.
// Half busy: 40% of HGX nodes full, 20% half full, 40% free; Dojo and HW4
// filled by random jobs to half their tiles/boards.
//
// Each Place() call is timed on its own; the p50_us and p99_us counters are
// over those calls (Google Benchmark's own time column is the mean).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "scheduler/topology_placer.h"

namespace tatami {
namespace {

constexpr int kHgxNodes = 6250, kNodesPerLeaf = 32, kLeavesPerSpine = 16;
constexpr int kExaPods = 10, kTraysPerPod = 20, kTraysPerRow = 4;
constexpr int kHw4Hosts = 2500;

NodeResources MakeNode(std::string name, std::string partition, AcceleratorKind kind,
                       uint32_t devices) {
  NodeResources n;
  n.name = std::move(name);
  n.partitions = {std::move(partition)};
  n.schedulable = true;
  n.cpus_total = n.cpus_free = 224;
  n.mem_total_mib = n.mem_free_mib = 2 << 20;
  n.accel_kind = kind;
  n.device_free.assign(devices, true);
  return n;
}

ResourceRequest Request(const std::string& partition, const std::string& kind, uint32_t nodes,
                        uint32_t per_node, uint32_t tiles = 0) {
  ResourceRequest r;
  r.partition = partition;
  r.nodes = nodes;
  r.accel_kind = kind;
  r.accel_per_node = per_node;
  r.tiles = tiles;
  r.cpus_per_node = 1;
  r.mem_per_node_mib = 1024;
  return r;
}

std::vector<NodeResources> GigaTexas(uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<NodeResources> nodes;
  for (int i = 0; i < kHgxNodes; ++i) {
    NodeResources n = MakeNode("h100-" + std::to_string(i), "h100", AcceleratorKind::kH100, 8);
    n.fabric.leaf = i / kNodesPerLeaf;
    n.fabric.spine = n.fabric.leaf / kLeavesPerSpine;
    double r = u(rng);
    uint32_t busy = r < 0.4 ? 8 : r < 0.6 ? 4 : 0;
    for (uint32_t d = 0; d < busy; ++d) n.device_free[d] = false;
    nodes.push_back(std::move(n));
  }
  for (int pod = 0; pod < kExaPods; ++pod) {
    for (int t = 0; t < kTraysPerPod; ++t) {
      NodeResources n = MakeNode("dojo-" + std::to_string(pod) + "-" + std::to_string(t), "dojo",
                                 AcceleratorKind::kD1, 6);
      n.fabric.mesh = pod;
      n.fabric.tray_x = kTrayWidth * (t % kTraysPerRow);
      n.fabric.tray_y = kTrayHeight * (t / kTraysPerRow);
      nodes.push_back(std::move(n));
    }
  }
  for (int i = 0; i < kHw4Hosts; ++i) {
    NodeResources n = MakeNode("hw4-" + std::to_string(i), "hw4", AcceleratorKind::kHw4, 8);
    for (uint32_t d = 0; d < 4; ++d) n.device_free[d] = false;
    nodes.push_back(std::move(n));
  }
  // Dojo: random rectangles until half the tiles are taken.
  TopologyPlacer first_fit(MeshStrategy::kFirstFit);
  std::uniform_int_distribution<int> size_pick(0, 4);
  const uint32_t sizes[] = {1, 2, 4, 6, 12};
  uint32_t taken = 0;
  while (taken < kExaPods * kTraysPerPod * 6 / 2) {
    uint32_t k = sizes[size_pick(rng)];
    auto shares = first_fit.Place(Request("dojo", "d1", 1, 0, k), nodes);
    if (!shares.ok()) break;
    ApplyShares(*shares, false, nodes);
    taken += k;
  }
  return nodes;
}

const std::vector<NodeResources>& Cluster() {
  static const std::vector<NodeResources> nodes = GigaTexas(42);
  return nodes;
}

void Percentiles(benchmark::State& state, std::vector<double>& us) {
  std::sort(us.begin(), us.end());
  state.counters["p50_us"] = us[us.size() / 2];
  state.counters["p99_us"] = us[std::min(us.size() - 1, us.size() * 99 / 100)];
}

void TimePlacement(benchmark::State& state, const Placer& placer, const ResourceRequest& req) {
  const auto& nodes = Cluster();
  std::vector<double> us;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    auto shares = placer.Place(req, nodes);
    auto t1 = std::chrono::steady_clock::now();
    if (!shares.ok()) state.SkipWithError(shares.error().message.c_str());
    benchmark::DoNotOptimize(shares);
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  Percentiles(state, us);
}

void BM_PlaceH100(benchmark::State& state) {
  auto gpus = static_cast<uint32_t>(state.range(0));
  TimePlacement(state, TopologyPlacer(),
                Request("h100", "h100", std::max(1u, gpus / 8), std::min(8u, gpus)));
}
BENCHMARK(BM_PlaceH100)->Arg(8)->Arg(64)->Arg(512)->Arg(4096)->Unit(benchmark::kMicrosecond);

void BM_PlaceDojoTiles(benchmark::State& state) {
  auto strategy = static_cast<MeshStrategy>(state.range(1));
  state.SetLabel(std::string(MeshStrategyName(strategy)));
  TimePlacement(state, TopologyPlacer(strategy),
                Request("dojo", "d1", 1, 0, static_cast<uint32_t>(state.range(0))));
}
BENCHMARK(BM_PlaceDojoTiles)
    ->ArgsProduct({{1, 6, 24},
                   {static_cast<int>(MeshStrategy::kFirstFit),
                    static_cast<int>(MeshStrategy::kLeastFragmentation)}})
    ->Unit(benchmark::kMicrosecond);

void BM_PlaceHw4Board(benchmark::State& state) {
  TimePlacement(state, TopologyPlacer(), Request("hw4", "hw4", 1, 1));
}
BENCHMARK(BM_PlaceHw4Board)->Unit(benchmark::kMicrosecond);

// Random arrivals and departures on the 10 ExaPODs. A request that cannot be
// placed although the cluster has enough free tiles "waits for fragmentation";
// the counter is the fraction of requests that do. Requests are not queued:
// each either starts on arrival or is counted and dropped, which keeps the
// mix stationary and the strategies comparable.
void BM_DojoFragmentation(benchmark::State& state) {
  auto strategy = static_cast<MeshStrategy>(state.range(0));
  state.SetLabel(std::string(MeshStrategyName(strategy)));
  TopologyPlacer placer(strategy);
  const uint32_t sizes[] = {1, 1, 2, 2, 4, 4, 6, 6, 8, 9, 12, 16, 24, 36};
  double fragmented = 0, capacity = 0, requests = 0, util = 0;
  for (auto _ : state) {
    std::vector<NodeResources> nodes;
    for (const auto& n : Cluster())
      if (n.accel_kind == AcceleratorKind::kD1) {
        NodeResources fresh = n;
        fresh.device_free.assign(6, true);
        nodes.push_back(std::move(fresh));
      }
    std::mt19937 rng(7);
    std::uniform_int_distribution<size_t> pick(0, std::size(sizes) - 1);
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<std::vector<NodeShare>> running;
    uint32_t free = static_cast<uint32_t>(nodes.size() * 6);
    for (int step = 0; step < 20000; ++step) {
      if (u(rng) < 0.52 || running.empty()) {
        uint32_t k = sizes[pick(rng)];
        ++requests;
        auto shares = placer.Place(Request("dojo", "d1", 1, 0, k), nodes);
        if (shares.ok()) {
          ApplyShares(*shares, false, nodes);
          free -= k;
          running.push_back(std::move(*shares));
        } else {
          (free >= k ? fragmented : capacity) += 1;
        }
      } else {
        std::uniform_int_distribution<size_t> which(0, running.size() - 1);
        size_t i = which(rng);
        for (const auto& s : running[i]) free += static_cast<uint32_t>(s.devices.size());
        ReleaseShares(running[i], false, nodes);
        running[i] = std::move(running.back());
        running.pop_back();
      }
      util += 1.0 - free / (nodes.size() * 6.0);
    }
    util /= 20000;
  }
  state.counters["requests"] = requests;
  state.counters["waited_fragmented_ratio"] = fragmented / requests;
  state.counters["waited_full_ratio"] = capacity / requests;
  state.counters["mean_utilisation"] = util;
}
BENCHMARK(BM_DojoFragmentation)
    ->Arg(static_cast<int>(MeshStrategy::kFirstFit))
    ->Arg(static_cast<int>(MeshStrategy::kLeastFragmentation))
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tatami

BENCHMARK_MAIN();
