// An alpha-beta model of all-reduce time, fed by the fabric's bandwidths, so
// placement and the simulator can say what a placement costs a job's
// communication. Estimates, not measurements: good for ranking placements
// and scaling run times, not for promising a number.
//
//   ring:  2(n-1) steps of alpha, and 2(n-1)/n * bytes at the ring's bus
//          bandwidth (the slowest hop, with one ring per rail across nodes)
//   tree:  2 ceil(log2 n) steps of alpha, and 2 * bytes at that bandwidth
//          (NCCL's pipelined double binary tree)
//
// Pure functions over a Fabric; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "topology/fabric.h"

namespace tatami::collectives {

// One rank: the device it drives.
struct RankDevice {
  std::string node;
  uint32_t device = 0;
};

struct AllReduceEstimate {
  double ring_seconds = 0;
  double tree_seconds = 0;
  double seconds = 0;           // the faster of the two
  std::string_view algorithm;   // "ring" or "tree" ("none" for one rank)
  double bus_gbytes_per_s = 0;  // the bandwidth both are limited by
  double alpha_seconds = 0;     // latency of one step on the slowest hop
};

// Per-hop latency the model adds to a link's base latency.
inline constexpr double kHopLatencySeconds = 1e-6;

// Estimates one all-reduce of `bytes` per rank over `ranks` (in ring order).
AllReduceEstimate EstimateAllReduce(const Fabric& fabric, const std::vector<RankDevice>& ranks,
                                    double bytes);

// The same from positions, as placement holds them: `node` only needs to
// tell nodes apart.
struct RankSite {
  AcceleratorKind kind = AcceleratorKind::kNone;
  FabricPosition position;
  size_t node = 0;
  uint32_t device = 0;
};
AllReduceEstimate EstimateAllReduce(const std::vector<RankSite>& ranks, double bytes);

}  // namespace tatami::collectives
