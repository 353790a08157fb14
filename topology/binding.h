// Which cores, GPU and NIC each rank of a job gets on one node, and the
// Open MPI rankfile and per-rank environment that realise it.
//
// The rule an expert applies by hand on an HGX board: a rank drives one GPU,
// runs on that GPU's share of the cores of the NUMA node it hangs off (the
// NUMA node's cores split evenly between its GPUs, so jobs holding different
// GPUs of one socket never share cores; ranks driving one GPU split its
// share), and sends over the NIC on the GPU's own PCIe switch. Ranks are numbered in blocks:
// node i of the allocation holds ranks i*tasks_per_node ... (what mpirun's
// default mapping does with our hostfile).
//
// Pure functions over plain values; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "topology/node_topology.h"

namespace tatami {

struct RankBinding {
  uint32_t rank = 0;        // in the whole job
  uint32_t local_rank = 0;  // on its node
  std::string node;
  int32_t device = -1;  // device index on the node; -1 = none
  int32_t numa_node = -1;
  std::vector<uint32_t> cpus;  // OS cpu indices
  std::string nic;             // closest NIC (an HCA such as mlx5_0), "" = none
};

struct NodeRanks {
  std::string node;
  uint32_t node_index = 0;        // position in the allocation
  std::vector<uint32_t> devices;  // allocated device indices on this node
  uint32_t tasks = 1;             // ranks on this node
  uint32_t first_rank = 0;        // global rank of local rank 0
  bool whole_node = false;        // the job holds the node (--exclusive)
};

// The k-th of n contiguous, disjoint slices of `cpus` (when n exceeds the
// cores, takers share them one core each).
std::vector<uint32_t> Slice(const std::vector<uint32_t>& cpus, size_t k, size_t n);

// Binds the ranks of one node. Ranks get devices round-robin; each rank's
// cores are its share of its device's cores. Ranks without a device are
// bound only when the job holds the whole node (the scheduler counts CPUs
// but does not pick them, so a partial node has no cores of its own).
std::vector<RankBinding> BindNodeRanks(const NodeTopology& topo, const NodeRanks& ranks);

// "0-3,8,10-11": the compact cpu list rankfiles and taskset read.
std::string CpuRanges(const std::vector<uint32_t>& cpus);

// Open MPI rankfile lines "rank R=NODE slot=CPUS" for these bindings. The cpu
// numbers are OS indices: launch with OMPI_MCA_rmaps_rank_file_physical=1.
std::string Rankfile(const std::vector<RankBinding>& bindings);

// What a rank's process sees on top of the job environment: LOCAL_RANK,
// RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT,
// CUDA_DEVICE_ORDER, CUDA_VISIBLE_DEVICES (the node's allocated GPUs;
// LOCAL_RANK's GPU is the rank's own, as torchrun expects), NCCL_IB_HCA (the
// rank's closest NIC), TATAMI_CPUS and TATAMI_DEVICE.
std::vector<std::pair<std::string, std::string>> RankEnvironment(const RankBinding& b,
                                                                 const NodeRanks& node,
                                                                 uint32_t world_size,
                                                                 const std::string& master_addr,
                                                                 uint16_t master_port, bool gpus);

// A port for the job's rendezvous (MASTER_PORT) that differs between jobs.
uint16_t MasterPort(uint64_t job_id);

}  // namespace tatami
