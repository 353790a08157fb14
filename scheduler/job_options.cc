#include "scheduler/job_options.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string_view>
#include <unordered_map>

#include "base/strings.h"

namespace tatami {
namespace {

bool PartitionHas(const LargestNodes& largest, const std::string& partition,
                  const std::string& kind) {
  auto it = largest.find(partition);
  if (it == largest.end()) return false;
  for (const auto& [k, most] : it->second) {
    if (most > 0 && MatchesRequest(k, kind)) return true;
  }
  return false;
}

// Devices a shape asks for on the whole job, counting -N for per-node shapes.
uint32_t TotalDevices(const v1::AcceleratorRequest& a, uint32_t nodes) {
  return a.total() ? a.total() : a.per_node() * std::max<uint32_t>(1, nodes);
}

// The kind a request names, "gpu" read as the only GPU kind there is.
std::optional<AcceleratorKind> KindOf(const std::string& requested) {
  return ParseAcceleratorKind(requested == "gpu" ? "h100" : requested);
}

}  // namespace

LargestNodes LargestNodesOf(const ClusterConfig& config) {
  std::unordered_map<std::string_view, const NodeConfig*> by_name;
  for (const NodeConfig& n : config.nodes) by_name[n.name] = &n;
  LargestNodes largest;
  for (const PartitionConfig& p : config.partitions) {
    for (const std::string& name : p.nodes) {
      auto it = by_name.find(name);
      if (it == by_name.end()) continue;
      uint32_t& most = largest[p.name][it->second->accelerator_kind];
      most = std::max(most, it->second->accelerators);
    }
  }
  return largest;
}

namespace {

// The job class's alternatives (ResolveJobOptions says which).
Status AddClassOptions(v1::JobSpec& spec, const ClusterConfig& config,
                       const std::function<std::string(const std::string&)>& partition_for) {
  if (spec.job_class().empty()) return {};
  const JobClassConfig* job_class = config.FindJobClass(spec.job_class());
  if (!job_class) {
    std::vector<std::string> names;
    for (const auto& c : config.job_classes) names.push_back(c.name);
    return MakeError("--job-class: unknown class '" + spec.job_class() + "' (the config's " +
                     "throughput table has: " + (names.empty() ? "none" : Join(names, ", ")) + ")");
  }
  auto main_kind = KindOf(spec.accelerators().kind());
  if (!main_kind) return MakeError("--job-class needs an accelerator request, such as --gpus=8");
  double main_speed = job_class->speed[static_cast<size_t>(*main_kind)];
  if (main_speed <= 0) {
    return MakeError("--job-class=" + spec.job_class() +
                     ": the throughput table has no speed for " +
                     std::string(AcceleratorName(*main_kind)) + ", the job's request");
  }
  double equivalents =
      TotalDevices(spec.accelerators(), spec.nodes()) * H100Equivalents(*main_kind);
  for (size_t k = 0; k < kAcceleratorKinds; ++k) {
    auto kind = static_cast<AcceleratorKind>(k);
    std::string name(AcceleratorName(kind));
    if (kind == *main_kind || job_class->speed[k] <= 0) continue;
    bool listed = false;
    for (const auto& option : spec.accelerator_options())
      listed |= KindOf(option.accelerators().kind()) == kind;
    std::string partition = partition_for(name);
    if (listed || partition.empty()) continue;  // the user's own choice wins
    v1::AcceleratorOption& option = *spec.add_accelerator_options();
    option.mutable_accelerators()->set_kind(name);
    option.mutable_accelerators()->set_total(
        static_cast<uint32_t>(std::max(1.0, std::ceil(equivalents / H100Equivalents(kind)))));
    option.set_speed(job_class->speed[k] / main_speed);
    option.set_partition(partition);
    option.set_from_class(true);
  }
  return {};
}

// With -p a,b, every option (the request and each alternative) may also
// run in each other listed partition that has its kind, at the same speed:
// the job starts in whichever has room first, as Slurm's does.
void AddPartitionListOptions(v1::JobSpec& spec, const std::vector<std::string>& listed,
                             const LargestNodes& largest) {
  struct Shape {
    v1::AcceleratorRequest accelerators;
    double speed;
    std::string partition;
  };
  std::vector<Shape> shapes = {{spec.accelerators(), 1.0, spec.partition()}};
  for (const auto& o : spec.accelerator_options())
    shapes.push_back({o.accelerators(), o.speed(), o.partition()});
  auto known = [&](const v1::AcceleratorRequest& a, const std::string& partition) {
    for (const Shape& s : shapes) {
      if (s.partition == partition && s.accelerators.SerializeAsString() == a.SerializeAsString())
        return true;
    }
    return false;
  };
  size_t originals = shapes.size();
  for (size_t i = 0; i < originals; ++i) {
    Shape shape = shapes[i];
    const std::string& kind = shape.accelerators.kind();
    for (const std::string& partition : listed) {
      if (!kind.empty() && !PartitionHas(largest, partition, kind)) continue;
      if (known(shape.accelerators, partition)) continue;
      v1::AcceleratorOption& option = *spec.add_accelerator_options();
      *option.mutable_accelerators() = shape.accelerators;
      option.set_speed(shape.speed);
      option.set_partition(partition);
      option.set_from_partition_list(true);
      shapes.push_back({shape.accelerators, shape.speed, partition});
    }
  }
}

}  // namespace

Status ResolveJobOptions(v1::JobSpec& spec, const ClusterConfig& config,
                         const LargestNodes& largest) {
  // The partitions the job may use, its main one first: those it listed
  // (-p h100,dojo), or else every partition.
  spec.set_partitions_listed(spec.partition());
  std::vector<std::string> allowed = Split(spec.partition(), ',');
  if (spec.partition().empty()) allowed.clear();
  size_t listed_partitions = allowed.size();
  for (const std::string& name : allowed) {
    if (!config.FindPartition(name)) {
      std::vector<std::string> names;
      for (const auto& p : config.partitions) names.push_back(p.name);
      return MakeError("invalid partition '" + name + "' (partitions: " + Join(names, ", ") + ")");
    }
  }
  std::string main = allowed.empty() ? config.DefaultPartition()->name : allowed.front();
  for (const std::string& name : allowed) {
    if (spec.accelerators().kind().empty()) break;
    if (PartitionHas(largest, name, spec.accelerators().kind())) {
      main = name;
      break;
    }
  }
  if (allowed.empty()) {
    for (const auto& p : config.partitions) allowed.push_back(p.name);
  }
  std::stable_partition(allowed.begin(), allowed.end(),
                        [&](const std::string& name) { return name == main; });
  spec.set_partition(main);

  auto partition_for = [&](const std::string& kind) -> std::string {
    for (const std::string& name : allowed) {
      if (PartitionHas(largest, name, kind)) return name;
    }
    return "";
  };
  for (int i = 0; i < spec.accelerator_options_size(); ++i) {
    v1::AcceleratorOption& option = *spec.mutable_accelerator_options(i);
    const std::string& kind = option.accelerators().kind();
    // The CLI checks this too; other clients speak the protocol directly.
    if (!(option.speed() > 0) || option.speed() > 1000) {
      return MakeError("alternative " + DescribeShape(option.accelerators()) +
                       ": a speed is a number above 0 and at most 1000, not " +
                       std::to_string(option.speed()));
    }
    if (!option.partition().empty()) {
      // The CLI leaves it to us; another client may name one the job may use.
      if (std::find(allowed.begin(), allowed.end(), option.partition()) == allowed.end() ||
          !PartitionHas(largest, option.partition(), kind)) {
        return MakeError("alternative " + DescribeShape(option.accelerators()) + ": partition '" +
                         option.partition() + "' is not one the job may use (" +
                         Join(allowed, ",") + ") that has " + kind);
      }
      continue;
    }
    option.set_partition(partition_for(kind));
    if (option.partition().empty()) {
      std::vector<std::string> with_kind;
      for (const auto& p : config.partitions)
        if (PartitionHas(largest, p.name, kind)) with_kind.push_back(p.name);
      return MakeError("alternative " + DescribeShape(option.accelerators()) +
                       ": no partition the job may use (" + Join(allowed, ",") + ") has " + kind +
                       (with_kind.empty()
                            ? ""
                            : "; list one with -p, such as -p " + main + "," + with_kind.front()));
    }
  }

  if (Status s = AddClassOptions(spec, config, partition_for); !s.ok()) return s;
  if (listed_partitions > 1) AddPartitionListOptions(spec, allowed, largest);
  return {};
}

Result<uint32_t> ParseNodeCount(std::string_view text, std::string_view what) {
  return ParseCount(text.substr(0, text.find('-')), what);
}

Status ParseConstraint(std::string_view text, std::string_view what, v1::JobSpec& spec) {
  std::string given(text);
  if (given.find_first_of("|[]*") != std::string::npos) {
    return MakeError(std::string(what) + ": only AND (&) of features is supported, not '" + given +
                     "'");
  }
  spec.clear_constraints();
  if (given.empty()) return {};
  for (const auto& f : Split(given, '&')) {
    if (f.empty()) return MakeError(std::string(what) + ": empty feature in '" + given + "'");
    spec.add_constraints(f);
  }
  return {};
}

void MoveToPartitions(v1::JobSpec& spec, const std::string& partitions) {
  auto* options = spec.mutable_accelerator_options();
  options->erase(std::remove_if(options->begin(), options->end(),
                                [](const v1::AcceleratorOption& o) {
                                  return o.from_class() || o.from_partition_list();
                                }),
                 options->end());
  for (v1::AcceleratorOption& o : *options) o.clear_partition();
  spec.set_partition(partitions);
}

v1::JobSpec SpecForOption(const v1::JobSpec& spec, size_t option) {
  v1::JobSpec out = spec;
  if (option == 0 || option > size_t(spec.accelerator_options_size())) return out;
  const v1::AcceleratorOption& o = spec.accelerator_options(int(option) - 1);
  *out.mutable_accelerators() = o.accelerators();
  out.set_partition(o.partition());
  return out;
}

std::string PartitionsOf(const v1::JobInfo& job) {
  if (!job.partition().empty()) return job.partition();
  std::vector<std::string> names = {job.spec().partition()};
  for (const auto& o : job.spec().accelerator_options()) {
    if (std::find(names.begin(), names.end(), o.partition()) == names.end())
      names.push_back(o.partition());
  }
  return Join(names, ",");
}

std::string DescribeShape(const v1::AcceleratorRequest& shape) {
  if (shape.kind().empty() && shape.total() == 0 && shape.per_node() == 0) return "no accelerators";
  std::string kind = shape.kind().empty() ? "gpu" : shape.kind();
  if (shape.total()) return kind + ":" + std::to_string(shape.total());
  return kind + ":" + std::to_string(shape.per_node()) + " per node";
}

std::string FormatSpeed(double speed) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.3gx", speed);
  return buf;
}

const std::string& RunPartition(const v1::JobInfo& job) {
  return job.partition().empty() ? job.spec().partition() : job.partition();
}

const std::string& RunQos(const v1::JobInfo& job) {
  return job.qos().empty() ? job.spec().qos() : job.qos();
}

}  // namespace tatami
