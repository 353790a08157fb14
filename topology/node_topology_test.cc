#include "topology/node_topology.h"

#include <gtest/gtest.h>

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
