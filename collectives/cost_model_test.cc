#include "collectives/cost_model.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tatami::collectives {
namespace {

Fabric TestFabric() {
  auto c = ParseClusterConfig(R"(
nodes:
  - {name: "gpu[1-4]", cpus: 16, accelerators: {kind: h100, count: 8}}
  - {name: "tray[1-2]", cpus: 8, accelerators: {kind: d1, count: 6}}
partitions:
  - {name: all, nodes: "gpu[1-4],tray[1-2]"}
fabric:
  leaves:
    - {name: l1, spine: s, nodes: "gpu[1-2]"}
    - {name: l2, spine: s, nodes: "gpu[3-4]"}
  dojo_meshes:
    - {name: pod, trays: "tray[1-2]"}
)",
                              "cost.yaml");
  EXPECT_TRUE(c.ok()) << c.error().message;
  return Fabric(*c);
}

std::vector<RankDevice> Gpus(std::initializer_list<std::string> nodes, uint32_t per_node) {
  std::vector<RankDevice> out;
  for (const auto& n : nodes)
    for (uint32_t d = 0; d < per_node; ++d) out.push_back({n, d});
  return out;
}

TEST(CostModel, RingOnOneHgxNodeRunsAtNvlinkSpeed) {
  Fabric f = TestFabric();
  double bytes = 1e9;
  auto e = EstimateAllReduce(f, Gpus({"gpu1"}, 8), bytes);
  EXPECT_DOUBLE_EQ(e.bus_gbytes_per_s, 450);
  // alpha = 2 us (NVLink) + 1 hop x 1 us.
  EXPECT_DOUBLE_EQ(e.alpha_seconds, 3e-6);
  double ring = 14 * 3e-6 + 14.0 / 8 * bytes / 450e9;
  EXPECT_DOUBLE_EQ(e.ring_seconds, ring);
  EXPECT_DOUBLE_EQ(e.tree_seconds, 6 * 3e-6 + 2 * bytes / 450e9);
  EXPECT_EQ(e.algorithm, "ring");  // large message: bandwidth term wins
  auto small = EstimateAllReduce(f, Gpus({"gpu1"}, 8), 1024);
  EXPECT_EQ(small.algorithm, "tree");  // small message: fewer latency steps win
}

TEST(CostModel, CrossingNodesCostsAndOneLeafBeatsTwo) {
  Fabric f = TestFabric();
  double bytes = 1e9;
  auto one_node = EstimateAllReduce(f, Gpus({"gpu1"}, 8), bytes);
  auto same_leaf = EstimateAllReduce(f, Gpus({"gpu1", "gpu2"}, 8), bytes);
  auto two_leaves = EstimateAllReduce(f, Gpus({"gpu1", "gpu3"}, 8), bytes);
  // 8 rails x 50 GB/s = 400 GB/s across nodes, below NVLink's 450.
  EXPECT_DOUBLE_EQ(same_leaf.bus_gbytes_per_s, 400);
  EXPECT_GT(same_leaf.seconds, one_node.seconds * 0.99);
  EXPECT_GT(two_leaves.alpha_seconds, same_leaf.alpha_seconds);  // 3 switch hops, not 1
  EXPECT_GT(two_leaves.seconds, same_leaf.seconds);
  // One GPU per node: a single rail, 50 GB/s.
  auto thin = EstimateAllReduce(f, Gpus({"gpu1", "gpu2", "gpu3", "gpu4"}, 1), bytes);
  EXPECT_DOUBLE_EQ(thin.bus_gbytes_per_s, 50);
  EXPECT_GT(thin.seconds, 5 * same_leaf.seconds);
}

TEST(CostModel, DojoNeighboursBeatAnythingElse) {
  Fabric f = TestFabric();
  std::vector<RankDevice> square{{"tray1", 0}, {"tray1", 1}, {"tray1", 4}, {"tray1", 3}};
  auto e = EstimateAllReduce(f, square, 1e9);
  EXPECT_DOUBLE_EQ(e.bus_gbytes_per_s, 9000);
  EXPECT_LT(e.seconds, EstimateAllReduce(f, Gpus({"gpu1"}, 4), 1e9).seconds);
}

TEST(CostModel, OneRankCostsNothing) {
  Fabric f = TestFabric();
  auto e = EstimateAllReduce(f, Gpus({"gpu1"}, 1), 1e9);
  EXPECT_EQ(e.seconds, 0);
  EXPECT_EQ(e.algorithm, "none");
}

}  // namespace
}  // namespace tatami::collectives
