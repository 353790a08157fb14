#include "scheduler/cli/step_layout.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tatami {
namespace {

using ::testing::HasSubstr;

const std::vector<std::string> kNodes = {"h100-01", "h100-02", "h100-03"};

// "rank@node/local" per task, in rank order.
std::string Shape(const Result<std::vector<StepTask>>& tasks) {
  if (!tasks) return "error: " + tasks.error().message;
  std::string out;
  for (const StepTask& t : *tasks)
    out += (out.empty() ? "" : " ") + std::to_string(t.rank) + "@" + t.node.substr(5) + "/" +
           std::to_string(t.local_rank) + "n" + std::to_string(t.node_index);
  return out;
}

TEST(LayOutStep, ByDefaultTheJobsTasksSpreadEvenlyFirstNodesTakingTheRemainder) {
  EXPECT_EQ(Shape(LayOutStep(kNodes, 3, {})), "0@01/0n0 1@02/0n1 2@03/0n2");
  EXPECT_EQ(Shape(LayOutStep(kNodes, 0, {})), "0@01/0n0 1@02/0n1 2@03/0n2");  // one a node
  EXPECT_EQ(Shape(LayOutStep(kNodes, 0, {.ntasks = 5})),
            "0@01/0n0 1@01/1n0 2@02/0n1 3@02/1n1 4@03/0n2");
}

TEST(LayOutStep, TasksPerNodeFillOneNodeBeforeTheNext) {
  EXPECT_EQ(Shape(LayOutStep(kNodes, 3, {.nodes = 2, .ntasks_per_node = 2})),
            "0@01/0n0 1@01/1n0 2@02/0n1 3@02/1n1");
  EXPECT_EQ(Shape(LayOutStep(kNodes, 3, {.ntasks = 3, .ntasks_per_node = 2})),
            "0@01/0n0 1@01/1n0 2@02/0n1");
}

TEST(LayOutStep, FewerTasksThanNodesUseFewerNodes) {
  EXPECT_EQ(Shape(LayOutStep(kNodes, 3, {.ntasks = 2})), "0@01/0n0 1@02/0n1");
}

TEST(LayOutStep, WhatDoesNotFitIsRefusedNamingTheOption) {
  EXPECT_THAT(Shape(LayOutStep(kNodes, 3, {.nodes = 4})),
              HasSubstr("--nodes=4: the job has only 3 nodes"));
  EXPECT_THAT(Shape(LayOutStep(kNodes, 3, {.ntasks = 7, .ntasks_per_node = 2})),
              HasSubstr("--ntasks=7 does not fit 2 per node on 3 nodes"));
  EXPECT_THAT(Shape(LayOutStep(kNodes, 3, {.ntasks = 1, .nodes = 2})),
              HasSubstr("--ntasks=1 is fewer than --nodes=2"));
  EXPECT_THAT(Shape(LayOutStep({}, 3, {})), HasSubstr("the job has no nodes"));
}

}  // namespace
}  // namespace tatami
