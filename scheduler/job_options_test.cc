#include "scheduler/job_options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tatami {
namespace {

using ::testing::HasSubstr;

constexpr const char* kConfig = R"(
nodes:
  - {name: h100-01, cpus: 64, memory: 1T, accelerators: {kind: h100, count: 8}}
  - {name: tray-01, cpus: 64, memory: 512G, accelerators: {kind: d1, count: 6}}
  - {name: hw4-01, cpus: 40, memory: 128G, accelerators: {kind: hw4, count: 8}}
  - {name: cpu-01, cpus: 64, memory: 256G}
partitions:
  - {name: h100, nodes: h100-01, default: true}
  - {name: dojo, nodes: tray-01}
  - {name: hw4, nodes: hw4-01}
  - {name: cpu, nodes: cpu-01}
  - {name: spot, nodes: "h100-01,hw4-01"}
throughput:
  vision: {h100: 1.0, d1: 1.3, hw4: 0.45}
  language: {h100: 1.0, d1: 0.8}
  edge: {hw4: 1.0}
)";

ClusterConfig Config() {
  auto c = ParseClusterConfig(kConfig, "t.yaml");
  EXPECT_TRUE(c.ok()) << c.error().message;
  return *c;
}

Status Resolve(v1::JobSpec& spec) {
  ClusterConfig config = Config();
  return ResolveJobOptions(spec, config, LargestNodesOf(config));
}

v1::JobSpec Gpus(const std::string& kind, uint32_t total) {
  v1::JobSpec spec;
  spec.mutable_accelerators()->set_kind(kind);
  spec.mutable_accelerators()->set_total(total);
  return spec;
}

void Accept(v1::JobSpec& spec, const std::string& kind, uint32_t total, double speed) {
  v1::AcceleratorOption* o = spec.add_accelerator_options();
  o->mutable_accelerators()->set_kind(kind);
  o->mutable_accelerators()->set_total(total);
  o->set_speed(speed);
}

TEST(JobOptions, EachAlternativeGoesToAPartitionWithItsKind) {
  v1::JobSpec spec = Gpus("h100", 8);
  Accept(spec, "d1", 1, 1.3);
  Accept(spec, "hw4", 8, 0.4);
  ASSERT_TRUE(Resolve(spec).ok());
  EXPECT_EQ(spec.partition(), "h100");  // the default: it has h100
  EXPECT_EQ(spec.accelerator_options(0).partition(), "dojo");
  EXPECT_EQ(spec.accelerator_options(1).partition(), "hw4");
  EXPECT_FALSE(spec.accelerator_options(0).from_class());

  v1::JobSpec d1 = SpecForOption(spec, 1);
  EXPECT_EQ(d1.partition(), "dojo");
  EXPECT_EQ(d1.accelerators().kind(), "d1");
  EXPECT_EQ(SpecForOption(spec, 0).accelerators().kind(), "h100");
}

TEST(JobOptions, PartitionsListedWithDashPAreTheOnlyOnesUsed) {
  v1::JobSpec spec = Gpus("h100", 8);
  spec.set_partition("dojo,h100");
  Accept(spec, "d1", 1, 1.3);
  ASSERT_TRUE(Resolve(spec).ok());
  EXPECT_EQ(spec.partition(), "h100");  // the first listed that has the main kind
  EXPECT_EQ(spec.accelerator_options(0).partition(), "dojo");

  v1::JobSpec only_h100 = Gpus("h100", 8);
  only_h100.set_partition("h100");
  Accept(only_h100, "d1", 1, 1.3);
  Status s = Resolve(only_h100);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message,
              HasSubstr("alternative d1:1: no partition the job may use (h100) has d1; list one "
                        "with -p, such as -p h100,dojo"));

  v1::JobSpec no_speed = Gpus("h100", 8);
  Accept(no_speed, "d1", 1, 0);
  s = Resolve(no_speed);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("alternative d1:1: a speed is a number above 0"));

  v1::JobSpec bogus = Gpus("h100", 8);
  bogus.set_partition("h100,gpu");
  s = Resolve(bogus);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("invalid partition 'gpu' (partitions: h100, dojo"));
}

TEST(JobOptions, EveryOptionMayAlsoRunInTheOtherListedPartitionsWithItsKind) {
  // -p h100,spot: the 8 H100 may start in either; the HW4 boards only in
  // spot, the one listed partition that has them.
  v1::JobSpec spec = Gpus("h100", 8);
  spec.set_partition("h100,spot");
  Accept(spec, "hw4", 8, 0.4);
  ASSERT_TRUE(Resolve(spec).ok());
  EXPECT_EQ(spec.partition(), "h100");
  ASSERT_EQ(spec.accelerator_options_size(), 2);
  EXPECT_EQ(spec.accelerator_options(0).partition(), "spot");
  EXPECT_EQ(spec.accelerator_options(0).accelerators().kind(), "hw4");
  EXPECT_FALSE(spec.accelerator_options(0).from_partition_list());
  const v1::AcceleratorOption& copy = spec.accelerator_options(1);
  EXPECT_EQ(copy.partition(), "spot");
  EXPECT_EQ(copy.accelerators().kind(), "h100");
  EXPECT_EQ(copy.accelerators().total(), 8u);
  EXPECT_DOUBLE_EQ(copy.speed(), 1.0);
  EXPECT_TRUE(copy.from_partition_list());
  EXPECT_EQ(SpecForOption(spec, 2).partition(), "spot");

  // A job without accelerators may run in any listed partition.
  v1::JobSpec cpus;
  cpus.set_partition("cpu,spot");
  ASSERT_TRUE(Resolve(cpus).ok());
  ASSERT_EQ(cpus.accelerator_options_size(), 1);
  EXPECT_EQ(cpus.accelerator_options(0).partition(), "spot");
  EXPECT_EQ(DescribeShape(cpus.accelerator_options(0).accelerators()), "no accelerators");

  // One partition, or none listed: nothing added.
  v1::JobSpec one = Gpus("h100", 8);
  one.set_partition("spot");
  ASSERT_TRUE(Resolve(one).ok());
  EXPECT_EQ(one.accelerator_options_size(), 0);
  v1::JobSpec none = Gpus("h100", 8);
  ASSERT_TRUE(Resolve(none).ok());
  EXPECT_EQ(none.accelerator_options_size(), 0);

  // A class's alternatives are copied too, and nothing twice.
  v1::JobSpec vision = Gpus("h100", 8);
  vision.set_partition("h100,dojo,spot");
  vision.set_job_class("vision");
  ASSERT_TRUE(Resolve(vision).ok());
  std::vector<std::string> got;
  for (const auto& o : vision.accelerator_options())
    got.push_back(DescribeShape(o.accelerators()) + "@" + o.partition());
  EXPECT_THAT(got, ::testing::ElementsAre("d1:1@dojo", "hw4:8@spot", "h100:8@spot"));
  EXPECT_EQ(PartitionsOf([&] {
              v1::JobInfo j;
              *j.mutable_spec() = vision;
              return j;
            }()),
            "h100,dojo,spot");
}

TEST(JobOptions, AJobClassAcceptsEveryKindItHasASpeedFor) {
  v1::JobSpec spec = Gpus("h100", 16);
  spec.set_job_class("vision");
  ASSERT_TRUE(Resolve(spec).ok());
  ASSERT_EQ(spec.accelerator_options_size(), 2);
  const auto& d1 = spec.accelerator_options(0);
  EXPECT_EQ(d1.accelerators().kind(), "d1");
  EXPECT_EQ(d1.accelerators().total(), 2u);  // 16 H100 = 2 tiles of 8 H100-equivalents
  EXPECT_DOUBLE_EQ(d1.speed(), 1.3);
  EXPECT_EQ(d1.partition(), "dojo");
  EXPECT_TRUE(d1.from_class());
  const auto& hw4 = spec.accelerator_options(1);
  EXPECT_EQ(hw4.accelerators().total(), 16u);
  EXPECT_DOUBLE_EQ(hw4.speed(), 0.45);

  // Speeds are relative to the main request's kind; a per-node request counts -N.
  v1::JobSpec on_tiles;
  on_tiles.mutable_accelerators()->set_kind("d1");
  on_tiles.mutable_accelerators()->set_per_node(1);
  on_tiles.set_nodes(3);
  on_tiles.set_job_class("language");
  ASSERT_TRUE(Resolve(on_tiles).ok());
  EXPECT_EQ(on_tiles.partition(), "h100");  // the default, unchanged: the cycle finds it infeasible
  ASSERT_EQ(on_tiles.accelerator_options_size(), 1);
  EXPECT_EQ(on_tiles.accelerator_options(0).accelerators().total(), 24u);
  EXPECT_DOUBLE_EQ(on_tiles.accelerator_options(0).speed(), 1.0 / 0.8);
}

TEST(JobOptions, TheUsersOwnAlternativeForAKindBeatsTheClasss) {
  v1::JobSpec spec = Gpus("gpu", 8);  // "gpu" reads as h100
  spec.set_job_class("vision");
  Accept(spec, "d1", 2, 1.1);
  ASSERT_TRUE(Resolve(spec).ok());
  ASSERT_EQ(spec.accelerator_options_size(), 2);
  EXPECT_EQ(spec.accelerator_options(0).accelerators().total(), 2u);
  EXPECT_DOUBLE_EQ(spec.accelerator_options(0).speed(), 1.1);
  EXPECT_EQ(spec.accelerator_options(1).accelerators().kind(), "hw4");
}

// tatami update -p: a resolved spec moved elsewhere is resolved as if it
// had been submitted there. The class's alternatives and the -p list's
// copies are rebuilt for the new partitions; the user's own alternative
// stays, in a partition of the new list that has its kind.
TEST(JobOptions, AJobMovedToOtherPartitionsIsResolvedAgainThere) {
  v1::JobSpec spec = Gpus("h100", 8);
  spec.set_job_class("vision");
  spec.set_partition("h100,spot");
  Accept(spec, "hw4", 4, 0.3);
  ASSERT_TRUE(Resolve(spec).ok());
  ASSERT_GT(spec.accelerator_options_size(), 1);  // the user's, and the copies in spot
  // The main partition is resolved; the list is kept, for a later update.
  EXPECT_EQ(spec.partition(), "h100");
  EXPECT_EQ(spec.partitions_listed(), "h100,spot");

  MoveToPartitions(spec, "spot,dojo");
  ASSERT_TRUE(Resolve(spec).ok());
  EXPECT_EQ(spec.partition(), "spot");
  EXPECT_EQ(spec.partitions_listed(), "spot,dojo");
  std::vector<std::string> options;
  for (const auto& o : spec.accelerator_options())
    options.push_back(DescribeShape(o.accelerators()) + " in " + o.partition() + " at " +
                      FormatSpeed(o.speed()) + (o.from_class() ? " (class)" : "") +
                      (o.from_partition_list() ? " (-p list)" : ""));
  EXPECT_THAT(options,
              ::testing::ElementsAre("hw4:4 in spot at 0.3x", "d1:1 in dojo at 1.3x (class)"));

  MoveToPartitions(spec, "hw4");
  ASSERT_TRUE(Resolve(spec).ok());
  EXPECT_EQ(spec.partition(), "hw4");
  ASSERT_EQ(spec.accelerator_options_size(), 1);
  EXPECT_EQ(spec.accelerator_options(0).partition(), "hw4");
  EXPECT_FALSE(spec.accelerator_options(0).from_class());
}

TEST(JobOptions, JobClassErrorsSayWhatWasWanted) {
  v1::JobSpec unknown = Gpus("h100", 8);
  unknown.set_job_class("speech");
  Status s = Resolve(unknown);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message,
              HasSubstr("--job-class: unknown class 'speech' (the config's throughput table has: "
                        "vision, language, edge)"));

  v1::JobSpec no_speed = Gpus("h100", 8);
  no_speed.set_job_class("edge");
  s = Resolve(no_speed);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message,
              HasSubstr("--job-class=edge: the throughput table has no speed for h100"));

  v1::JobSpec cpu_only;
  cpu_only.set_job_class("vision");
  s = Resolve(cpu_only);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().message, HasSubstr("--job-class needs an accelerator request"));
}

TEST(JobOptions, PartitionsOfAJobArePendingsChoicesThenWhereItRan) {
  v1::JobInfo job;
  *job.mutable_spec() = Gpus("h100", 8);
  Accept(*job.mutable_spec(), "d1", 1, 1.3);
  Accept(*job.mutable_spec(), "hw4", 8, 0.4);
  ASSERT_TRUE(Resolve(*job.mutable_spec()).ok());
  EXPECT_EQ(PartitionsOf(job), "h100,dojo,hw4");
  job.set_partition("dojo");
  EXPECT_EQ(PartitionsOf(job), "dojo");
}

}  // namespace
}  // namespace tatami
