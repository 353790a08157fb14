#include "topology/node_topology.h"

#include <gtest/gtest.h>
#include <hwloc.h>

namespace tatami {
namespace {

ClusterConfig LocalConfig() {
  auto c = LoadClusterConfig(std::string(TATAMI_SOURCE_DIR) + "/configs/local.yaml");
  EXPECT_TRUE(c.ok()) << c.error().message;
  return *c;
}

TEST(NodeTopology, EmulatedHgxH100HasEightGpusWithSocketLocalNics) {
  ClusterConfig c = LocalConfig();
  auto t = DiscoverNode(*c.FindNode("h100-01"), c);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->packages, 2u);
  EXPECT_EQ(t->numa_nodes, 2u);
  EXPECT_EQ(t->cpus, 224u);
  EXPECT_EQ(t->memory_mib, 2 * 1024 * 1024);  // the config overrides the XML
  ASSERT_EQ(t->devices.size(), 8u);
  for (const auto& d : t->devices) {
    EXPECT_EQ(d.kind, AcceleratorKind::kH100);
    EXPECT_EQ(d.numa_node, d.index < 4 ? 0 : 1) << "GPU " << d.index;
  }
  EXPECT_EQ(t->devices[0].closest_nic, "mlx5_0");
  EXPECT_EQ(t->devices[0].pci_bus_id, "0000:1b:00.0");
  EXPECT_EQ(t->devices[7].closest_nic, "mlx5_11");
  EXPECT_EQ(t->devices[0].local_cpus.size(), 112u);
}

TEST(NodeTopology, SynthesisedDojoTraySpreadsTilesOverNumaNodes) {
  ClusterConfig c = LocalConfig();
  auto t = DiscoverNode(*c.FindNode("dojo-tray-01"), c);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->cpus, 64u);
  ASSERT_EQ(t->devices.size(), 6u);
  EXPECT_EQ(t->devices[0].numa_node, 0);
  EXPECT_EQ(t->devices[5].numa_node, 1);
  EXPECT_EQ(t->devices[5].kind, AcceleratorKind::kD1);
}

TEST(NodeTopology, LocalCpusKeepEachCoresThreadsTogether) {
  // Four cores whose hardware threads the OS numbers apart (0 and 4, 1 and
  // 5, ...), as Linux does on many two-socket machines.
  hwloc_topology_t t;
  hwloc_topology_init(&t);
  ASSERT_EQ(hwloc_topology_set_synthetic(t, "numa:1 core:4 pu:2(indexes=0,4,1,5,2,6,3,7)"), 0);
  ASSERT_EQ(hwloc_topology_load(t), 0);
  std::string xml = ::testing::TempDir() + "/smt-apart.xml";
  ASSERT_EQ(hwloc_topology_export_xml(t, xml.c_str(), 0), 0);
  hwloc_topology_destroy(t);

  ClusterConfig c = LocalConfig();
  NodeConfig n = *c.FindNode("dojo-tray-01");
  n.topology = xml;
  n.cpus = 0;
  n.accelerators = 2;
  auto topo = DiscoverNode(n, c);
  ASSERT_TRUE(topo.ok()) << topo.error().message;
  ASSERT_EQ(topo->devices.size(), 2u);
  EXPECT_EQ(topo->devices[0].local_cpus, (std::vector<uint32_t>{0, 4, 1, 5, 2, 6, 3, 7}));
}

TEST(NodeTopology, GpuCountMismatchIsAnError) {
  ClusterConfig c = LocalConfig();
  NodeConfig n = *c.FindNode("h100-01");
  n.accelerators = 4;
  auto t = DiscoverNode(n, c);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("says 4 accelerators but its topology"), std::string::npos);
}

TEST(NodeTopology, MissingXmlIsAnError) {
  ClusterConfig c = LocalConfig();
  NodeConfig n = *c.FindNode("h100-01");
  n.topology = "no-such.xml";
  EXPECT_FALSE(DiscoverNode(n, c).ok());
}

}  // namespace
}  // namespace tatami
