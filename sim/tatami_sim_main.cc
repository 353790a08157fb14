// tatami-sim: replays a job trace on a configured cluster under several
// scheduling policies and compares them. See sim/simulator.h.
//
//   tatami-sim --cluster configs/sim-small-hetero.yaml --trace philly.csv --jobs 5000
//              --compress 20 --out /tmp/sim
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "base/duration.h"
#include "base/strings.h"
#include "scheduler/policy.h"
#include "sim/report.h"
#include "sim/simulator.h"
#include "sim/trace.h"
#include "topology/cluster_config.h"

namespace tatami::sim {
namespace {

constexpr const char* kUsage = R"(usage: tatami-sim --cluster CONFIG --trace TRACE [options]

Replays TRACE on the cluster CONFIG describes, once per policy, and prints
the policies' figures side by side with each baseline's ratio to the last.

  --cluster FILE          cluster YAML (as tatamid reads it)
  --trace FILE            Philly CSV, Sia workload CSV, or a tatamid jobs.db
  --trace-format F        philly, sia or tatami (default: detected)
  --policy A,B,...        policies to compare, the judged one last
                          (default: fifo,fifo-backfill,tatami-blind,tatami)
  --jobs N                replay the first N jobs (more than the trace has:
                          it plays again after its end)
  --compress X            divide submit times by X: X times the load
  --widen K               K times every job's GPUs (same run time and model
                          class): jobs the size of FSD training
  --estimate-factor F     users' time limits as F x true run time (default 1)
  --time-min-share S      jobs checkpoint and give --time-min as S (0 to 1) of
                          their limit: backfill may start one before a
                          reservation with its limit lowered; the run it cuts
                          short is queued again with the work left (default 0)
  --sample-interval D     utilisation sampling period (default: span / 400)
  --cycle-interval D      at most one scheduling cycle per D of virtual time
  --out DIR               write results.json, jct-cdf.svg, utilisation-POLICY.svg,
                          jobs-POLICY.csv (one row per job)
)";

struct Args {
  std::string cluster, trace, format, out;
  std::vector<std::string> policies = PolicyNames();
  size_t jobs = 0;
  double compress = 1;
  uint32_t widen = 1;
  SimOptions options;
};

Result<double> Positive(const std::string& flag, const std::string& value) {
  char* end = nullptr;
  double v = std::strtod(value.c_str(), &end);
  if (value.empty() || *end != '\0' || !(v > 0)) {
    return MakeError(flag + ": wanted a number > 0, got '" + value + "'");
  }
  return v;
}

Result<Args> ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "-h" || flag == "--help") return MakeError("");
    if (i + 1 >= argc) return MakeError(flag + ": wanted a value after it");
    std::string value = argv[++i];
    if (flag == "--cluster") {
      a.cluster = value;
    } else if (flag == "--trace") {
      a.trace = value;
    } else if (flag == "--trace-format") {
      a.format = value;
    } else if (flag == "--out") {
      a.out = value;
    } else if (flag == "--policy") {
      a.policies = Split(value, ',');
    } else if (flag == "--jobs") {
      auto n = Positive(flag, value);
      if (!n) return n.error();
      a.jobs = static_cast<size_t>(*n);
    } else if (flag == "--compress") {
      auto x = Positive(flag, value);
      if (!x) return x.error();
      a.compress = *x;
    } else if (flag == "--widen") {
      auto k = ParseInt(value);
      if (!k || *k < 1 || *k > 1024)
        return MakeError("--widen: wanted 1 to 1024, got '" + value + "'");
      a.widen = static_cast<uint32_t>(*k);
    } else if (flag == "--estimate-factor") {
      auto x = Positive(flag, value);
      if (!x) return x.error();
      a.options.estimate_factor = *x;
    } else if (flag == "--time-min-share") {
      char* end = nullptr;
      double x = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0' || !(x >= 0 && x <= 1))
        return MakeError("--time-min-share: wanted a share from 0 to 1, got '" + value + "'");
      a.options.time_min_share = x;
    } else if (flag == "--sample-interval" || flag == "--cycle-interval") {
      auto d = ParseConfigDuration(value, flag);
      if (!d) return d.error();
      (flag == "--sample-interval" ? a.options.sample_interval : a.options.min_cycle_interval) = *d;
    } else {
      return MakeError("unknown option " + flag);
    }
  }
  if (a.cluster.empty() || a.trace.empty()) return MakeError("--cluster and --trace are required");
  return a;
}

Status WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out.good()) return MakeError(path.string() + ": cannot write it");
  return {};
}

int Main(int argc, char** argv) {
  auto args = ParseArgs(argc, argv);
  if (!args) {
    if (!args.error().message.empty())
      fprintf(stderr, "tatami-sim: %s\n", args.error().message.c_str());
    fputs(kUsage, stderr);
    return 2;
  }
  auto config = LoadClusterConfig(args->cluster);
  if (!config) {
    fprintf(stderr, "tatami-sim: %s\n", config.error().message.c_str());
    return 1;
  }
  std::vector<SchedulingPolicy> policies;
  for (const std::string& name : args->policies) {
    // As tatamid: the config's backfill_max_jobs.
    auto p = MakeSchedulingPolicy(name, config->backfill_max_jobs, config->rebalance);
    if (!p) {
      fprintf(stderr, "tatami-sim: --policy: %s\n", p.error().message.c_str());
      return 2;
    }
    policies.push_back(std::move(*p));
  }
  Result<std::vector<TraceJob>> trace = MakeError("");
  if (args->format.empty()) {
    trace = ReadTrace(args->trace);
  } else if (auto format = ParseTraceFormat(args->format); format.ok()) {
    trace = ReadTrace(args->trace, *format);
  } else {
    trace = format.error();
  }
  if (!trace) {
    fprintf(stderr, "tatami-sim: %s\n", trace.error().message.c_str());
    return 1;
  }
  ShapeTrace(*trace, args->jobs, args->compress);
  WidenJobs(*trace, args->widen);
  auto sim = Simulator::Create(*config, args->options);
  if (!sim) {
    fprintf(stderr, "tatami-sim: %s\n", sim.error().message.c_str());
    return 1;
  }
  double capacity = 0;
  for (const NodeConfig& n : config->nodes)
    capacity += double(n.accelerators) * H100Equivalents(n.accelerator_kind);
  printf("%zu jobs from %s on %s (%zu nodes); offered load %.2f\n", trace->size(),
         args->trace.c_str(), args->cluster.c_str(), sim->nodes().size(),
         OfferedLoad(*trace, capacity));
  std::vector<SimRun> runs;
  std::vector<PolicySummary> summaries;
  for (const SchedulingPolicy& policy : policies) {
    auto run = sim->Run(*trace, policy);
    if (!run) {
      fprintf(stderr, "tatami-sim: %s\n", run.error().message.c_str());
      return 1;
    }
    summaries.push_back(Summarize(*run));
    fprintf(stderr, "  %s: %.1f s\n", policy.name.c_str(), run->wall_seconds);
    runs.push_back(std::move(*run));
  }
  printf("\n%s", ComparisonTable(summaries).c_str());
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  printf("\npeak memory: %.0f MiB\n", double(usage.ru_maxrss) / 1024);
  if (!args->out.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(args->out, ec);
    std::filesystem::path dir(args->out);
    Status s =
        WriteFile(dir / "results.json", ResultsJson(args->cluster, args->trace, runs, summaries));
    if (s.ok()) s = WriteFile(dir / "jct-cdf.svg", JctCdfSvg(runs));
    for (const SimRun& run : runs) {
      if (s.ok()) s = WriteFile(dir / ("utilisation-" + run.policy + ".svg"), UtilisationSvg(run));
      if (s.ok()) s = WriteFile(dir / ("jobs-" + run.policy + ".csv"), JobsCsv(run));
    }
    if (!s.ok()) {
      fprintf(stderr, "tatami-sim: %s\n", s.error().message.c_str());
      return 1;
    }
    printf("wrote %s/{results.json,jct-cdf.svg,utilisation-*.svg,jobs-*.csv}\n", args->out.c_str());
  }
  return 0;
}

}  // namespace
}  // namespace tatami::sim

int main(int argc, char** argv) {
  return tatami::sim::Main(argc, argv);
}
