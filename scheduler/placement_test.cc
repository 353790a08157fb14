#include "scheduler/placement.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tatami {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

NodeResources GpuNode(const std::string& name, uint32_t gpus = 8) {
  NodeResources n;
  n.name = name;
  n.partitions = {"gpu"};
  n.features = {"ib"};
  n.schedulable = true;
  n.cpus_total = n.cpus_free = 32;
  n.mem_total_mib = n.mem_free_mib = 256 * 1024;
  n.accel_kind = AcceleratorKind::kH100;
  n.device_free.assign(gpus, true);
  return n;
}

ResourceRequest Gpus(uint32_t nodes, uint32_t per_node) {
  ResourceRequest r;
  r.partition = "gpu";
  r.nodes = nodes;
  r.accel_kind = "gpu";
  r.accel_per_node = per_node;
  r.cpus_per_node = 1;
  r.mem_per_node_mib = 1024;
  return r;
}

TEST(Placement, PicksLowestFreeDevicesOnFirstFittingNode) {
  std::vector<NodeResources> nodes{GpuNode("a"), GpuNode("b")};
  nodes[0].device_free[0] = nodes[0].device_free[2] = false;
  auto shares = FirstFitPlacer().Place(Gpus(1, 2), nodes);
  ASSERT_TRUE(shares.ok());
  ASSERT_EQ(shares->size(), 1u);
  EXPECT_EQ((*shares)[0].node, "a");
  EXPECT_THAT((*shares)[0].devices, ElementsAre(1, 3));
}

TEST(Placement, GangNeedsAllNodesAtOnce) {
  std::vector<NodeResources> nodes{GpuNode("a"), GpuNode("b")};
  nodes[1].device_free.assign(8, false);
  auto shares = FirstFitPlacer().Place(Gpus(2, 8), nodes);
  ASSERT_FALSE(shares.ok());
  EXPECT_THAT(shares.error().message, HasSubstr("1 of the 2 node(s)"));
}

TEST(Placement, InfeasibleRequestExplainsPerNode) {
  std::vector<NodeResources> nodes{GpuNode("a"), GpuNode("b")};
  Status s = CheckFeasible(Gpus(1, 16), nodes);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("a: has 8 h100, job wants 16 per node"));
  EXPECT_TRUE(CheckFeasible(Gpus(2, 8), nodes).ok());
  EXPECT_FALSE(CheckFeasible(Gpus(3, 8), nodes).ok());
}

TEST(Placement, WrongKindAndFeatureAreMismatches) {
  NodeResources n = GpuNode("a");
  ResourceRequest r = Gpus(1, 1);
  r.accel_kind = "d1";
  EXPECT_EQ(CheckNode(r, n, true), Mismatch::kAcceleratorKind);
  r = Gpus(1, 1);
  r.features = {"nvlink"};
  EXPECT_EQ(CheckNode(r, n, true), Mismatch::kFeatures);
  r.features = {"ib"};
  EXPECT_EQ(CheckNode(r, n, true), Mismatch::kFits);
}

TEST(Placement, ExclusiveTakesWholeNodeAndBlocksOthers) {
  std::vector<NodeResources> nodes{GpuNode("a")};
  ResourceRequest r = Gpus(1, 1);
  r.exclusive = true;
  auto shares = FirstFitPlacer().Place(r, nodes);
  ASSERT_TRUE(shares.ok());
  EXPECT_EQ((*shares)[0].devices.size(), 8u);
  EXPECT_EQ((*shares)[0].cpus, 32u);
  ApplyShares(*shares, true, nodes);
  EXPECT_EQ(CheckNode(Gpus(1, 0), nodes[0], false), Mismatch::kHeldExclusively);
  ReleaseShares(*shares, true, nodes);
  EXPECT_EQ(CheckNode(Gpus(1, 8), nodes[0], false), Mismatch::kFits);
}

TEST(Placement, DownNodesAreSkipped) {
  std::vector<NodeResources> nodes{GpuNode("a"), GpuNode("b")};
  nodes[0].schedulable = false;
  auto shares = FirstFitPlacer().Place(Gpus(1, 1), nodes);
  ASSERT_TRUE(shares.ok());
  EXPECT_EQ((*shares)[0].node, "b");
}

}  // namespace
}  // namespace tatami
