#include "topology/binding.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

namespace tatami {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Pair;

NodeTopology Hgx() {
  auto c = LoadClusterConfig(std::string(TATAMI_SOURCE_DIR) + "/configs/local.yaml");
  EXPECT_TRUE(c.ok()) << c.error().message;
  auto t = DiscoverNode(*c->FindNode("h100-01"), *c);
  EXPECT_TRUE(t.ok()) << t.error().message;
  return *t;
}

TEST(Binding, EightRanksOnAnHgxNodeFollowTheirGpusSockets) {
  NodeTopology topo = Hgx();
  NodeRanks node{"h100-02", 1, {0, 1, 2, 3, 4, 5, 6, 7}, 8, 8, false};
  auto ranks = BindNodeRanks(topo, node);
  ASSERT_EQ(ranks.size(), 8u);
  std::set<uint32_t> seen;
  std::set<std::string> socket0_nics, socket1_nics;
  for (const auto& r : ranks) {
    EXPECT_EQ(r.rank, 8 + r.local_rank);
    EXPECT_EQ(r.device, static_cast<int32_t>(r.local_rank));
    EXPECT_EQ(r.numa_node, r.local_rank < 4 ? 0 : 1) << "rank " << r.rank;
    const auto& local = topo.devices[r.local_rank].local_cpus;
    EXPECT_EQ(r.cpus.size(), local.size() / 4);  // four ranks share a socket's cores
    for (uint32_t c : r.cpus) {
      EXPECT_THAT(local, Contains(c)) << "rank " << r.rank << " cpu " << c;
      EXPECT_TRUE(seen.insert(c).second) << "cpu " << c << " given twice";
    }
    (r.local_rank < 4 ? socket0_nics : socket1_nics).insert(r.nic);
  }
  // Each rank has its own NIC, and socket 0's NICs are not socket 1's.
  EXPECT_EQ(socket0_nics.size(), 4u);
  EXPECT_EQ(socket1_nics.size(), 4u);
  for (const auto& nic : socket0_nics) EXPECT_EQ(socket1_nics.count(nic), 0u) << nic;
  EXPECT_EQ(ranks[0].nic, topo.devices[0].closest_nic);
  EXPECT_EQ(ranks[7].nic, "mlx5_11");
}

TEST(Binding, RankfileAndEnvironmentRealiseTheBinding) {
  NodeTopology topo = Hgx();
  NodeRanks node{"h100-01", 0, {4, 5}, 2, 0, false};
  auto ranks = BindNodeRanks(topo, node);
  std::string rankfile = Rankfile(ranks);
  EXPECT_THAT(rankfile, HasSubstr("rank 0=h100-01 slot=" + CpuRanges(ranks[0].cpus) + "\n"));
  EXPECT_THAT(rankfile, HasSubstr("rank 1=h100-01 slot="));
  for (uint32_t c : ranks[0].cpus) EXPECT_THAT(topo.devices[4].local_cpus, Contains(c));

  auto env = RankEnvironment(ranks[1], node, 16, "h100-01", MasterPort(42), /*gpus=*/true);
  EXPECT_THAT(env, Contains(Pair("RANK", "1")));
  EXPECT_THAT(env, Contains(Pair("LOCAL_RANK", "1")));
  EXPECT_THAT(env, Contains(Pair("WORLD_SIZE", "16")));
  EXPECT_THAT(env, Contains(Pair("LOCAL_WORLD_SIZE", "2")));
  EXPECT_THAT(env, Contains(Pair("MASTER_ADDR", "h100-01")));
  EXPECT_THAT(env, Contains(Pair("MASTER_PORT", std::to_string(MasterPort(42)))));
  EXPECT_THAT(env, Contains(Pair("CUDA_DEVICE_ORDER", "PCI_BUS_ID")));
  EXPECT_THAT(env, Contains(Pair("CUDA_VISIBLE_DEVICES", "4,5")));
  EXPECT_THAT(env, Contains(Pair("TATAMI_DEVICE", "5")));
  EXPECT_THAT(env, Contains(Pair("NCCL_IB_HCA", "=" + topo.devices[5].closest_nic)));
  EXPECT_NE(MasterPort(42), MasterPort(43));
}

TEST(Binding, JobsOnOneSocketNeverShareCores) {
  NodeTopology topo = Hgx();
  // Job A holds GPUs 0-1, job B GPUs 2-3: all on socket 0.
  auto a = BindNodeRanks(topo, NodeRanks{"h100-01", 0, {0, 1}, 2, 0, false});
  auto b = BindNodeRanks(topo, NodeRanks{"h100-01", 0, {2, 3}, 2, 0, false});
  std::set<uint32_t> used;
  for (const auto* job : {&a, &b})
    for (const auto& r : *job)
      for (uint32_t c : r.cpus) EXPECT_TRUE(used.insert(c).second) << "cpu " << c << " twice";
  EXPECT_EQ(used.size(), topo.devices[0].local_cpus.size());
  // Two ranks driving one GPU split that GPU's 28 cores.
  auto pair = BindNodeRanks(topo, NodeRanks{"h100-01", 0, {6}, 2, 0, false});
  EXPECT_EQ(pair[0].device, 6);
  EXPECT_EQ(pair[1].device, 6);
  EXPECT_EQ(pair[0].cpus.size(), 14u);
  EXPECT_EQ(pair[1].cpus.size(), 14u);
  EXPECT_NE(pair[0].cpus, pair[1].cpus);
}

// An agent names its devices as it likes (CUDA's indices, 4 and 5 here);
// two ranks on them still split their shared cores, within bounds.
TEST(Binding, DevicesSplitTheirCoresWhateverTheirIndices) {
  NodeTopology topo;
  topo.cpus = 8;
  for (uint32_t index : {4u, 5u}) {
    DeviceTopology d;
    d.index = index;
    d.local_cpus = {0, 1, 2, 3, 4, 5, 6, 7};
    topo.devices.push_back(d);
  }
  auto ranks = BindNodeRanks(topo, NodeRanks{"n1", 0, {0, 1}, 2, 0, false});
  ASSERT_EQ(ranks.size(), 2u);
  EXPECT_EQ(CpuRanges(ranks[0].cpus), "0-3");
  EXPECT_EQ(CpuRanges(ranks[1].cpus), "4-7");
}

TEST(Binding, RanksWithoutDevicesAreBoundOnlyOnAWholeNode) {
  NodeTopology topo;
  topo.cpus = 10;
  auto shared = BindNodeRanks(topo, NodeRanks{"cpu1", 0, {}, 4, 0, false});
  for (const auto& r : shared) EXPECT_TRUE(r.cpus.empty()) << "rank " << r.rank;
  auto ranks = BindNodeRanks(topo, NodeRanks{"cpu1", 0, {}, 4, 0, true});
  ASSERT_EQ(ranks.size(), 4u);
  EXPECT_EQ(CpuRanges(ranks[0].cpus), "0-1");
  EXPECT_EQ(CpuRanges(ranks[1].cpus), "2-4");
  EXPECT_EQ(CpuRanges(ranks[3].cpus), "7-9");
  EXPECT_EQ(ranks[2].device, -1);
  auto env =
      RankEnvironment(ranks[2], NodeRanks{"cpu1", 0, {}, 4, 0, true}, 4, "cpu1", 20000, false);
  for (const auto& [k, v] : env) EXPECT_NE(k, "CUDA_VISIBLE_DEVICES");
  // More ranks than cores: they share, none is left without a core.
  auto crowded = BindNodeRanks(topo, NodeRanks{"cpu1", 0, {}, 12, 0, true});
  for (const auto& r : crowded) EXPECT_EQ(r.cpus.size(), 1u) << "rank " << r.rank;
}

TEST(Binding, CpuRanges) {
  EXPECT_EQ(CpuRanges({}), "");
  EXPECT_EQ(CpuRanges({3}), "3");
  EXPECT_EQ(CpuRanges({5, 0, 1, 2, 8, 9}), "0-2,5,8-9");
}

}  // namespace
}  // namespace tatami
