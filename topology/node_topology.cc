#include "topology/node_topology.h"

#include <hwloc.h>

#include <map>
#include <memory>

namespace tatami {
namespace {

struct TopologyDeleter {
  void operator()(hwloc_topology* t) const { hwloc_topology_destroy(t); }
};
using TopologyPtr = std::unique_ptr<hwloc_topology, TopologyDeleter>;

// The PUs of `set`, core by core: a core's hardware threads stay adjacent
// even where the OS numbers them far apart (cpu N and N+56), so contiguous
// slices of the list (how binding shares cores between ranks) never split
// a core between two ranks.
std::vector<uint32_t> CpuList(hwloc_topology_t t, hwloc_const_cpuset_t set) {
  std::vector<uint32_t> out;
  hwloc_obj_t core = nullptr;
  while ((core = hwloc_get_next_obj_covering_cpuset_by_type(t, set, HWLOC_OBJ_CORE, core))) {
    unsigned i;
    hwloc_bitmap_foreach_begin(i, core->cpuset) {
      if (hwloc_bitmap_isset(set, i)) out.push_back(i);
    }
    hwloc_bitmap_foreach_end();
  }
  if (out.empty()) {  // no Core objects (some synthetic topologies): plain OS order
    unsigned i;
    hwloc_bitmap_foreach_begin(i, set) {
      out.push_back(i);
    }
    hwloc_bitmap_foreach_end();
  }
  return out;
}

std::string PciBusId(hwloc_obj_t pci) {
  char buf[32];
  snprintf(buf, sizeof buf, "%04x:%02x:%02x.%x", pci->attr->pcidev.domain, pci->attr->pcidev.bus,
           pci->attr->pcidev.dev, pci->attr->pcidev.func);
  return buf;
}

bool IsNvidiaGpu(hwloc_obj_t o) {
  // Debian's hwloc has no CUDA/NVML component: find NVIDIA GPUs by PCI
  // vendor 0x10de and class 0x0302 (3D controller) or 0x0300 (VGA).
  return o->type == HWLOC_OBJ_PCI_DEVICE && o->attr->pcidev.vendor_id == 0x10de &&
         (o->attr->pcidev.class_id == 0x0302 || o->attr->pcidev.class_id == 0x0300);
}

// Distance from the root. hwloc's own helpers compare `depth`, which is a
// negative constant for I/O objects, so walk parents instead.
int Height(hwloc_obj_t o) {
  int h = 0;
  for (; o; o = o->parent) ++h;
  return h;
}

hwloc_obj_t CommonAncestor(hwloc_obj_t a, hwloc_obj_t b) {
  int ha = Height(a), hb = Height(b);
  for (; ha > hb; --ha) a = a->parent;
  for (; hb > ha; --hb) b = b->parent;
  while (a != b) {
    a = a->parent;
    b = b->parent;
  }
  return a;
}

// The InfiniBand/RoCE HCA that shares the deepest PCIe ancestor with `gpu`.
std::string ClosestNic(hwloc_topology_t t, hwloc_obj_t gpu) {
  std::string best;
  int best_depth = -1;
  for (hwloc_obj_t o = nullptr; (o = hwloc_get_next_osdev(t, o));) {
    if (o->attr->osdev.type != HWLOC_OBJ_OSDEV_OPENFABRICS) continue;
    int depth = Height(CommonAncestor(gpu, o));
    if (depth > best_depth) {
      best_depth = depth;
      best = o->name ? o->name : "";
    }
  }
  return best;
}

int NumaOf(hwloc_topology_t t, hwloc_obj_t obj) {
  hwloc_obj_t anc = hwloc_get_non_io_ancestor_obj(t, obj);
  if (!anc || !anc->nodeset) return -1;
  return hwloc_bitmap_first(anc->nodeset);
}

Result<TopologyPtr> Load(const NodeConfig& node, const ClusterConfig& config) {
  hwloc_topology_t raw;
  if (hwloc_topology_init(&raw) != 0) return MakeError("hwloc: cannot initialise a topology");
  TopologyPtr t(raw);
  hwloc_topology_set_io_types_filter(raw, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
  std::string source;
  if (node.topology == "host") {
    source = "this machine";
  } else if (!node.topology.empty()) {
    source = config.ResolvePath(node.topology);
    if (hwloc_topology_set_xml(raw, source.c_str()) != 0) {
      return MakeError("node " + node.name + ": cannot read hwloc XML " + source);
    }
  } else {
    uint32_t packages = node.cpus >= 2 && node.cpus % 2 == 0 ? 2 : 1;
    source = "pack:" + std::to_string(packages) +
             " [numa] core:" + std::to_string(node.cpus / packages) + " pu:1";
    if (hwloc_topology_set_synthetic(raw, source.c_str()) != 0) {
      return MakeError("node " + node.name + ": bad synthetic topology '" + source + "'");
    }
  }
  if (hwloc_topology_load(raw) != 0) {
    return MakeError("node " + node.name + ": hwloc could not load the topology from " + source);
  }
  return t;
}

}  // namespace

Result<NodeTopology> DiscoverNode(const NodeConfig& node, const ClusterConfig& config) {
  auto loaded = Load(node, config);
  if (!loaded) return loaded.error();
  hwloc_topology_t t = loaded->get();

  NodeTopology topo;
  topo.cpus = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU);
  topo.packages = std::max(1, hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PACKAGE));
  topo.numa_nodes = std::max(1, hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE));
  hwloc_obj_t root = hwloc_get_root_obj(t);
  topo.memory_mib = static_cast<int64_t>(root->total_memory / (1024 * 1024));

  for (hwloc_obj_t o = nullptr; (o = hwloc_get_next_pcidev(t, o));) {
    if (!IsNvidiaGpu(o)) continue;
    DeviceTopology d;
    d.index = static_cast<uint32_t>(topo.devices.size());
    d.kind = AcceleratorKind::kH100;
    d.pci_bus_id = PciBusId(o);
    d.numa_node = NumaOf(t, o);
    d.closest_nic = ClosestNic(t, o);
    if (hwloc_obj_t anc = hwloc_get_non_io_ancestor_obj(t, o))
      d.local_cpus = CpuList(t, anc->cpuset);
    topo.devices.push_back(std::move(d));
  }

  if (node.accelerator_kind != AcceleratorKind::kNone && topo.devices.empty()) {
    // Tiles and boards hwloc cannot see: spread them evenly over NUMA nodes.
    for (uint32_t i = 0; i < node.accelerators; ++i) {
      DeviceTopology d;
      d.index = i;
      d.kind = node.accelerator_kind;
      d.numa_node = static_cast<int>(i * topo.numa_nodes / node.accelerators);
      if (hwloc_obj_t numa = hwloc_get_obj_by_type(t, HWLOC_OBJ_NUMANODE, d.numa_node)) {
        d.local_cpus = CpuList(t, numa->cpuset);
      }
      topo.devices.push_back(std::move(d));
    }
  } else if (topo.devices.size() != node.accelerators && node.topology != "host") {
    return MakeError("node " + node.name + ": the config says " +
                     std::to_string(node.accelerators) + " accelerators but its topology " +
                     config.ResolvePath(node.topology) + " has " +
                     std::to_string(topo.devices.size()) + " GPUs");
  }
  if (node.cpus) topo.cpus = node.cpus;
  if (node.memory_mib) topo.memory_mib = node.memory_mib;
  return topo;
}

Result<std::vector<std::shared_ptr<const NodeTopology>>> DiscoverConfiguredNodes(
    const ClusterConfig& config) {
  std::map<std::string, std::shared_ptr<const NodeTopology>> shapes;
  std::vector<std::shared_ptr<const NodeTopology>> nodes;
  nodes.reserve(config.nodes.size());
  for (const NodeConfig& nc : config.nodes) {
    if (nc.topology == "host") {
      nodes.push_back(nullptr);
      continue;
    }
    std::string shape =
        nc.topology + "|" + std::to_string(nc.cpus) + "|" + std::to_string(nc.memory_mib) + "|" +
        std::string(AcceleratorName(nc.accelerator_kind)) + "|" + std::to_string(nc.accelerators);
    auto known = shapes.find(shape);
    if (known == shapes.end()) {
      auto topo = DiscoverNode(nc, config);
      if (!topo) return topo.error();
      known = shapes.emplace(shape, std::make_shared<const NodeTopology>(std::move(*topo))).first;
    }
    nodes.push_back(known->second);
  }
  return nodes;
}

}  // namespace tatami
