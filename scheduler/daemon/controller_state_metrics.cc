// Controller::CollectState: the gauges and billing counters a scrape sees,
// computed from the job and node tables and the usage ledger under the
// shared lock. Cost: O(pending + running jobs + nodes + billing series).
#include <algorithm>
#include <map>
#include <tuple>

#include "metrics/family.h"
#include "scheduler/accounting/usage_report.h"
#include "scheduler/daemon/controller.h"
#include "scheduler/job_state.h"

namespace tatami {
namespace {

using metrics::Counter;
using metrics::Gauge;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Pending reasons are Slurm-style codes ("Resources", "Dependency"); a
// free-text reason (a requeue's cause) is not a label value: "Requeued".
std::string ReasonLabel(const std::string& reason) {
  bool code = !reason.empty() && std::all_of(reason.begin(), reason.end(),
                                             [](unsigned char c) { return std::isalnum(c); });
  return code ? reason : "Requeued";
}

std::string NodeStateLabel(v1::NodeState s) {
  std::string name = v1::NodeState_Name(s);
  return Lower(name.substr(name.find('_') + 1));  // NODE_IDLE -> idle
}

bool Usable(v1::NodeState s) {
  return s == v1::NODE_IDLE || s == v1::NODE_MIXED || s == v1::NODE_ALLOCATED;
}

std::string KindLabel(const std::string& kind) {
  return kind.empty() ? "none" : kind;
}

}  // namespace

std::vector<prometheus::MetricFamily> Controller::CollectState() const {
  TimeMs now = clock_.Now();
  TimeMs seen = metrics_now_.load();
  while (now > seen && !metrics_now_.compare_exchange_weak(seen, now)) {
  }
  now = std::max(now, seen);

  auto jobs = Gauge("tatami_jobs", "Jobs not yet ended, by state, partition and account");
  auto pending = Gauge("tatami_jobs_pending", "Pending jobs by partition and Slurm-style reason");
  auto finished =
      Counter("tatami_jobs_finished_total", "Jobs that ended, by end state, partition and account");
  auto nodes = Gauge("tatami_nodes", "Nodes by state and partition");
  auto accels = Gauge("tatami_accelerators",
                      "Accelerators by kind, partition and state (allocated, idle, down: on "
                      "nodes that are down, drained or never registered)");
  auto ratio = Gauge("tatami_accelerator_allocation_ratio",
                     "Allocated / (allocated + idle) accelerators of a kind, 0-1");
  auto cpus = Gauge("tatami_cpus", "CPUs by partition and state (allocated, idle, down)");
  auto heartbeat_age =
      Gauge("tatami_node_heartbeat_age_seconds", "Seconds since a node's agent last heartbeated");
  auto accel_seconds = Counter("tatami_accelerator_seconds_total",
                               "Allocated accelerator-seconds, accrued while jobs run");
  auto cpu_seconds =
      Counter("tatami_cpu_seconds_total", "Allocated CPU-seconds, accrued while jobs run");
  auto mem_seconds = Counter("tatami_memory_byte_seconds_total",
                             "Allocated memory byte-seconds, accrued while jobs run");
  auto accel_by_outcome =
      Counter("tatami_accelerator_seconds_by_outcome_total",
              "Accelerator-seconds of ended runs by outcome (completed, failed, cancelled, "
              "timeout, node_fail, preempted)");
  auto cpu_by_outcome =
      Counter("tatami_cpu_seconds_by_outcome_total", "CPU-seconds of ended runs by outcome");
  auto price = Gauge("tatami_accelerator_price_per_hour",
                     "List price of one accelerator-hour by kind and tier (QoS), from the config");

  std::shared_lock lock(mu_);
  {
    std::map<std::tuple<std::string, std::string, std::string>, double> by_state;
    std::map<std::pair<std::string, std::string>, double> by_reason;
    for (uint64_t id : pending_ids_) {
      const v1::JobInfo& job = jobs_.at(id);
      ++by_state[{"pending", job.spec().partition(), job.spec().account()}];
      ++by_reason[{job.spec().partition(), ReasonLabel(job.reason())}];
    }
    for (uint64_t id : active_ids_) {
      const v1::JobInfo& job = jobs_.at(id);
      ++by_state[{Lower(StateName(job.state())), job.spec().partition(), job.spec().account()}];
    }
    for (const auto& [k, n] : by_state)
      jobs.Add(
          {{"state", std::get<0>(k)}, {"partition", std::get<1>(k)}, {"account", std::get<2>(k)}},
          n);
    for (const auto& [k, n] : by_reason)
      pending.Add({{"partition", k.first}, {"reason", k.second}}, n);
    for (const auto& [k, n] : finished_) {
      finished.Add({{"state", Lower(StateName(std::get<0>(k)))},
                    {"partition", std::get<1>(k)},
                    {"account", std::get<2>(k)}},
                   static_cast<double>(n));
    }
  }
  {
    // Every (partition, state) and (kind, partition, state) is exported,
    // zeros included, so dashboards never see a series vanish.
    std::map<std::pair<std::string, std::string>, double> node_count, cpu_count;
    std::map<std::tuple<std::string, std::string, std::string>, double> accel_count;
    std::map<std::string, std::pair<double, double>> kind_alloc_idle;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      const NodeResources& r = resources_[i];
      std::string state = NodeStateLabel(nodes_[i].state);
      bool up = Usable(nodes_[i].state);
      uint32_t dev_total = r.DevicesTotal(), dev_alloc = dev_total - r.DevicesFree();
      uint32_t cpu_alloc = r.cpus_total - r.cpus_free;
      std::string kind(AcceleratorName(r.accel_kind));
      if (dev_total > 0) {
        auto& ai = kind_alloc_idle[kind];
        ai.first += up ? dev_alloc : 0;
        ai.second += up ? dev_total - dev_alloc : 0;
      }
      for (const std::string& p : r.partitions) {
        for (const char* s : {"idle", "mixed", "allocated", "down", "drain", "unknown"})
          node_count[{p, s}] += 0;
        ++node_count[{p, state}];
        cpu_count[{p, "allocated"}] += up ? cpu_alloc : 0;
        cpu_count[{p, "idle"}] += up ? r.cpus_total - cpu_alloc : 0;
        cpu_count[{p, "down"}] += up ? 0 : r.cpus_total;
        if (dev_total == 0) continue;
        accel_count[{kind, p, "allocated"}] += up ? dev_alloc : 0;
        accel_count[{kind, p, "idle"}] += up ? dev_total - dev_alloc : 0;
        accel_count[{kind, p, "down"}] += up ? 0 : dev_total;
      }
      heartbeat_age.Add(
          {{"node", nodes_[i].config.name}},
          nodes_[i].last_heartbeat
              ? static_cast<double>(std::max<TimeMs>(0, now - nodes_[i].last_heartbeat)) / 1000.0
              : 0);
    }
    for (const auto& [k, n] : node_count)
      nodes.Add({{"partition", k.first}, {"state", k.second}}, n);
    for (const auto& [k, n] : cpu_count) cpus.Add({{"partition", k.first}, {"state", k.second}}, n);
    for (const auto& [k, n] : accel_count) {
      accels.Add(
          {{"kind", std::get<0>(k)}, {"partition", std::get<1>(k)}, {"state", std::get<2>(k)}}, n);
    }
    for (const auto& [kind, ai] : kind_alloc_idle) {
      double usable = ai.first + ai.second;
      ratio.Add({{"kind", kind}}, usable > 0 ? ai.first / usable : 0);
    }
  }
  for (const auto& [key, amount] : ledger_.Totals(now)) {
    metrics::Labels labels{{"account", key.account},
                           {"partition", key.partition},
                           {"kind", KindLabel(key.kind)},
                           {"tier", key.tier}};
    if (!key.kind.empty()) accel_seconds.Add(labels, amount.AcceleratorSeconds());
    cpu_seconds.Add(labels, amount.CpuSeconds());
    mem_seconds.Add(labels, amount.MemoryByteSeconds());
  }
  for (const auto& [key, amount] : ledger_.ByOutcome()) {
    const UsageKey& k = key.first;
    metrics::Labels labels{{"account", k.account},
                           {"partition", k.partition},
                           {"kind", KindLabel(k.kind)},
                           {"tier", k.tier},
                           {"outcome", key.second}};
    if (!k.kind.empty()) accel_by_outcome.Add(labels, amount.AcceleratorSeconds());
    cpu_by_outcome.Add(labels, amount.CpuSeconds());
  }
  lock.unlock();
  for (const PriceConfig& p : config_.billing.prices) {
    price.Add({{"kind", std::string(AcceleratorName(p.kind))},
               {"tier", p.tier},
               {"currency", config_.billing.currency}},
              p.per_hour);
  }
  auto info =
      Gauge("tatami_build_info", "Always 1; labels name the controller's version and cluster");
  info.Add({{"version", TATAMI_VERSION}, {"cluster", config_.cluster_name}}, 1);

  std::vector<prometheus::MetricFamily> out;
  for (auto* f :
       {&jobs, &pending, &finished, &nodes, &accels, &ratio, &cpus, &heartbeat_age, &accel_seconds,
        &cpu_seconds, &mem_seconds, &accel_by_outcome, &cpu_by_outcome, &price, &info}) {
    out.push_back(f->Take());
  }
  return out;
}

Result<v1::ReportReply> Controller::Report(const v1::ReportRequest& req) {
  TimeMs now = clock_.Now();
  TimeMs end = req.end_time() ? req.end_time() : now;
  if (end < req.start_time()) return MakeError("the report's end is before its start");
  JobQuery q;
  q.users.assign(req.users().begin(), req.users().end());
  q.accounts.assign(req.accounts().begin(), req.accounts().end());
  q.start_time = req.start_time();
  q.end_time = end;
  auto jobs = store_->Query(q);
  if (!jobs) return jobs.error();
  v1::ReportReply reply;
  reply.set_start_time(req.start_time());
  reply.set_end_time(end);
  reply.set_currency(config_.billing.currency);
  for (auto& row : SummarizeUsage(*jobs, req.start_time(), end, now))
    *reply.add_rows() = std::move(row);
  for (const PriceConfig& p : config_.billing.prices) {
    v1::Price* price = reply.add_prices();
    price->set_kind(std::string(AcceleratorName(p.kind)));
    price->set_tier(p.tier);
    price->set_per_hour(p.per_hour);
  }
  return reply;
}

}  // namespace tatami
