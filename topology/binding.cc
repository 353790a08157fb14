#include "topology/binding.h"

#include <algorithm>
#include <map>

#include "base/strings.h"

namespace tatami {

namespace {

// The cores that belong to device `dev`: its NUMA node's cores split evenly
// between the node's devices on that NUMA node, in device order. Jobs that
// share a socket then never share cores, as long as they hold different GPUs.
// `dev` is a position in topo.devices, as the peers are: an agent's device
// indices need not be 0..n-1, and a device missing from its own peers would
// slice past the end of its cores.
std::vector<uint32_t> DeviceCores(const NodeTopology& topo, uint32_t dev) {
  const std::vector<uint32_t>& local = topo.devices[dev].local_cpus;
  size_t pos = 0, peers = 0;  // devices with the same local cores; dev's place among them
  for (uint32_t d = 0; d < topo.devices.size(); ++d) {
    if (topo.devices[d].local_cpus != local) continue;
    if (d == dev) pos = peers;
    ++peers;
  }
  return Slice(local, pos, peers);
}

}  // namespace

std::vector<uint32_t> Slice(const std::vector<uint32_t>& cpus, size_t k, size_t n) {
  size_t size = cpus.size();
  if (size == 0 || n == 0) return {};
  if (n > size) return {cpus[k % size]};  // more takers than cores: they share
  size_t begin = size * k / n, end = size * (k + 1) / n;
  return {cpus.begin() + static_cast<ptrdiff_t>(begin), cpus.begin() + static_cast<ptrdiff_t>(end)};
}

std::vector<RankBinding> BindNodeRanks(const NodeTopology& topo, const NodeRanks& ranks) {
  std::vector<RankBinding> out(ranks.tasks);
  // Ranks that draw on the same pool of cores, by pool.
  std::map<std::vector<uint32_t>, std::vector<uint32_t>> sharing;
  for (uint32_t i = 0; i < ranks.tasks; ++i) {
    RankBinding& b = out[i];
    b.rank = ranks.first_rank + i;
    b.local_rank = i;
    b.node = ranks.node;
    std::vector<uint32_t> pool;
    if (!ranks.devices.empty()) {
      uint32_t dev = ranks.devices[i % ranks.devices.size()];
      b.device = static_cast<int32_t>(dev);
      if (dev < topo.devices.size()) {
        const DeviceTopology& d = topo.devices[dev];
        b.numa_node = d.numa_node;
        b.nic = d.closest_nic;
        pool = DeviceCores(topo, dev);
      }
    } else if (ranks.whole_node) {
      for (uint32_t c = 0; c < topo.cpus; ++c) pool.push_back(c);
    }
    // Otherwise: no device and only part of the node. Which cores are the
    // job's is not tracked, so the ranks stay unbound rather than collide.
    if (!pool.empty()) sharing[pool].push_back(i);
  }
  for (const auto& [pool, members] : sharing)
    for (size_t k = 0; k < members.size(); ++k)
      out[members[k]].cpus = Slice(pool, k, members.size());
  return out;
}

std::string CpuRanges(const std::vector<uint32_t>& cpus) {
  std::vector<uint32_t> c = cpus;
  std::sort(c.begin(), c.end());
  std::string out;
  for (size_t i = 0; i < c.size();) {
    size_t j = i;
    while (j + 1 < c.size() && c[j + 1] == c[j] + 1) ++j;
    if (!out.empty()) out += ",";
    out += std::to_string(c[i]);
    if (j > i) out += "-" + std::to_string(c[j]);
    i = j + 1;
  }
  return out;
}

std::string Rankfile(const std::vector<RankBinding>& bindings) {
  std::string out;
  for (const auto& b : bindings) {
    out += "rank " + std::to_string(b.rank) + "=" + b.node + " slot=" + CpuRanges(b.cpus) + "\n";
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> RankEnvironment(const RankBinding& b,
                                                                 const NodeRanks& node,
                                                                 uint32_t world_size,
                                                                 const std::string& master_addr,
                                                                 uint16_t master_port, bool gpus) {
  std::vector<std::pair<std::string, std::string>> env = {
      {"RANK", std::to_string(b.rank)},
      {"LOCAL_RANK", std::to_string(b.local_rank)},
      {"WORLD_SIZE", std::to_string(world_size)},
      {"LOCAL_WORLD_SIZE", std::to_string(node.tasks)},
      {"MASTER_ADDR", master_addr},
      {"MASTER_PORT", std::to_string(master_port)},
      {"TATAMI_CPUS", CpuRanges(b.cpus)},
  };
  if (b.device >= 0) env.emplace_back("TATAMI_DEVICE", std::to_string(b.device));
  if (gpus && !node.devices.empty()) {
    std::vector<std::string> visible;
    for (uint32_t d : node.devices) visible.push_back(std::to_string(d));
    env.emplace_back("CUDA_DEVICE_ORDER", "PCI_BUS_ID");
    env.emplace_back("CUDA_VISIBLE_DEVICES", Join(visible, ","));
  }
  if (gpus && !b.nic.empty()) env.emplace_back("NCCL_IB_HCA", "=" + b.nic);
  return env;
}

uint16_t MasterPort(uint64_t job_id) {
  // Above the registered ports, below Linux's ephemeral range (32768+).
  return static_cast<uint16_t>(20000 + job_id % 12000);
}

}  // namespace tatami
