// Controller::CollectState: the gauges and billing counters a scrape sees,
// computed from the job and node tables and the usage ledger under the
// shared lock. Cost: O(pending + running jobs + nodes + billing series).
#include <algorithm>
#include <array>
#include <map>
#include <tuple>
#include <unordered_map>

#include "base/strings.h"
#include "metrics/family.h"
#include "scheduler/daemon/controller.h"
#include "scheduler/job_options.h"
#include "scheduler/job_state.h"

namespace tatami {
namespace {

using metrics::Counter;
using metrics::Gauge;

// Pending reasons are Slurm-style codes ("Resources", "Dependency"); a
// free-text reason (a requeue's cause) is not a label value: "Requeued".
const std::string kRequeued = "Requeued";
bool IsReasonCode(const std::string& reason) {
  return !reason.empty() &&
         std::all_of(reason.begin(), reason.end(), [](unsigned char c) { return std::isalnum(c); });
}

// Dense small integers for label values, so counting under the lock is an
// array or hash increment, not a string copy.
class Interner {
 public:
  int Of(const std::string& s) {
    auto it = ids_.find(s);
    if (it != ids_.end()) return it->second;
    int id = static_cast<int>(names_.size());
    names_.push_back(s);
    ids_.emplace(s, id);
    return id;
  }
  const std::string& Name(int id) const { return names_[static_cast<size_t>(id)]; }

 private:
  std::unordered_map<std::string, int> ids_;
  std::vector<std::string> names_;
};

uint64_t JobKey(uint64_t state, int a, int b) {
  return state << 42 | static_cast<uint64_t>(a) << 21 | static_cast<uint64_t>(b);
}

std::string NodeStateLabel(v1::NodeState s) {
  std::string name = v1::NodeState_Name(s);
  return ToLower(name.substr(name.find('_') + 1));  // NODE_IDLE -> idle
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
              "timeout, node_fail, preempted, requeued, moved)");
  auto cpu_by_outcome =
      Counter("tatami_cpu_seconds_by_outcome_total", "CPU-seconds of ended runs by outcome");
  auto price = Gauge("tatami_accelerator_price_per_hour",
                     "List price of one accelerator-hour by kind and tier (QoS), from the config");
  auto account_in_use =
      Gauge("tatami_account_accelerators_in_use",
            "Accelerators (Dojo: tiles) an account's running jobs hold, sub-accounts' included; "
            "kinds it has a quota, a borrow limit or jobs on");
  auto account_quota = Gauge("tatami_account_accelerator_quota",
                             "Accelerators guaranteed to an account (its quota), from the config");
  auto account_borrow =
      Gauge("tatami_account_accelerator_borrow_limit",
            "Most accelerators an account may hold above its quota, where the config sets one");
  auto qos_in_use = Gauge("tatami_qos_accelerators_in_use",
                          "Accelerators (Dojo: tiles) the running jobs of a QoS hold, all users "
                          "together; kinds the QoS limits");
  auto qos_limit = Gauge("tatami_qos_accelerator_limit",
                         "Most accelerators the running jobs of a QoS may hold together "
                         "(max_devices), where the config sets one");
  auto qos_user_limit = Gauge("tatami_qos_accelerator_limit_per_user",
                              "Most accelerators one user's running jobs of a QoS may hold "
                              "(max_devices_per_user), where the config sets one");
  auto account_fair_share =
      Gauge("tatami_account_fair_share",
            "An account's fair-share priority factor, 2^(-usage share / shares): 1 unused, 0.5 "
            "at its share");

  // Under the shared lock only counting happens, into arrays indexed by
  // interned label values; label strings and families are built after.
  Interner partitions, accounts, reasons;
  for (const PartitionConfig& p : config_.partitions) partitions.Of(p.name);
  std::unordered_map<uint64_t, double> job_count;      // JobKey(state, partition, account)
  std::unordered_map<uint64_t, double> pending_count;  // JobKey(0, partition, reason)
  const size_t np = config_.partitions.size();
  // [partition][node state], [partition][allocated, idle, down]
  std::vector<std::array<double, v1::NodeState_ARRAYSIZE>> node_count(np);
  std::vector<std::array<double, 3>> cpu_count(np);
  std::map<AcceleratorKind, std::vector<std::array<double, 3>>> accel_count;
  std::map<AcceleratorKind, std::pair<double, double>> kind_alloc_idle;
  std::vector<TimeMs> heartbeats(nodes_.size());
  std::map<std::tuple<JobState, std::string, std::string>, uint64_t> finished_copy;
  std::map<UsageKey, UsageAmount> totals;
  std::map<UsageLedger::OutcomeKey, UsageAmount> by_outcome;
  std::vector<Holding> holdings;
  FairShareUsage past_usage;
  {
    std::shared_lock lock(mu_);
    for (uint64_t id : pending_ids_) {
      const v1::JobInfo& job = jobs_.at(id);
      int p = partitions.Of(job.spec().partition());
      ++job_count[JobKey(0, p, accounts.Of(job.spec().account()))];
      ++pending_count[JobKey(0, p,
                             reasons.Of(IsReasonCode(job.reason()) ? job.reason() : kRequeued))];
    }
    for (uint64_t id : active_ids_) {
      const v1::JobInfo& job = jobs_.at(id);
      int state = job.state() == v1::RUNNING ? 1 : 2;
      ++job_count[JobKey(state, partitions.Of(RunPartition(job)),
                         accounts.Of(job.spec().account()))];
      if (auto h = HoldingOfLocked(job)) holdings.push_back(*h);
    }
    finished_copy = finished_;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      const NodeResources& r = resources_[i];
      bool up = Usable(nodes_[i].state);
      double dev_total = r.DevicesTotal(), dev_alloc = dev_total - r.DevicesFree();
      double cpu_alloc = r.cpus_total - r.cpus_free;
      std::array<double, 3> cpu{up ? cpu_alloc : 0, up ? r.cpus_total - cpu_alloc : 0,
                                up ? 0 : static_cast<double>(r.cpus_total)};
      std::array<double, 3> dev{up ? dev_alloc : 0, up ? dev_total - dev_alloc : 0,
                                up ? 0 : dev_total};
      if (dev_total > 0) {
        auto& ai = kind_alloc_idle[r.accel_kind];
        ai.first += dev[0];
        ai.second += dev[1];
      }
      for (const std::string& name : r.partitions) {
        size_t p = static_cast<size_t>(partitions.Of(name));
        if (p >= np) continue;
        ++node_count[p][ShownStateLocked(i)];
        for (int s = 0; s < 3; ++s) cpu_count[p][s] += cpu[s];
        if (dev_total == 0) continue;
        auto& by_part = accel_count[r.accel_kind];
        by_part.resize(np);
        for (int s = 0; s < 3; ++s) by_part[p][s] += dev[s];
      }
      heartbeats[i] = nodes_[i].last_heartbeat;
    }
    totals = ledger_.Totals(now);
    by_outcome = ledger_.ByOutcome();
    past_usage = fair_share_usage_;
  }

  const char* kJobStates[] = {"pending", "running", "completing"};
  for (const auto& [key, n] : job_count) {
    jobs.Add({{"state", kJobStates[key >> 42]},
              {"partition", partitions.Name(static_cast<int>((key >> 21) & 0x1fffff))},
              {"account", accounts.Name(static_cast<int>(key & 0x1fffff))}},
             n);
  }
  for (const auto& [key, n] : pending_count) {
    pending.Add({{"partition", partitions.Name(static_cast<int>((key >> 21) & 0x1fffff))},
                 {"reason", reasons.Name(static_cast<int>(key & 0x1fffff))}},
                n);
  }
  for (const auto& [k, n] : finished_copy) {
    finished.Add({{"state", ToLower(StateName(std::get<0>(k)))},
                  {"partition", std::get<1>(k)},
                  {"account", std::get<2>(k)}},
                 static_cast<double>(n));
  }
  // Every (partition, state) and (kind, partition, state) is exported,
  // zeros included, so dashboards never see a series vanish.
  const char* kShareStates[] = {"allocated", "idle", "down"};
  for (size_t p = 0; p < np; ++p) {
    const std::string& part = config_.partitions[p].name;
    for (int s = v1::NODE_UNKNOWN; s <= v1::NODE_DRAINING; ++s) {
      nodes.Add({{"partition", part}, {"state", NodeStateLabel(static_cast<v1::NodeState>(s))}},
                node_count[p][s]);
    }
    for (int s = 0; s < 3; ++s)
      cpus.Add({{"partition", part}, {"state", kShareStates[s]}}, cpu_count[p][s]);
    for (const auto& [kind, by_part] : accel_count) {
      bool has = by_part[p][0] + by_part[p][1] + by_part[p][2] > 0;
      for (int s = 0; s < 3 && has; ++s) {
        accels.Add({{"kind", std::string(AcceleratorName(kind))},
                    {"partition", part},
                    {"state", kShareStates[s]}},
                   by_part[p][s]);
      }
    }
  }
  for (const auto& [kind, ai] : kind_alloc_idle) {
    double usable = ai.first + ai.second;
    ratio.Add({{"kind", std::string(AcceleratorName(kind))}}, usable > 0 ? ai.first / usable : 0);
  }
  for (size_t i = 0; i < heartbeats.size(); ++i) {
    double age =
        heartbeats[i] ? static_cast<double>(std::max<TimeMs>(0, now - heartbeats[i])) / 1000 : 0;
    heartbeat_age.Add({{"node", config_.nodes[i].name}}, age);
  }
  for (const auto& [key, amount] : totals) {
    metrics::Labels labels{{"account", key.account},
                           {"partition", key.partition},
                           {"kind", KindLabel(key.kind)},
                           {"tier", key.tier}};
    if (!key.kind.empty()) accel_seconds.Add(labels, amount.AcceleratorSeconds());
    cpu_seconds.Add(labels, amount.CpuSeconds());
    mem_seconds.Add(labels, amount.MemoryByteSeconds());
  }
  for (const auto& [key, amount] : by_outcome) {
    const UsageKey& k = key.first;
    metrics::Labels labels{{"account", k.account},
                           {"partition", k.partition},
                           {"kind", KindLabel(k.kind)},
                           {"tier", k.tier},
                           {"outcome", key.second}};
    if (!k.kind.empty()) accel_by_outcome.Add(labels, amount.AcceleratorSeconds());
    cpu_by_outcome.Add(labels, amount.CpuSeconds());
  }
  for (const PriceConfig& p : config_.billing.prices) {
    price.Add({{"kind", std::string(AcceleratorName(p.kind))},
               {"tier", p.tier},
               {"currency", config_.billing.currency}},
              p.per_hour);
  }
  for (const v1::AccountStanding& a :
       AccountStandings(*accounts_, UsageWithRunning(past_usage, accounts_->size(), holdings, now),
                        BooksOf(accounts_, holdings))) {
    account_fair_share.Add({{"account", a.account()}}, a.fair_share());
    for (const v1::DeviceStanding& d : a.devices()) {
      metrics::Labels labels{{"account", a.account()}, {"kind", d.kind()}};
      account_in_use.Add(labels, d.in_use());
      if (d.quota() > 0) account_quota.Add(labels, d.quota());
      if (d.borrow() >= 0) account_borrow.Add(labels, static_cast<double>(d.borrow()));
    }
  }
  for (const v1::QosInfo& q : QosStandings(config_.qos, holdings, std::nullopt)) {
    auto labels = [&](const v1::DeviceCount& d) {
      return metrics::Labels{{"qos", q.name()}, {"kind", d.kind()}};
    };
    for (const v1::DeviceCount& d : q.devices_in_use()) qos_in_use.Add(labels(d), d.count());
    for (const v1::DeviceCount& d : q.max_devices()) qos_limit.Add(labels(d), d.count());
    for (const v1::DeviceCount& d : q.max_devices_per_user())
      qos_user_limit.Add(labels(d), d.count());
  }
  auto unwritten = Gauge("tatami_store_unwritten_jobs",
                         "Jobs whose latest change the job store failed to write; each "
                         "scheduling cycle writes them again");
  unwritten.Add({}, static_cast<double>(unwritten_ids_.size()));
  auto info =
      Gauge("tatami_build_info", "Always 1; labels name the controller's version and cluster");
  info.Add({{"version", TATAMI_VERSION}, {"cluster", config_.cluster_name}}, 1);

  std::vector<prometheus::MetricFamily> out;
  for (auto* f : {&jobs,
                  &pending,
                  &finished,
                  &nodes,
                  &accels,
                  &ratio,
                  &cpus,
                  &heartbeat_age,
                  &accel_seconds,
                  &cpu_seconds,
                  &mem_seconds,
                  &accel_by_outcome,
                  &cpu_by_outcome,
                  &price,
                  &account_in_use,
                  &account_quota,
                  &account_borrow,
                  &account_fair_share,
                  &qos_in_use,
                  &qos_limit,
                  &qos_user_limit,
                  &unwritten,
                  &info}) {
    out.push_back(f->Take());
  }
  return out;
}

}  // namespace tatami
