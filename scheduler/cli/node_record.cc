#include "scheduler/cli/node_record.h"

#include <algorithm>

#include "base/duration.h"
#include "base/hostlist.h"
#include "base/strings.h"
#include "scheduler/cli/job_fields.h"
#include "scheduler/cli/job_record.h"

namespace tatami {
namespace {

std::string State(const v1::NodeInfo& n) {
  bool busy = n.cpus_allocated() > 0 || n.accelerators_allocated() > 0;
  bool full = n.cpus_allocated() >= n.cpus() && n.accelerators_allocated() >= n.accelerators();
  switch (n.state()) {
    case v1::NODE_IDLE:
      return "IDLE";
    case v1::NODE_MIXED:
      return "MIXED";
    case v1::NODE_ALLOCATED:
      return "ALLOCATED";
    case v1::NODE_DOWN:
      return "DOWN*";
    case v1::NODE_DRAIN:
      return "IDLE+DRAIN";
    case v1::NODE_DRAINING:
      return !busy ? "IDLE+DRAIN" : full ? "ALLOCATED+DRAIN" : "MIXED+DRAIN";
    default:
      return "UNKNOWN*";
  }
}

std::string Tres(uint32_t cpus, int64_t mem_mib, const std::string& kind, uint32_t devices) {
  std::string t = "cpu=" + std::to_string(cpus) + ",mem=" + FormatMemoryMiB(mem_mib);
  if (devices > 0) t += "," + TresGresOf(kind, devices);
  return t;
}

}  // namespace

std::string ScontrolNodeRecord(const v1::NodeInfo& n, bool one_line) {
  std::string features =
      n.features().empty() ? "(null)" : Join({n.features().begin(), n.features().end()}, ",");
  std::string gres = n.accelerators() && !n.accelerator_kind().empty()
                         ? GresOf(n.accelerator_kind(), n.accelerators())
                         : "(null)";
  std::vector<std::string> lines = {
      "NodeName=" + n.name(),
      "CPUAlloc=" + std::to_string(n.cpus_allocated()) + " CPUTot=" + std::to_string(n.cpus()),
      "AvailableFeatures=" + features,
      "Gres=" + gres,
      "NodeAddr=" + (n.agent_address().empty() ? n.name() : n.agent_address()),
      "RealMemory=" + std::to_string(n.memory_mib()) +
          " AllocMem=" + std::to_string(n.memory_allocated_mib()),
      "State=" + State(n),
      "Partitions=" + Join({n.partitions().begin(), n.partitions().end()}, ","),
      "CfgTRES=" + Tres(n.cpus(), n.memory_mib(), n.accelerator_kind(), n.accelerators()),
      "AllocTRES=" + (n.cpus_allocated() || n.accelerators_allocated()
                          ? Tres(n.cpus_allocated(), n.memory_allocated_mib(), n.accelerator_kind(),
                                 n.accelerators_allocated())
                          : ""),
  };
  if (!n.reason().empty()) lines.push_back("Reason=" + n.reason());
  return LayOutRecord(lines, one_line);
}

std::string ScontrolPartitionRecord(const v1::PartitionInfo& p,
                                    const std::vector<v1::NodeInfo>& nodes, bool one_line) {
  uint64_t cpus = 0;
  for (const v1::NodeInfo& n : nodes) {
    if (std::find(p.nodes().begin(), p.nodes().end(), n.name()) != p.nodes().end())
      cpus += n.cpus();
  }
  auto limit = [](int64_t ms) { return ms > 0 ? FormatTimeLimit(ms) : std::string("UNLIMITED"); };
  std::vector<std::string> lines = {
      "PartitionName=" + p.name(),
      "Default=" + std::string(p.is_default() ? "YES" : "NO"),
      "MaxTime=" + limit(p.max_time_ms()) + " DefaultTime=" +
          (p.default_time_ms() > 0 ? FormatTimeLimit(p.default_time_ms()) : "NONE"),
      "Nodes=" + CompressHostlist({p.nodes().begin(), p.nodes().end()}),
      "State=" + std::string(p.up() ? "UP" : "DOWN") + " TotalCPUs=" + std::to_string(cpus) +
          " TotalNodes=" + std::to_string(p.nodes_size()),
  };
  return LayOutRecord(lines, one_line);
}

}  // namespace tatami
