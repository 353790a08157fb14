#include "topology/qos_config.h"

#include "topology/account_config.h"

namespace tatami::config {
namespace {

Status ParseKindLimits(const Reader& r, const YAML::Node& n, const std::string& field,
                       KindLimits& limits) {
  return ParseKindCounts(r, n, field, [&](AcceleratorKind k, uint32_t count) {
    limits[static_cast<size_t>(k)] = count;
  });
}

}  // namespace

Status ParseQos(const Reader& r, const YAML::Node& qos, ClusterConfig& c) {
  if (!qos.IsSequence()) return r.At(qos, "'qos' must be a list");
  if (qos.size() > kMaxQos) {
    return r.At(qos, "at most " + std::to_string(kMaxQos) + " qos may be configured");
  }
  for (const auto& q : qos) {
    TATAMI_CHECK(r.RequireMap(q, "a qos"));
    TATAMI_CHECK(
        r.CheckKeys(q,
                    {"name", "priority", "preempts", "grace_time", "min_runtime", "preempt_mode",
                     "above_quota", "max_jobs_per_user", "max_devices_per_user", "max_devices",
                     "max_submit_jobs_per_user", "max_time"},
                    "a qos"));
    QosConfig qc;
    if (!q["name"]) return r.At(q, "a qos needs 'name'");
    TATAMI_ASSIGN(qc.name, r.Str(q["name"], "name"));
    if (c.FindQos(qc.name)) return r.At(q["name"], "qos '" + qc.name + "' is defined twice");
    if (q["priority"]) TATAMI_ASSIGN(qc.priority, r.Int(q["priority"], "priority"));
    if (q["preempts"]) TATAMI_ASSIGN(qc.preempts, r.StrList(q["preempts"], "preempts"));
    if (q["grace_time"]) TATAMI_ASSIGN(qc.grace_time, r.Duration(q["grace_time"], "grace_time"));
    if (q["min_runtime"])
      TATAMI_ASSIGN(qc.min_runtime, r.Duration(q["min_runtime"], "min_runtime"));
    if (q["preempt_mode"])
      TATAMI_ASSIGN(qc.requeue_on_preempt,
                    r.IsFirstOf(q["preempt_mode"], "preempt_mode", "requeue", "cancel"));
    if (q["above_quota"]) TATAMI_ASSIGN(qc.above_quota, r.Str(q["above_quota"], "above_quota"));
    if (q["max_jobs_per_user"])
      TATAMI_ASSIGN(qc.max_jobs_per_user, r.UInt(q["max_jobs_per_user"], "max_jobs_per_user"));
    if (q["max_devices_per_user"]) {
      TATAMI_CHECK(ParseKindLimits(r, q["max_devices_per_user"], "max_devices_per_user",
                                   qc.max_devices_per_user));
    }
    if (q["max_devices"])
      TATAMI_CHECK(ParseKindLimits(r, q["max_devices"], "max_devices", qc.max_devices));
    if (q["max_time"]) TATAMI_ASSIGN(qc.max_time, r.TimeLimit(q["max_time"], "max_time"));
    if (q["max_submit_jobs_per_user"]) {
      TATAMI_ASSIGN(qc.max_submit_jobs_per_user,
                    r.UInt(q["max_submit_jobs_per_user"], "max_submit_jobs_per_user"));
    }
    c.qos.push_back(std::move(qc));
  }
  // Names may point forward in the list, so they are checked once all are read.
  for (size_t i = 0; i < c.qos.size(); ++i) {
    const QosConfig& q = c.qos[i];
    for (size_t k = 0; k < q.preempts.size(); ++k) {
      const std::string& victim = q.preempts[k];
      const YAML::Node& at = qos[i]["preempts"][k];
      if (victim == q.name) return r.At(at, "qos '" + q.name + "' cannot preempt itself");
      if (!c.FindQos(victim))
        return r.At(at, "qos '" + q.name + "' preempts unknown qos '" + victim + "'");
    }
    if (q.above_quota.empty()) continue;
    const YAML::Node& at = qos[i]["above_quota"];
    const QosConfig* above = c.FindQos(q.above_quota);
    if (!above || above == &q) {
      return r.At(at, "qos '" + q.name + "': above_quota names " +
                          (above ? "itself" : "unknown qos '" + q.above_quota + "'") +
                          "; want the QoS its jobs run as above their account's quota");
    }
    // One step only: what a job runs as is decided once, at its start.
    if (!above->above_quota.empty()) {
      return r.At(at, "qos '" + q.name + "': above_quota '" + q.above_quota +
                          "' has an above_quota of its own; want a QoS without one");
    }
  }
  return {};
}

Status ParseThroughput(const Reader& r, const YAML::Node& table, ClusterConfig& c) {
  if (!table.IsMap()) {
    return r.At(table,
                "'throughput' must map each job class to its speeds, such as "
                "vision: {h100: 1.0, d1: 1.3}");
  }
  for (const auto& row : table) {
    JobClassConfig jc;
    jc.name = row.first.Scalar();
    if (c.FindJobClass(jc.name))
      return r.At(row.first, "job class '" + jc.name + "' is defined twice");
    const std::string what = "throughput." + jc.name;
    TATAMI_CHECK(r.RequireMap(row.second, what));
    for (const auto& cell : row.second) {
      std::string kind_name = cell.first.Scalar();
      auto kind = ParseAcceleratorKind(kind_name);
      if (!kind) {
        return r.At(cell.first,
                    what + ": unknown accelerator '" + kind_name + "' (want h100, d1 or hw4)");
      }
      double speed;
      TATAMI_ASSIGN(speed, r.Number(cell.second, what + "." + kind_name));
      if (!(speed >= 0) || speed > 1000) {
        return r.At(cell.second, what + "." + kind_name + ": a speed is a number from 0 to 1000");
      }
      jc.speed[static_cast<size_t>(*kind)] = speed;
    }
    c.job_classes.push_back(std::move(jc));
  }
  return {};
}

}  // namespace tatami::config
