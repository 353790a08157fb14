#include "scheduler/resource_request.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tatami {
namespace {

PartitionConfig Part() {
  PartitionConfig p;
  p.name = "gpu";
  p.default_mem_per_cpu_mib = 100;
  return p;
}

TEST(ResourceRequest, TasksNodesCpusAndGpus) {
  v1::JobSpec s;
  s.set_nodes(2);
  s.set_ntasks_per_node(8);
  s.set_cpus_per_task(4);
  s.mutable_accelerators()->set_per_node(8);
  auto r = MakeResourceRequest(s, Part());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->nodes, 2u);
  EXPECT_EQ(r->tasks, 16u);
  EXPECT_EQ(r->cpus_per_node, 32u);
  EXPECT_EQ(r->accel_kind, "gpu");
  EXPECT_EQ(r->accel_per_node, 8u);
  EXPECT_EQ(r->mem_per_node_mib, 3200);  // default per CPU x CPUs
}

TEST(ResourceRequest, NtasksDerivesNodesAndTotalGpusSplit) {
  v1::JobSpec s;
  s.set_ntasks(16);
  s.set_ntasks_per_node(8);
  s.mutable_accelerators()->set_kind("h100");
  s.mutable_accelerators()->set_total(16);
  auto r = MakeResourceRequest(s, Part());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->nodes, 2u);
  EXPECT_EQ(r->accel_per_node, 8u);
}

TEST(ResourceRequest, ErrorsNameTheOptions) {
  v1::JobSpec s;
  s.set_nodes(2);
  s.mutable_accelerators()->set_total(3);
  EXPECT_THAT(MakeResourceRequest(s, Part()).error().message, ::testing::HasSubstr("--gpus=3"));
  v1::JobSpec t;
  t.set_nodes(4);
  t.set_ntasks(2);
  EXPECT_THAT(MakeResourceRequest(t, Part()).error().message,
              ::testing::HasSubstr("fewer than -N"));
}

TEST(ResourceRequest, GpusAloneFillWholeNodesFirst) {
  v1::JobSpec s;
  s.mutable_accelerators()->set_kind("h100");
  s.mutable_accelerators()->set_total(16);
  auto r = MakeResourceRequest(s, Part(), /*max_accel_per_node=*/8);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->nodes, 2u);
  EXPECT_EQ(r->accel_per_node, 8u);
  s.mutable_accelerators()->set_total(4);  // fits one node: never split
  r = MakeResourceRequest(s, Part(), 8);
  EXPECT_EQ(r->nodes, 1u);
  EXPECT_EQ(r->accel_per_node, 4u);
}

TEST(ResourceRequest, D1TilesAreOneRectangleWhateverTheNodeCount) {
  v1::JobSpec s;
  s.mutable_accelerators()->set_kind("d1");
  s.mutable_accelerators()->set_total(24);
  auto r = MakeResourceRequest(s, Part(), 6);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->tiles, 24u);
  EXPECT_EQ(r->nodes, 1u);
  EXPECT_EQ(r->accel_per_node, 0u);
  v1::JobSpec t;  // -N 2 --gres=d1:6 = 12 tiles
  t.set_nodes(2);
  t.mutable_accelerators()->set_kind("d1");
  t.mutable_accelerators()->set_per_node(6);
  EXPECT_EQ(MakeResourceRequest(t, Part())->tiles, 12u);
}

TEST(ResourceRequest, Hw4NeverGangsAcrossHosts) {
  v1::JobSpec s;
  s.set_nodes(2);
  s.mutable_accelerators()->set_kind("hw4");
  s.mutable_accelerators()->set_per_node(1);
  auto r = MakeResourceRequest(s, Part());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("use --array"));
  s.set_nodes(1);
  s.mutable_accelerators()->set_per_node(8);
  EXPECT_TRUE(MakeResourceRequest(s, Part()).ok());
}

}  // namespace
}  // namespace tatami
