#include "launcher/binding_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "launcher/job_environment.h"

namespace tatami {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::JobLaunch TwoNodeLaunch(const std::string& node) {
  v1::JobLaunch l;
  l.set_node(node);
  l.set_tasks(4);
  l.set_tasks_per_node(2);
  v1::JobInfo* job = l.mutable_job();
  job->set_job_id(7);
  const char* cpus[] = {"0-27", "28-55", "0-27", ""};
  for (uint32_t r = 0; r < 4; ++r) {
    v1::RankBinding* b = job->add_binding();
    b->set_rank(r);
    b->set_local_rank(r % 2);
    b->set_node(r < 2 ? "h100-01" : "h100-02");
    b->set_device(static_cast<int32_t>(r % 2));
    b->set_numa_node(0);
    b->set_cpus(cpus[r]);
    b->set_nic(r % 2 ? "mlx5_3" : "mlx5_0");
  }
  return l;
}

TEST(BindingFiles, OneLinePerRankOnThisNode) {
  EXPECT_EQ(BuildBindingFile(TwoNodeLaunch("h100-01")),
            "0 0 0 0 0-27 mlx5_0\n1 1 1 0 28-55 mlx5_3\n");
  EXPECT_EQ(BuildBindingFile(TwoNodeLaunch("h100-02")), "0 2 0 0 0-27 mlx5_0\n1 3 1 0 - mlx5_3\n");
}

TEST(BindingFiles, RankfileOnlyWhenEveryRankIsBound) {
  v1::JobLaunch l = TwoNodeLaunch("h100-01");
  EXPECT_EQ(BuildRankfile(l.job()), "");  // rank 3 has no cores
  l.mutable_job()->mutable_binding(3)->set_cpus("28-55");
  EXPECT_EQ(BuildRankfile(l.job()),
            "rank 0=h100-01 slot=0-27\nrank 1=h100-01 slot=28-55\n"
            "rank 2=h100-02 slot=0-27\nrank 3=h100-02 slot=28-55\n");
}

TEST(BindingFiles, FindRankBindingReadsBackWhatWasWritten) {
  std::string text = BuildBindingFile(TwoNodeLaunch("h100-02"));
  auto e = FindRankBinding(text, 0, "binding");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->ranks_on_node, 2u);
  EXPECT_EQ(e->rank.rank, 2u);
  EXPECT_EQ(e->rank.device, 0);
  EXPECT_EQ(e->rank.cpus.size(), 28u);
  EXPECT_EQ(e->rank.nic, "mlx5_0");
  auto unbound = FindRankBinding(text, 1, "binding");
  ASSERT_TRUE(unbound.ok());
  EXPECT_TRUE(unbound->rank.cpus.empty());
  EXPECT_THAT(FindRankBinding("0 0 0 0 0,2-3 -\n", 0, "b")->rank.cpus, ElementsAre(0, 2, 3));
  // A CPU-only rank: no device, no NUMA node.
  v1::JobLaunch cpu_only = TwoNodeLaunch("h100-01");
  cpu_only.mutable_job()->mutable_binding(0)->set_device(-1);
  cpu_only.mutable_job()->mutable_binding(0)->set_numa_node(-1);
  std::string cpu_text = BuildBindingFile(cpu_only);
  EXPECT_EQ(cpu_text.substr(0, cpu_text.find('\n')), "0 0 - - 0-27 mlx5_0");
  auto none = FindRankBinding(cpu_text, 0, "binding");
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_EQ(none->rank.device, -1);
  EXPECT_EQ(none->rank.numa_node, -1);
}

TEST(BindingFiles, BadFilesAreNamedByLine) {
  EXPECT_THAT(FindRankBinding("0 0 0 0 0-3 mlx5_0\n1 1 1\n", 1, "f").error().message,
              HasSubstr("f:2: expected 6 fields, got 3"));
  EXPECT_THAT(FindRankBinding("0 0 0 0 3-1 -\n", 0, "f").error().message,
              HasSubstr("f:1: bad cpu list '3-1'"));
  EXPECT_THAT(FindRankBinding("x 0 0 0 - -\n", 0, "f").error().message,
              HasSubstr("ranks must be integers"));
  EXPECT_THAT(FindRankBinding("0 0 0 0 - -\n", 5, "f").error().message,
              HasSubstr("no entry for local rank 5 (1 ranks on this node)"));
}

std::map<std::string, std::string> EnvOf(const v1::JobLaunch& l, const LaunchContext& ctx) {
  std::map<std::string, std::string> m;
  for (const auto& kv : BuildJobEnvironment(l, ctx))
    m[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
  return m;
}

TEST(BindingFiles, TheEnvironmentPointsAtTheFiles) {
  v1::JobLaunch l = TwoNodeLaunch("h100-01");
  LaunchContext ctx{"", "", "box", "/spool/binding", "/spool/rankfile", "eth7"};
  auto env = EnvOf(l, ctx);
  EXPECT_EQ(env["TATAMI_BINDING_FILE"], "/spool/binding");
  EXPECT_EQ(env["TATAMI_RANKFILE"], "/spool/rankfile");
  EXPECT_EQ(env.count("OMPI_MCA_rmaps_rank_file_path"), 0u);  // emulated: to read, not apply
  l.set_apply_rankfile(true);
  env = EnvOf(l, ctx);
  EXPECT_EQ(env["OMPI_MCA_rmaps_rank_file_path"], "/spool/rankfile");
  EXPECT_EQ(env["OMPI_MCA_rmaps_rank_file_physical"], "1");
  EXPECT_EQ(env["NCCL_SOCKET_IFNAME"], "eth7");
  l.mutable_job()->mutable_spec()->add_env("NCCL_SOCKET_IFNAME=ib0");  // the user's choice wins
  EXPECT_EQ(EnvOf(l, ctx)["NCCL_SOCKET_IFNAME"], "ib0");
}

TEST(BindingFiles, InterfaceWithAddress) {
  EXPECT_EQ(InterfaceWithAddress("127.0.0.1"), "lo");
  EXPECT_EQ(InterfaceWithAddress("192.0.2.254"), "");  // TEST-NET: nobody's
  EXPECT_EQ(InterfaceWithAddress("not-an-ip"), "");
}

}  // namespace
}  // namespace tatami
