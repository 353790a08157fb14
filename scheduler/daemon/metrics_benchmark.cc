// What a Prometheus scrape of tatamid costs on a big cluster: 10,000 nodes
// (80,000 H100) and 100,000 jobs (half running, one GPU each; half
// pending), 50 accounts over 4 partitions. The controller is loaded from a
// store holding those records (no agents, no scheduler thread), then each
// iteration does what one scrape of /metrics does: collect the state
// families and the event histograms and serialize them to text.
//
//   build/bin/metrics_benchmark      (scripts/bench/metrics.sh)
//
// Counters: bytes = size of the /metrics text, series = samples in it.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "metrics/family.h"
#include "scheduler/daemon/controller.h"

namespace tatami {
namespace {

constexpr int kNodes = 10'000;
constexpr int kJobs = 100'000;
constexpr int kAccounts = 50;
constexpr int kPartitions = 4;

std::string ClusterYaml() {
  std::string y = "cluster_name: bench\nnodes:\n";
  y += "  - {name: \"h100-[00001-" + std::to_string(kNodes) +
       "]\", cpus: 112, memory: 2T, accelerators: {kind: h100, count: 8}}\n";
  y += "partitions:\n";
  int per = kNodes / kPartitions;
  for (int p = 0; p < kPartitions; ++p) {
    char range[64];
    snprintf(range, sizeof range, "h100-[%05d-%05d]", p * per + 1, (p + 1) * per);
    y += "  - {name: p" + std::to_string(p) + ", nodes: \"" + range + "\"}\n";
  }
  y += "accounts:\n";
  for (int a = 0; a < kAccounts; ++a) y += "  - {name: acct" + std::to_string(a) + "}\n";
  y += "billing:\n  prices:\n    - {kind: h100, tier: normal, per_hour: 4.92}\n";
  return y;
}

std::vector<v1::JobInfo> Jobs(TimeMs now) {
  std::vector<v1::JobInfo> jobs;
  jobs.reserve(kJobs);
  int per = kNodes / kPartitions;
  for (int i = 0; i < kJobs; ++i) {
    v1::JobInfo job;
    job.set_job_id(static_cast<uint64_t>(i + 1));
    job.set_array_task_id(-1);
    v1::JobSpec* spec = job.mutable_spec();
    spec->set_user("user" + std::to_string(i % 500));
    spec->set_account("acct" + std::to_string(i % kAccounts));
    int node = (i / 2) % kNodes;  // running jobs: one GPU each, 5 to a node
    spec->set_partition("p" + std::to_string(node / per));
    spec->set_script("#!/bin/sh\ntrain.py\n");
    spec->mutable_accelerators()->set_kind("h100");
    spec->mutable_accelerators()->set_per_node(1);
    job.set_submit_time(now - 3600'000);
    job.set_eligible_time(now - 3600'000);
    if (i % 2 == 0) {
      char name[16];
      snprintf(name, sizeof name, "h100-%05d", node + 1);
      job.set_state(v1::RUNNING);
      job.set_start_time(now - 600'000);
      v1::NodeAllocation* a = job.add_allocation();
      a->set_node(name);
      a->set_cpus(14);
      a->set_mem_mib(256 * 1024);
      a->set_accelerator_kind("h100");
      a->add_devices(static_cast<uint32_t>((i / 2 / kNodes) % 8));
    } else {
      job.set_state(v1::PENDING);
      job.set_reason(i % 6 == 1 ? "Priority" : "Resources");
    }
    jobs.push_back(std::move(job));
  }
  return jobs;
}

struct Fixture {
  std::string dir;
  std::unique_ptr<Controller> controller;
  ManualClock clock{1'800'000'000'000};

  Fixture() {
    dir = "/tmp/tatami-metrics-bench-" + std::to_string(getpid());
    std::filesystem::create_directories(dir);
    auto config = ParseClusterConfig(ClusterYaml(), "bench.yaml");
    if (!config) throw std::runtime_error(config.error().message);
    auto store = JobStore::Open(dir + "/state.db");
    if (!store) throw std::runtime_error(store.error().message);
    if (Status s = (*store)->Put(Jobs(clock.Now())).get(); !s.ok())
      throw std::runtime_error(s.error().message);
    controller = std::make_unique<Controller>(std::move(*config), std::move(*store), clock);
    if (Status s = controller->Load(); !s.ok()) throw std::runtime_error(s.error().message);
  }
  ~Fixture() {
    controller.reset();
    std::filesystem::remove_all(dir);
  }
};

Fixture& Shared() {
  static Fixture f;
  return f;
}

void BM_ScrapeController(benchmark::State& state) {
  Fixture& f = Shared();
  ControllerCollectable collectable(*f.controller);
  size_t bytes = 0, series = 0;
  for (auto _ : state) {
    f.clock.Advance(15'000);  // a scrape every 15 s
    auto families = collectable.Collect();
    std::string text = metrics::Serialize(families);
    benchmark::DoNotOptimize(text.data());
    bytes = text.size();
    series = 0;
    for (const auto& fam : families) series += fam.metric.size();
  }
  state.counters["bytes"] = static_cast<double>(bytes);
  state.counters["series"] = static_cast<double>(series);
}
BENCHMARK(BM_ScrapeController)->Unit(benchmark::kMillisecond)->UseRealTime();

// The state families alone, which hold the controller's shared lock.
void BM_CollectStateUnderLock(benchmark::State& state) {
  Fixture& f = Shared();
  for (auto _ : state) benchmark::DoNotOptimize(f.controller->CollectState());
}
BENCHMARK(BM_CollectStateUnderLock)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace tatami

BENCHMARK_MAIN();
