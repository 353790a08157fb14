#include "topology/fabric.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tatami {
namespace {

using ::testing::HasSubstr;

constexpr const char* kNodes = R"(
nodes:
  - {name: "gpu[01-04]", cpus: 16, accelerators: {kind: h100, count: 8}}
  - {name: "tray[1-4]", cpus: 8, accelerators: {kind: d1, count: 6}}
  - {name: "tray9", cpus: 8, accelerators: {kind: d1, count: 4}}
  - {name: "hw4-[1-3]", cpus: 8, accelerators: {kind: hw4, count: 8}}
partitions:
  - {name: all, nodes: "gpu[01-04],tray[1-4,9],hw4-[1-3]"}
)";

Result<ClusterConfig> WithFabric(const std::string& fabric) {
  return ParseClusterConfig(std::string(kNodes) + fabric, "f.yaml");
}

constexpr const char* kFabric = R"(fabric:
  leaves:
    - {name: leaf1, spine: s1, nodes: "gpu[01-02]"}
    - {name: leaf2, spine: s1, nodes: gpu03}
    - {name: leaf3, spine: s2, nodes: gpu04}
  dojo_meshes:
    - {name: pod1, trays: "tray[1-3]", trays_per_row: 2}
    - {name: pod2, trays: tray4}
  racks:
    - {name: r1, nodes: "hw4-[1-2]"}
)";

TEST(Fabric, PositionsLeavesAndTrays) {
  auto c = WithFabric(kFabric);
  ASSERT_TRUE(c.ok()) << c.error().message;
  Fabric f(*c);
  EXPECT_EQ(f.PositionOf("gpu02").leaf, 0);
  EXPECT_EQ(f.PositionOf("gpu03").leaf, 1);
  EXPECT_EQ(f.PositionOf("gpu03").spine, f.PositionOf("gpu01").spine);
  EXPECT_NE(f.PositionOf("gpu04").spine, f.PositionOf("gpu01").spine);
  // Three trays, two per row: a 6x4 mesh with tray3 starting the second row.
  ASSERT_EQ(f.meshes().size(), 2u);
  EXPECT_EQ(f.meshes()[0].width, 6);
  EXPECT_EQ(f.meshes()[0].height, 4);
  EXPECT_EQ(f.PositionOf("tray2").tray_x, 3);
  EXPECT_EQ(f.PositionOf("tray2").tray_y, 0);
  EXPECT_EQ(f.PositionOf("tray3").tray_x, 0);
  EXPECT_EQ(f.PositionOf("tray3").tray_y, 2);
  EXPECT_EQ(f.PositionOf("tray4").mesh, 1);
  EXPECT_EQ(f.PositionOf("unknown").leaf, -1);
}

TEST(Fabric, H100LinksGetSlowerAndLongerAwayFromTheNode) {
  auto c = WithFabric(kFabric);
  ASSERT_TRUE(c.ok()) << c.error().message;
  Fabric f(*c);
  Link nvlink = f.Between("gpu01", 0, "gpu01", 7);
  Link leaf = f.Between("gpu01", 0, "gpu02", 0);
  Link spine = f.Between("gpu01", 0, "gpu03", 0);
  Link core = f.Between("gpu01", 0, "gpu04", 0);
  EXPECT_EQ(nvlink.medium, "nvlink");
  EXPECT_DOUBLE_EQ(nvlink.gbytes_per_s, 450);
  EXPECT_EQ(nvlink.hops, 1u);
  EXPECT_DOUBLE_EQ(leaf.gbytes_per_s, 50);
  EXPECT_EQ(leaf.hops, 1u);
  EXPECT_EQ(spine.hops, 3u);
  EXPECT_EQ(core.hops, 5u);
  EXPECT_EQ(f.Between("gpu01", 3, "gpu01", 3).medium, "hbm");
}

TEST(Fabric, MultiNodeNvlinkDomains) {
  auto c = WithFabric(R"(fabric:
  leaves: [{name: leaf1, nodes: "gpu[01-04]"}]
  nvlink_domains: [{name: nvl1, nodes: "gpu[01-02]"}]
)");
  ASSERT_TRUE(c.ok()) << c.error().message;
  Fabric f(*c);
  EXPECT_EQ(f.Between("gpu01", 0, "gpu02", 5).medium, "nvlink");
  EXPECT_EQ(f.Between("gpu02", 0, "gpu03", 0).medium, "infiniband");
  EXPECT_EQ(f.PositionOf("gpu02").nvlink_domain, 0);
  EXPECT_EQ(f.PositionOf("gpu03").nvlink_domain, -1);
  auto bad = WithFabric("fabric:\n  nvlink_domains: [{name: x, nodes: tray1}]\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message, HasSubstr("NVLink domain 'x': node 'tray1' has no h100"));
}

TEST(Fabric, DojoHopsAreMeshDistance) {
  auto c = WithFabric(kFabric);
  ASSERT_TRUE(c.ok()) << c.error().message;
  Fabric f(*c);
  // tray1 tile 0 is at (0,0); tray2 tile 5 at (3+2, 0+1) = (5,1); tray3 tile 1 at (1,2).
  EXPECT_EQ(f.Between("tray1", 0, "tray1", 1).hops, 1u);
  EXPECT_EQ(f.Between("tray1", 0, "tray2", 5).hops, 6u);
  EXPECT_EQ(f.Between("tray1", 0, "tray3", 1).hops, 3u);
  EXPECT_EQ(f.Between("tray1", 2, "tray2", 0).medium, "dojo-mesh");
  EXPECT_DOUBLE_EQ(f.Between("tray1", 2, "tray2", 0).gbytes_per_s, 9000);
  // Different meshes talk over the DIPs' Ethernet.
  Link cross = f.Between("tray1", 0, "tray4", 0);
  EXPECT_EQ(cross.medium, "dojo-dip");
  EXPECT_DOUBLE_EQ(cross.gbytes_per_s, 50);
}

TEST(Fabric, Hw4AndMixedKinds) {
  auto c = WithFabric(kFabric);
  ASSERT_TRUE(c.ok()) << c.error().message;
  Fabric f(*c);
  EXPECT_EQ(f.Between("hw4-1", 0, "hw4-1", 1).medium, "pcie");
  EXPECT_EQ(f.Between("hw4-1", 0, "hw4-2", 1).hops, 1u);
  EXPECT_EQ(f.Between("hw4-1", 0, "hw4-3", 1).hops, 3u);
  EXPECT_LT(f.Between("hw4-1", 0, "hw4-2", 0).gbytes_per_s,
            f.Between("gpu01", 0, "gpu02", 0).gbytes_per_s);
  EXPECT_EQ(f.Between("gpu01", 0, "tray1", 0).medium, "ethernet");
}

TEST(FabricConfig, ErrorsNameTheLineAndTheProblem) {
  struct Case {
    const char* fabric;
    const char* want;
  } cases[] = {
      {"fabric:\n  leaves:\n    - {name: l1, nodes: nope}\n", "f.yaml:11:25: leaf"},
      {"fabric:\n  leaves:\n    - {name: l1, nodes: nope}\n", "unknown node 'nope'"},
      {"fabric:\n  leaves:\n    - {name: l1, nodes: gpu01}\n    - {name: l2, nodes: gpu01}\n",
       "node 'gpu01' is in leaf 'l1' and 'l2'"},
      {"fabric:\n  dojo_meshes:\n    - {name: m, trays: gpu01}\n", "has no d1 accelerators"},
      {"fabric:\n  dojo_meshes:\n    - {name: m, trays: tray9}\n", "tray 'tray9' has 4 tiles"},
      {"fabric:\n  dojo_meshes:\n    - {name: m, trays: tray1, trays_per_row: 0}\n",
       "trays_per_row: expected at least 1"},
      {"fabric:\n  spines: []\n", "unknown key 'spines' in fabric"},
      {"fabric:\n  racks:\n    - {nodes: hw4-1}\n", "a rack needs 'name' and 'nodes'"},
      {"fabric:\n  leaves: leaf1\n", "fabric.leaves must be a list"},
  };
  for (const auto& tc : cases) {
    auto c = WithFabric(tc.fabric);
    ASSERT_FALSE(c.ok()) << tc.fabric;
    EXPECT_THAT(c.error().message, HasSubstr(tc.want)) << tc.fabric;
  }
}

}  // namespace
}  // namespace tatami
