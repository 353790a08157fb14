#include "launcher/binding.h"

#include <algorithm>
#include <map>

#include "base/strings.h"

namespace tatami {

std::vector<RankBinding> BindNodeRanks(const NodeTopology& topo, const NodeRanks& ranks) {
  std::vector<RankBinding> out(ranks.tasks);
  std::vector<uint32_t> all_cpus(topo.cpus);
  for (uint32_t c = 0; c < topo.cpus; ++c) all_cpus[c] = c;
  // Group ranks by the cores they may use (GPUs of one NUMA node have equal
  // lists), then give each its slice.
  std::map<std::vector<uint32_t>, std::vector<uint32_t>> sharing;
  for (uint32_t i = 0; i < ranks.tasks; ++i) {
    RankBinding& b = out[i];
    b.rank = ranks.first_rank + i;
    b.local_rank = i;
    b.node = ranks.node;
    const std::vector<uint32_t>* pool = &all_cpus;
    if (!ranks.devices.empty()) {
      uint32_t dev = ranks.devices[i % ranks.devices.size()];
      b.device = static_cast<int32_t>(dev);
      if (dev < topo.devices.size()) {
        const DeviceTopology& d = topo.devices[dev];
        b.numa_node = d.numa_node;
        b.nic = d.closest_nic;
        if (!d.local_cpus.empty()) pool = &d.local_cpus;
      }
    }
    sharing[*pool].push_back(i);
  }
  for (const auto& [pool, members] : sharing) {
    size_t n = members.size(), size = pool.size();
    if (size == 0) continue;  // a node that reported no cores: leave the ranks unbound
    for (size_t k = 0; k < n; ++k) {
      // Contiguous, disjoint slices; when ranks outnumber cores they share.
      size_t begin = size * k / n, end = std::max(begin + 1, size * (k + 1) / n);
      end = std::min(end, size);
      if (begin >= size) begin = size - 1;
      out[members[k]].cpus.assign(pool.begin() + static_cast<ptrdiff_t>(begin),
                                  pool.begin() + static_cast<ptrdiff_t>(end));
    }
  }
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
