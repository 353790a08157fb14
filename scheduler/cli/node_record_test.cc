#include "scheduler/cli/node_record.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tatami {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

v1::NodeInfo H100Node() {
  v1::NodeInfo n;
  n.set_name("h100-01");
  n.set_state(v1::NODE_MIXED);
  n.add_partitions("h100");
  n.set_cpus(112);
  n.set_cpus_allocated(28);
  n.set_memory_mib(2 * 1024 * 1024);
  n.set_memory_allocated_mib(65536);
  n.set_accelerator_kind("h100");
  n.set_accelerators(8);
  n.set_accelerators_allocated(2);
  n.add_features("ib");
  n.add_features("hgx");
  n.set_agent_address("10.0.0.1:6818");
  return n;
}

TEST(ScontrolNodeRecord, WhatANodeHoldsAndHasInSlurmsWords) {
  std::string record = ScontrolNodeRecord(H100Node(), /*one_line=*/false);
  EXPECT_TRUE(record.starts_with("NodeName=h100-01\n   CPUAlloc=28 CPUTot=112\n")) << record;
  for (const char* field :
       {"\n   AvailableFeatures=ib,hgx\n", "\n   Gres=gpu:h100:8\n",
        "\n   NodeAddr=10.0.0.1:6818\n", "\n   RealMemory=2097152 AllocMem=65536\n",
        "\n   State=MIXED\n", "\n   Partitions=h100\n",
        "\n   AllocTRES=cpu=28,mem=64.00G,gres/gpu=2\n"})
    EXPECT_THAT(record, HasSubstr(field));
  EXPECT_THAT(record, Not(HasSubstr("Reason=")));
}

TEST(ScontrolNodeRecord, ADrainShowsWithWhatRunsThereAndItsReason) {
  v1::NodeInfo n = H100Node();
  n.set_state(v1::NODE_DRAINING);
  n.set_reason("bad NVLink");
  EXPECT_THAT(ScontrolNodeRecord(n, false), HasSubstr("State=MIXED+DRAIN\n"));
  EXPECT_THAT(ScontrolNodeRecord(n, false), HasSubstr("\n   Reason=bad NVLink\n"));
  n.set_state(v1::NODE_DRAIN);
  n.set_cpus_allocated(0);
  n.set_accelerators_allocated(0);
  std::string drained = ScontrolNodeRecord(n, true);
  EXPECT_THAT(drained, HasSubstr(" State=IDLE+DRAIN "));
  EXPECT_THAT(drained, HasSubstr(" AllocTRES= "));
  EXPECT_EQ(drained.find('\n'), drained.size() - 1);
}

TEST(ScontrolPartitionRecord, LimitsNodesAndTotals) {
  v1::PartitionInfo p;
  p.set_name("h100");
  p.set_is_default(true);
  p.set_up(true);
  p.set_max_time_ms(24 * 3600 * 1000LL);
  p.add_nodes("h100-01");
  p.add_nodes("h100-02");
  v1::NodeInfo other = H100Node();
  other.set_name("h100-02");
  v1::NodeInfo elsewhere = H100Node();
  elsewhere.set_name("dojo-tray-01");
  std::string record = ScontrolPartitionRecord(p, {H100Node(), other, elsewhere}, false);
  EXPECT_EQ(record,
            "PartitionName=h100\n   Default=YES\n   MaxTime=1-00:00:00 DefaultTime=NONE\n"
            "   Nodes=h100-[01-02]\n   State=UP TotalCPUs=224 TotalNodes=2\n");
}

}  // namespace
}  // namespace tatami
