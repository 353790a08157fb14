#include "scheduler/topology_placer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scheduler/scheduling_cycle.h"

namespace tatami {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

NodeResources Node(const std::string& name, AcceleratorKind kind, uint32_t devices,
                   const std::string& partition) {
  NodeResources n;
  n.name = name;
  n.partitions = {partition};
  n.schedulable = true;
  n.cpus_total = n.cpus_free = 224;
  n.mem_total_mib = n.mem_free_mib = 2 << 20;
  n.accel_kind = kind;
  n.device_free.assign(devices, true);
  return n;
}

NodeResources Hgx(const std::string& name, int32_t leaf, int32_t spine = 0) {
  NodeResources n = Node(name, AcceleratorKind::kH100, 8, "gpu");
  n.fabric.leaf = leaf;
  n.fabric.spine = spine;
  return n;
}

NodeResources Tray(const std::string& name, int32_t x, int32_t y) {
  NodeResources n = Node(name, AcceleratorKind::kD1, 6, "dojo");
  n.fabric.mesh = 0;
  n.fabric.tray_x = x;
  n.fabric.tray_y = y;
  return n;
}

ResourceRequest Ask(const std::string& partition, const std::string& kind, uint32_t nodes,
                    uint32_t per_node) {
  ResourceRequest r;
  r.partition = partition;
  r.nodes = nodes;
  r.accel_kind = kind;
  r.accel_per_node = per_node;
  r.cpus_per_node = 1;
  r.mem_per_node_mib = 1024;
  return r;
}

ResourceRequest Tiles(uint32_t tiles) {
  ResourceRequest r = Ask("dojo", "d1", 1, 0);
  r.tiles = tiles;
  return r;
}

void Take(NodeResources& n, std::initializer_list<uint32_t> devices) {
  for (uint32_t d : devices) n.device_free[d] = false;
}

std::vector<std::string> Names(const std::vector<NodeShare>& shares) {
  std::vector<std::string> out;
  for (const auto& s : shares) out.push_back(s.node);
  return out;
}

TEST(TopologyPlacer, SixteenGpusGoUnderOneLeaf) {
  // Free GPUs on four nodes in two leaves, interleaved in configured order:
  // first fit would straddle both leaves.
  std::vector<NodeResources> nodes{Hgx("a1", 0), Hgx("b1", 1), Hgx("a2", 0), Hgx("b2", 1),
                                   Hgx("b3", 1)};
  Take(nodes[4], {0, 1, 2, 3, 4, 5, 6, 7});
  auto shares = TopologyPlacer().Place(Ask("gpu", "h100", 2, 8), nodes);
  ASSERT_TRUE(shares.ok()) << shares.error().message;
  EXPECT_THAT(Names(*shares), ElementsAre("a1", "a2"));
  auto first = FirstFitPlacer().Place(Ask("gpu", "h100", 2, 8), nodes);
  EXPECT_THAT(Names(*first), ElementsAre("a1", "b1"));
}

TEST(TopologyPlacer, TightestLeafThatHoldsTheJob) {
  // Leaf 0 has three free nodes, leaf 1 exactly two: the 2-node job takes
  // leaf 1 and leaves leaf 0 for a 3-node job.
  std::vector<NodeResources> nodes{Hgx("a1", 0), Hgx("a2", 0), Hgx("a3", 0), Hgx("b1", 1),
                                   Hgx("b2", 1)};
  auto shares = TopologyPlacer().Place(Ask("gpu", "h100", 2, 8), nodes);
  ASSERT_TRUE(shares.ok());
  EXPECT_THAT(Names(*shares), ElementsAre("b1", "b2"));
}

TEST(TopologyPlacer, SpreadsOverFewestLeavesOfOneSpine) {
  // Four nodes needed; no leaf has four. Spine 0 can do it with two leaves
  // (3 + 1); the lone leaf on spine 1 is not used.
  std::vector<NodeResources> nodes{Hgx("x1", 2, 1), Hgx("a1", 0, 0), Hgx("a2", 0, 0),
                                   Hgx("a3", 0, 0), Hgx("b1", 1, 0), Hgx("b2", 1, 0)};
  auto shares = TopologyPlacer().Place(Ask("gpu", "h100", 4, 8), nodes);
  ASSERT_TRUE(shares.ok());
  EXPECT_THAT(Names(*shares), ElementsAre("a1", "a2", "a3", "b1"));
}

TEST(TopologyPlacer, OneSpineBeatsCrossingSpinesWithTheSameLeafCount) {
  // Four nodes: leaf c (spine 1) has three, leaves a and b (spine 0) two
  // each. "Fullest leaves anywhere" would take c + one of a: two leaves but
  // two spines. The cost model prefers a + b under one spine.
  std::vector<NodeResources> nodes{Hgx("c1", 2, 1), Hgx("c2", 2, 1), Hgx("c3", 2, 1),
                                   Hgx("a1", 0, 0), Hgx("a2", 0, 0), Hgx("b1", 1, 0),
                                   Hgx("b2", 1, 0)};
  auto shares = TopologyPlacer().Place(Ask("gpu", "h100", 4, 8), nodes);
  ASSERT_TRUE(shares.ok());
  EXPECT_THAT(Names(*shares), ElementsAre("a1", "a2", "b1", "b2"));
}

TEST(TopologyPlacer, MultiNodeNvlinkDomainsFillFirst) {
  // Two nodes share an NVLink domain under leaf 1; leaf 0 has three plain
  // nodes. A 2-node job goes to the domain: NVLink beats any leaf switch.
  std::vector<NodeResources> nodes{Hgx("a1", 0), Hgx("a2", 0), Hgx("a3", 0), Hgx("n1", 1),
                                   Hgx("n2", 1)};
  nodes[3].fabric.nvlink_domain = nodes[4].fabric.nvlink_domain = 0;
  auto shares = TopologyPlacer().Place(Ask("gpu", "h100", 2, 8), nodes);
  ASSERT_TRUE(shares.ok());
  EXPECT_THAT(Names(*shares), ElementsAre("n1", "n2"));
}

TEST(TopologyPlacer, BestFitAvoidsStrandingGpus) {
  // A 4-GPU job: node a has 7 free (would leave 3, stranded for 4-GPU jobs),
  // b has 8 free (leaves 4), c has 5 free (leaves 1).
  std::vector<NodeResources> nodes{Hgx("a", 0), Hgx("b", 0), Hgx("c", 0)};
  Take(nodes[0], {0});
  Take(nodes[2], {0, 1, 2});
  auto shares = TopologyPlacer().Place(Ask("gpu", "h100", 1, 4), nodes);
  ASSERT_TRUE(shares.ok());
  EXPECT_THAT(Names(*shares), ElementsAre("c"));
  EXPECT_THAT((*shares)[0].devices, ElementsAre(4, 5, 6, 7));  // one socket's block
}

TEST(TopologyPlacer, FourGpusStayInOneSocketBlock) {
  // GPU 1 taken: a 2-GPU job goes next to it, a 4-GPU job to the untouched
  // socket. With GPU 5 taken too no block of four is whole: any four.
  NodeResources n = Hgx("a", 0);
  Take(n, {1});
  EXPECT_THAT(ChooseDevices(n, 2), ElementsAre(2, 3));
  EXPECT_THAT(ChooseDevices(n, 4), ElementsAre(4, 5, 6, 7));
  Take(n, {5});
  EXPECT_THAT(ChooseDevices(n, 4), ElementsAre(0, 2, 3, 4));
  EXPECT_THAT(ChooseDevices(n, 0), ElementsAre());
}

TEST(TopologyPlacer, CpuOnlyWorkAvoidsAcceleratorNodes) {
  std::vector<NodeResources> nodes{Hgx("gpu", 0), Node("cpu", AcceleratorKind::kNone, 0, "gpu")};
  auto shares = TopologyPlacer().Place(Ask("gpu", "", 1, 0), nodes);
  ASSERT_TRUE(shares.ok());
  EXPECT_THAT(Names(*shares), ElementsAre("cpu"));
}

TEST(TopologyPlacer, SixTilesAreATwoByThreeRectangleAcrossTrays) {
  // Two trays side by side (a 6x2 mesh), t1's left column taken: the first
  // free 3x2 is t1's right two columns plus t2's left column.
  std::vector<NodeResources> nodes{Tray("t1", 0, 0), Tray("t2", 3, 0)};
  Take(nodes[0], {0, 3});
  auto shares = TopologyPlacer(MeshStrategy::kFirstFit).Place(Tiles(6), nodes);
  ASSERT_TRUE(shares.ok()) << shares.error().message;
  ASSERT_EQ(shares->size(), 2u);
  EXPECT_EQ((*shares)[0].node, "t1");
  EXPECT_THAT((*shares)[0].devices, ElementsAre(1, 2, 4, 5));
  EXPECT_EQ((*shares)[1].node, "t2");
  EXPECT_THAT((*shares)[1].devices, ElementsAre(0, 3));
}

TEST(TopologyPlacer, ScatteredTilesWaitWithAReason) {
  std::vector<NodeResources> nodes{Tray("t1", 0, 0), Tray("t2", 3, 0)};
  Take(nodes[0], {1, 4});
  Take(nodes[1], {1, 4});  // free: columns 0, 2, 3, 5 -> 8 tiles, no 3x2
  for (MeshStrategy s : {MeshStrategy::kFirstFit, MeshStrategy::kLeastFragmentation}) {
    auto shares = TopologyPlacer(s).Place(Tiles(6), nodes);
    ASSERT_FALSE(shares.ok());
    EXPECT_THAT(shares.error().message, HasSubstr("NoContiguousTiles: 8 d1 tiles free"));
    EXPECT_EQ(ReasonCode(shares.error().message), "NoContiguousTiles");
  }
  auto too_many = TopologyPlacer().Place(Tiles(12), nodes);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(ReasonCode(too_many.error().message), "Resources");
}

TEST(TopologyPlacer, TilesOnlyOnEligibleTrays) {
  std::vector<NodeResources> nodes{Tray("t1", 0, 0), Tray("t2", 3, 0)};
  nodes[0].schedulable = false;
  auto shares = TopologyPlacer().Place(Tiles(6), nodes);
  ASSERT_TRUE(shares.ok());
  EXPECT_THAT(Names(*shares), ElementsAre("t2"));
  EXPECT_FALSE(TopologyPlacer().Place(Tiles(12), nodes).ok());
}

TEST(CheckFeasible, TilesNeedARectangleThatCanEverFit) {
  std::vector<NodeResources> nodes{Tray("t1", 0, 0), Tray("t2", 3, 0)};
  EXPECT_TRUE(CheckFeasible(Tiles(12), nodes).ok());
  EXPECT_TRUE(CheckFeasible(Tiles(4), nodes).ok());
  Status s = CheckFeasible(Tiles(7), nodes);  // 7x1 does not fit a 6x2 mesh
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("7 d1 tiles as one rectangle (7x1, 1x7)"));
  EXPECT_THAT(s.error().message, HasSubstr("meshes of 6x2"));
  EXPECT_FALSE(CheckFeasible(Tiles(13), nodes).ok());
}

}  // namespace
}  // namespace tatami
