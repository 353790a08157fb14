#include "scheduler/resource_request.h"

#include <algorithm>

#include "base/hostlist.h"
#include "base/strings.h"

namespace tatami {
namespace {

uint32_t CeilDiv(uint32_t a, uint32_t b) {
  return (a + b - 1) / b;
}

}  // namespace

Result<ResourceRequest> MakeResourceRequest(const v1::JobSpec& spec,
                                            const PartitionConfig& partition,
                                            uint32_t max_accel_per_node) {
  ResourceRequest r;
  r.partition = partition.name;
  r.exclusive = spec.exclusive();
  r.features.assign(spec.constraints().begin(), spec.constraints().end());

  const v1::AcceleratorRequest& acc = spec.accelerators();
  uint32_t nodes = spec.nodes();
  if (nodes == 0 && max_accel_per_node > 0 && acc.total() > max_accel_per_node &&
      acc.kind() != "d1") {
    // --gpus=16 alone: whole NVLink domains (nodes) first, then spread.
    nodes = CeilDiv(acc.total(), max_accel_per_node);
  }
  if (nodes == 0) {
    nodes = spec.ntasks_per_node() && spec.ntasks() ? CeilDiv(spec.ntasks(), spec.ntasks_per_node())
                                                    : 1;
  }
  r.nodes = std::max<uint32_t>(1, nodes);
  if (acc.kind() == "d1") {
    // Tiles are one rectangle on the mesh; how many tray hosts it covers is
    // placement's business, so -N only multiplies a per-node tile count.
    r.tiles = acc.total() ? acc.total() : acc.per_node() * r.nodes;
    r.nodes = 1;
  }
  if (acc.kind() == "hw4" && r.nodes > 1) {
    return MakeError("-N/--nodes=" + std::to_string(r.nodes) +
                     ": hw4 boards never run one job across hosts (their links are slow); "
                     "use --array for many independent boards");
  }
  if (spec.ntasks()) {
    if (spec.ntasks() < r.nodes) {
      return MakeError("-n/--ntasks=" + std::to_string(spec.ntasks()) +
                       " is fewer than -N/--nodes=" + std::to_string(r.nodes) +
                       " (every node needs at least one task)");
    }
    r.tasks = spec.ntasks();
    r.tasks_per_node = CeilDiv(spec.ntasks(), r.nodes);
    if (spec.ntasks_per_node() && r.tasks_per_node > spec.ntasks_per_node()) {
      return MakeError("-n/--ntasks=" + std::to_string(spec.ntasks()) + " does not fit on " +
                       std::to_string(r.nodes) +
                       " nodes at --ntasks-per-node=" + std::to_string(spec.ntasks_per_node()));
    }
  } else {
    r.tasks_per_node = std::max<uint32_t>(1, spec.ntasks_per_node());
    r.tasks = r.tasks_per_node * r.nodes;
  }
  r.cpus_per_node = r.tasks_per_node * std::max<uint32_t>(1, spec.cpus_per_task());

  r.accel_kind = acc.kind();
  if (r.tiles > 0) {
    r.accel_per_node = 0;
  } else if (acc.total() > 0) {
    if (acc.total() % r.nodes != 0) {
      return MakeError("--gpus=" + std::to_string(acc.total()) + " cannot be split evenly over " +
                       std::to_string(r.nodes) + " nodes; use --gpus-per-node");
    }
    r.accel_per_node = acc.total() / r.nodes;
  } else {
    r.accel_per_node = acc.per_node();
  }
  if (r.accel_per_node > 0 && r.accel_kind.empty()) r.accel_kind = "gpu";

  if (spec.mem_per_node_mib() != 0) {
    r.mem_per_node_mib = spec.mem_per_node_mib();
  } else {
    r.mem_per_node_mib = partition.default_mem_per_cpu_mib * r.cpus_per_node;
  }

  if (!spec.nodelist().empty()) {
    auto nodes_req = ExpandHostlist(spec.nodelist());
    if (!nodes_req) return MakeError("--nodelist: " + nodes_req.error().message);
    r.required_nodes = *nodes_req;
    if (r.required_nodes.size() > r.nodes) r.nodes = static_cast<uint32_t>(r.required_nodes.size());
  }
  if (!spec.exclude().empty()) {
    auto ex = ExpandHostlist(spec.exclude());
    if (!ex) return MakeError("--exclude: " + ex.error().message);
    r.excluded_nodes = *ex;
  }
  return r;
}

std::string PlacementKey(const ResourceRequest& r) {
  if (!r.required_nodes.empty() || !r.excluded_nodes.empty()) return "";
  return r.partition + '|' + r.accel_kind + '|' + std::to_string(r.accel_per_node) + '|' +
         std::to_string(r.nodes) + '|' + std::to_string(r.tiles) + '|' +
         std::to_string(r.cpus_per_node) + '|' + std::to_string(r.mem_per_node_mib) + '|' +
         (r.exclusive ? "x" : "") + '|' + Join(r.features, ",");
}

}  // namespace tatami
