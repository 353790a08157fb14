// What a tatamid restart costs once history has piled up: a store holding
// 200,000 finished jobs (two days at 100,000 jobs a day, each with a 1 KiB
// script and one run on a whole 8-H100 node) plus 10,000 pending and 2,000
// running ones, loaded by Controller::Load as tatamid does at start-up.
//
//   build/bin/restart_benchmark      (scripts/bench/restart.sh)
//
// Counters: peak_rss_growth_mib = how far the process's peak RSS rose
// above what it held before the load (/proc/self/clear_refs resets the
// peak), i.e. the transient memory a restart needs; jobs_in_memory = the
// jobs Load kept whole (the rest are GoneJobs after min_job_age).
#include <benchmark/benchmark.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "scheduler/daemon/controller.h"

namespace tatami {
namespace {

constexpr int kFinished = 200'000;
constexpr int kPending = 10'000;
constexpr int kNodes = 2'000;
constexpr int kRunning = kNodes;  // one whole node each
constexpr TimeMs kNow = 1'800'000'000'000;

std::string ClusterYaml() {
  return "cluster_name: bench\n"
         "nodes:\n"
         "  - {name: \"h100-[0001-" +
         std::to_string(kNodes) +
         "]\", cpus: 112, memory: 2T, accelerators: {kind: h100, count: 8}}\n"
         "partitions:\n  - {name: train, nodes: \"h100-[0001-" +
         std::to_string(kNodes) +
         "]\"}\n"
         "accounts:\n  - {name: fsd}\n  - {name: customer-acme}\n"
         "billing:\n  prices:\n    - {kind: h100, tier: normal, per_hour: 4.92}\n";
}

v1::JobInfo Job(int i, v1::JobState state) {
  v1::JobInfo job;
  job.set_job_id(static_cast<uint64_t>(i + 1));
  job.set_array_task_id(-1);
  job.set_state(state);
  v1::JobSpec* spec = job.mutable_spec();
  spec->set_user("user" + std::to_string(i % 300));
  spec->set_account(i % 3 ? "fsd" : "customer-acme");
  spec->set_partition("train");
  spec->set_name("train-" + std::to_string(i % 1000));
  spec->set_script("#!/bin/bash\n#SBATCH --nodes=1\n" + std::string(1000, '#') + "\nsrun train\n");
  spec->mutable_accelerators()->set_kind("h100");
  spec->mutable_accelerators()->set_per_node(8);
  spec->set_time_limit_ms(4 * 3600'000);
  job.set_submit_time(kNow - 2 * 86400'000 + i);
  job.set_eligible_time(job.submit_time());
  if (state == v1::PENDING) return job;
  char name[16];
  snprintf(name, sizeof name, "h100-%04d", i % kNodes + 1);
  v1::NodeAllocation* a = job.add_allocation();
  a->set_node(name);
  a->set_cpus(112);
  a->set_mem_mib(1024 * 1024);
  a->set_accelerator_kind("h100");
  for (uint32_t d = 0; d < 8; ++d) a->add_devices(d);
  job.set_start_time(job.submit_time() + 60'000);
  if (state == v1::RUNNING) return job;
  job.set_end_time(job.start_time() + 3600'000);
  v1::RunRecord* run = job.add_runs();
  run->set_start_time(job.start_time());
  run->set_end_time(job.end_time());
  run->set_outcome("completed");
  run->set_accelerator_kind("h100");
  run->set_accelerators(8);
  run->set_cpus(112);
  run->set_mem_mib(1024 * 1024);
  run->set_nodes(1);
  run->set_partition("train");
  run->set_qos("normal");
  return job;
}

// Writes the store. Run in a child process: the records it builds must not
// leave freed heap behind in the process whose peak RSS is measured.
void WriteStore(const std::string& path) {
  auto store = JobStore::Open(path);
  if (!store) throw std::runtime_error(store.error().message);
  std::vector<v1::JobInfo> batch;
  auto flush = [&] {
    if (Status s = (*store)->Put(std::move(batch)).get(); !s.ok())
      throw std::runtime_error(s.error().message);
    batch.clear();
  };
  for (int i = 0; i < kFinished + kPending + kRunning; ++i) {
    v1::JobState state = i < kFinished              ? v1::COMPLETED
                         : i < kFinished + kRunning ? v1::RUNNING
                                                    : v1::PENDING;
    batch.push_back(Job(i, state));
    if (batch.size() == 10'000) flush();
  }
  flush();
}

// The store, written once for every benchmark and removed at exit.
const std::string& StorePath() {
  static const std::string dir = "/tmp/tatami-restart-bench-" + std::to_string(getpid());
  static const std::string path = [] {
    std::filesystem::create_directories(dir);
    pid_t child = fork();
    if (child == 0) {
      WriteStore(dir + "/state.db");
      _exit(0);
    }
    int status = 0;
    if (child < 0 || waitpid(child, &status, 0) != child || status != 0)
      throw std::runtime_error("writing the store in " + dir + " failed");
    return dir + "/state.db";
  }();
  static const struct Remover {
    ~Remover() { std::filesystem::remove_all(dir); }
  } remover;
  return path;
}

int64_t StatusKib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::stoll(line.substr(std::strlen(field)));
  }
  return 0;
}

void BM_ControllerLoad(benchmark::State& state) {
  const std::string& path = StorePath();
  auto config = ParseClusterConfig(ClusterYaml(), "bench.yaml");
  if (!config) throw std::runtime_error(config.error().message);
  double growth_mib = 0;
  size_t in_memory = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto store = JobStore::Open(path);
    if (!store) throw std::runtime_error(store.error().message);
    ManualClock clock(kNow);
    auto controller = std::make_unique<Controller>(*config, std::move(*store), clock);
    std::ofstream("/proc/self/clear_refs") << "5";  // peak RSS := current RSS
    int64_t before = StatusKib("VmRSS:");
    state.ResumeTiming();
    if (Status s = controller->Load(); !s.ok()) throw std::runtime_error(s.error().message);
    state.PauseTiming();
    // The first load counts: later ones reuse the heap it freed.
    growth_mib = std::max(growth_mib, double(StatusKib("VmHWM:") - before) / 1024);
    in_memory = controller->ListJobs(v1::ListJobsRequest()).jobs_size();
    controller.reset();
    state.ResumeTiming();
  }
  state.counters["peak_rss_growth_mib"] = growth_mib;
  state.counters["jobs_in_memory"] = double(in_memory);
}
BENCHMARK(BM_ControllerLoad)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

}  // namespace
}  // namespace tatami

BENCHMARK_MAIN();
