#include "topology/cluster_config.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "base/files.h"
#include "base/strings.h"
#include "topology/account_config.h"
#include "topology/config_reader.h"
#include "topology/fabric_config.h"
#include "topology/metrics_config.h"
#include "topology/qos_config.h"

namespace tatami {
namespace {

using config::Reader;

Result<std::vector<NodeConfig>> ParseNodeGroup(const Reader& r, const YAML::Node& n) {
  TATAMI_CHECK(r.RequireMap(n, "a node entry"));
  TATAMI_CHECK(
      r.CheckKeys(n, {"name", "accelerators", "cpus", "memory", "topology", "features", "agent"},
                  "a node entry"));
  if (!n["name"]) return r.At(n, "a node entry needs 'name' (a node name or hostlist)");
  NodeConfig base;
  std::vector<std::string> names;
  TATAMI_ASSIGN(names, r.Hosts(n["name"], "name"));
  if (const auto& a = n["accelerators"]) {
    TATAMI_CHECK(r.RequireMap(a, "accelerators"));
    TATAMI_CHECK(r.CheckKeys(a, {"kind", "count"}, "accelerators"));
    if (!a["kind"] || !a["count"]) return r.At(a, "accelerators needs 'kind' and 'count'");
    std::string kind;
    TATAMI_ASSIGN(kind, r.Str(a["kind"], "accelerators.kind"));
    auto k = ParseAcceleratorKind(kind);
    if (!k)
      return r.At(a["kind"],
                  "accelerators.kind: unknown kind '" + kind + "' (expected h100, d1 or hw4)");
    base.accelerator_kind = *k;
    TATAMI_ASSIGN(base.accelerators, r.UInt(a["count"], "accelerators.count"));
    if (base.accelerators == 0 || base.accelerators > 64) {
      return r.At(a["count"], "accelerators.count: expected 1 to 64");
    }
  }
  if (n["cpus"]) TATAMI_ASSIGN(base.cpus, r.UInt(n["cpus"], "cpus"));
  if (n["memory"]) TATAMI_ASSIGN(base.memory_mib, r.Memory(n["memory"], "memory"));
  if (n["topology"]) TATAMI_ASSIGN(base.topology, r.Str(n["topology"], "topology"));
  if (n["features"]) TATAMI_ASSIGN(base.features, r.StrList(n["features"], "features"));
  if (n["agent"]) TATAMI_ASSIGN(base.agent, r.Str(n["agent"], "agent"));
  if (base.topology.empty() && base.cpus == 0) {
    return r.At(n, "node '" + names.front() + "' needs 'cpus' or a 'topology' to read them from");
  }
  std::vector<NodeConfig> out;
  for (const std::string& name : names) {
    NodeConfig c = base;
    c.name = name;
    if (c.agent.empty()) c.agent = name;
    out.push_back(std::move(c));
  }
  return out;
}

Result<PartitionConfig> ParsePartition(const Reader& r, const YAML::Node& n) {
  TATAMI_CHECK(r.RequireMap(n, "a partition"));
  TATAMI_CHECK(r.CheckKeys(
      n,
      {"name", "nodes", "default", "max_time", "default_time", "default_mem_per_cpu", "priority"},
      "a partition"));
  PartitionConfig p;
  if (!n["name"] || !n["nodes"]) return r.At(n, "a partition needs 'name' and 'nodes'");
  TATAMI_ASSIGN(p.name, r.Str(n["name"], "name"));
  TATAMI_ASSIGN(p.nodes, r.Hosts(n["nodes"], "nodes"));
  if (n["default"]) TATAMI_ASSIGN(p.is_default, r.Bool(n["default"], "default"));
  if (n["max_time"]) TATAMI_ASSIGN(p.max_time, r.TimeLimit(n["max_time"], "max_time"));
  if (n["default_time"])
    TATAMI_ASSIGN(p.default_time, r.TimeLimit(n["default_time"], "default_time"));
  if (n["default_mem_per_cpu"]) {
    TATAMI_ASSIGN(p.default_mem_per_cpu_mib,
                  r.Memory(n["default_mem_per_cpu"], "default_mem_per_cpu"));
  }
  if (n["priority"]) TATAMI_ASSIGN(p.priority, r.UInt(n["priority"], "priority"));
  return p;
}

// `rebalance: off`, or a map of RebalanceConfig's thresholds.
Status ParseRebalance(const Reader& r, const YAML::Node& n, RebalanceConfig& rb) {
  if (n.IsScalar()) {
    if (n.Scalar() != "off") return r.At(n, "rebalance: want off or a map");
    rb.enabled = false;
    return {};
  }
  TATAMI_CHECK(r.RequireMap(n, "rebalance"));
  TATAMI_CHECK(
      r.CheckKeys(n, {"min_wait", "min_remaining", "min_relative_speed", "jobs"}, "rebalance"));
  if (n["jobs"])
    TATAMI_ASSIGN(rb.only_uncontended,
                  r.IsFirstOf(n["jobs"], "rebalance.jobs", "uncontended", "any"));
  if (n["min_wait"]) TATAMI_ASSIGN(rb.min_wait, r.Duration(n["min_wait"], "rebalance.min_wait"));
  if (n["min_remaining"])
    TATAMI_ASSIGN(rb.min_remaining, r.Duration(n["min_remaining"], "rebalance.min_remaining"));
  if (const auto& speed = n["min_relative_speed"]) {
    TATAMI_ASSIGN(rb.min_relative_speed, r.Number(speed, "rebalance.min_relative_speed"));
    if (!(rb.min_relative_speed > 0 && rb.min_relative_speed < 1))
      return r.At(speed, "rebalance.min_relative_speed: want a number between 0 and 1");
  }
  if (rb.min_remaining <= 0)
    return r.At(n, "rebalance.min_remaining: want more than 0 (or rebalance: off)");
  return {};
}

Status ParseTop(const Reader& r, const YAML::Node& root, ClusterConfig& c) {
  TATAMI_CHECK(r.RequireMap(root, "the config"));
  TATAMI_CHECK(r.CheckKeys(
      root,
      {"cluster_name", "controller", "timing", "nodes", "partitions", "accounts", "default_account",
       "qos", "max_array_size", "backfill_max_jobs", "job_environment", "fabric", "metrics",
       "billing", "priority", "throughput", "private_data", "rebalance"},
      "the config"));
  if (root["cluster_name"])
    TATAMI_ASSIGN(c.cluster_name, r.Str(root["cluster_name"], "cluster_name"));
  if (root["max_array_size"])
    TATAMI_ASSIGN(c.max_array_size, r.UInt(root["max_array_size"], "max_array_size"));
  if (const auto& bf = root["backfill_max_jobs"]) {
    TATAMI_ASSIGN(c.backfill_max_jobs, r.UInt(bf, "backfill_max_jobs"));
    if (c.backfill_max_jobs == 0) {
      return r.At(bf,
                  "backfill_max_jobs: want at least 1 (with no job planned, backfill could pass "
                  "a blocked job forever)");
    }
  }
  if (const auto& rb = root["rebalance"]) TATAMI_CHECK(ParseRebalance(r, rb, c.rebalance));
  if (const auto& env = root["job_environment"]) {
    TATAMI_CHECK(r.RequireMap(env, "job_environment"));
    for (const auto& kv : env) {
      std::string key = kv.first.Scalar(), value;
      TATAMI_ASSIGN(value, r.Str(kv.second, "job_environment." + key));
      c.job_environment.emplace_back(key, value);
    }
  }
  if (const auto& hidden = root["private_data"]) {
    std::vector<std::string> what;
    TATAMI_ASSIGN(what, r.StrList(hidden, "private_data"));
    for (const std::string& w : what) {
      if (w == "jobs") {
        c.private_data.jobs = true;
      } else if (w == "usage") {
        c.private_data.usage = true;
      } else {
        return r.At(hidden, "private_data: unknown '" + w + "' (expected jobs or usage)");
      }
    }
  }
  if (const auto& ctl = root["controller"]) {
    TATAMI_CHECK(r.RequireMap(ctl, "controller"));
    TATAMI_CHECK(r.CheckKeys(ctl, {"address"}, "controller"));
    if (ctl["address"])
      TATAMI_ASSIGN(c.controller_address, r.Str(ctl["address"], "controller.address"));
  }
  if (const auto& t = root["timing"]) {
    TATAMI_CHECK(r.RequireMap(t, "timing"));
    TATAMI_CHECK(r.CheckKeys(t, {"heartbeat_interval", "node_timeout", "kill_wait", "min_job_age"},
                             "timing"));
    if (t["heartbeat_interval"])
      TATAMI_ASSIGN(c.heartbeat_interval,
                    r.Duration(t["heartbeat_interval"], "timing.heartbeat_interval"));
    if (t["node_timeout"])
      TATAMI_ASSIGN(c.node_timeout, r.Duration(t["node_timeout"], "timing.node_timeout"));
    if (t["kill_wait"]) TATAMI_ASSIGN(c.kill_wait, r.Duration(t["kill_wait"], "timing.kill_wait"));
    if (t["min_job_age"])
      TATAMI_ASSIGN(c.min_job_age, r.Duration(t["min_job_age"], "timing.min_job_age"));
    if (c.node_timeout <= c.heartbeat_interval) {
      return r.At(t, "timing.node_timeout must be longer than timing.heartbeat_interval");
    }
  }
  const YAML::Node& nodes = root["nodes"];
  if (!nodes || !nodes.IsSequence() || nodes.size() == 0) {
    return r.At(nodes ? nodes : root, "'nodes' must be a non-empty list of node entries");
  }
  std::set<std::string> seen;
  for (const auto& n : nodes) {
    std::vector<NodeConfig> group;
    TATAMI_ASSIGN(group, ParseNodeGroup(r, n));
    for (auto& node : group) {
      if (!seen.insert(node.name).second)
        return r.At(n, "node '" + node.name + "' is defined twice");
      c.nodes.push_back(std::move(node));
    }
  }
  const YAML::Node& parts = root["partitions"];
  if (!parts || !parts.IsSequence() || parts.size() == 0) {
    return r.At(parts ? parts : root, "'partitions' must be a non-empty list");
  }
  for (const auto& p : parts) {
    PartitionConfig part;
    TATAMI_ASSIGN(part, ParsePartition(r, p));
    for (const auto& name : part.nodes) {
      if (!seen.count(name))
        return r.At(p["nodes"], "partition '" + part.name + "' names unknown node '" + name + "'");
    }
    if (c.FindPartition(part.name))
      return r.At(p, "partition '" + part.name + "' is defined twice");
    c.partitions.push_back(std::move(part));
  }
  int defaults = 0;
  for (const auto& p : c.partitions) defaults += p.is_default;
  if (defaults > 1) return r.At(parts, "more than one partition is marked default: true");
  if (defaults == 0) c.partitions.front().is_default = true;

  if (const auto& accts = root["accounts"]) TATAMI_CHECK(config::ParseAccounts(r, accts, c));
  if (const auto& d = root["default_account"]) TATAMI_CHECK(config::ParseDefaultAccount(r, d, c));
  if (const auto& prio = root["priority"]) TATAMI_CHECK(config::ParsePriority(r, prio, c));
  if (const auto& qos = root["qos"]) TATAMI_CHECK(config::ParseQos(r, qos, c));
  if (const auto& t = root["throughput"]) TATAMI_CHECK(config::ParseThroughput(r, t, c));
  if (const auto& fabric = root["fabric"]) TATAMI_CHECK(config::ParseFabric(r, fabric, c));
  if (const auto& m = root["metrics"]) TATAMI_CHECK(config::ParseMetrics(r, m, c));
  if (const auto& b = root["billing"]) TATAMI_CHECK(config::ParseBilling(r, b, c));
  return {};
}

}  // namespace

Result<ClusterConfig> ParseClusterConfig(const std::string& yaml_text, const std::string& origin) {
  Reader r(origin);
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::ParserException& e) {
    return MakeError(origin + ":" + std::to_string(e.mark.line + 1) + ":" +
                     std::to_string(e.mark.column + 1) + ": YAML syntax error: " + e.msg);
  }
  ClusterConfig c;
  c.path = origin;
  try {
    if (Status s = ParseTop(r, root, c); !s.ok()) return s.error();
  } catch (const YAML::Exception& e) {
    return MakeError(origin + ":" + std::to_string(e.mark.line + 1) + ":" +
                     std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  return c;
}

Result<ClusterConfig> LoadClusterConfig(const std::string& path) {
  Result<std::string> text = ReadFileContents(path, "the cluster config file");
  if (!text) return text.error();
  auto c = ParseClusterConfig(*text, path);
  if (c.ok()) c->path = std::filesystem::absolute(path).string();
  return c;
}

const NodeConfig* ClusterConfig::FindNode(std::string_view name) const {
  for (const auto& n : nodes)
    if (n.name == name) return &n;
  return nullptr;
}
const PartitionConfig* ClusterConfig::FindPartition(std::string_view name) const {
  for (const auto& p : partitions)
    if (p.name == name) return &p;
  return nullptr;
}
const PartitionConfig* ClusterConfig::DefaultPartition() const {
  for (const auto& p : partitions)
    if (p.is_default) return &p;
  return partitions.empty() ? nullptr : &partitions.front();
}
const AccountConfig* ClusterConfig::FindAccount(std::string_view name) const {
  for (const auto& a : accounts)
    if (a.name == name) return &a;
  return nullptr;
}
std::string ClusterConfig::DefaultAccountOf(std::string_view user) const {
  for (const auto& a : accounts) {
    if (std::find(a.users.begin(), a.users.end(), user) != a.users.end()) return a.name;
  }
  return default_account;
}

const JobClassConfig* ClusterConfig::FindJobClass(std::string_view name) const {
  for (const auto& jc : job_classes)
    if (jc.name == name) return &jc;
  return nullptr;
}

const QosConfig* ClusterConfig::FindQos(std::string_view name) const {
  for (const auto& q : qos)
    if (q.name == name) return &q;
  return nullptr;
}
std::string ClusterConfig::ResolvePath(const std::string& p) const {
  if (p.empty() || p[0] == '/') return p;
  return (std::filesystem::path(path).parent_path() / p).string();
}

}  // namespace tatami
