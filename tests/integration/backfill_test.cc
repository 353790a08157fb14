// Backfill settings from the cluster config reach tatamid's cycle.
#include <gtest/gtest.h>

#include <chrono>

#include "tests/integration/local_cluster.h"
#include "tests/integration/temp_config.h"

namespace tatami::testing {
namespace {

using std::chrono::seconds;

// backfill_max_jobs: 1 (Slurm's bf_max_job_test=1): of two jobs blocked
// behind a running one, only the first is planned; the second shows no
// start. With the default (64) both are (TheSimulatorMakesTheDaemonsBackfillDecisions).
TEST(SmallCluster, BackfillPlansOnlyAsManyBlockedJobsAsTheConfigSays) {
  TempConfig config;
  config.Write("backfill_max_jobs: 1\n" + SmallClusterYaml());
  LocalCluster cluster(config.path());
  ASSERT_TRUE(cluster.ok()) << cluster.up_output();
  std::string running = cluster.Value(
      "sbatch --parsable --exclusive -t 10 --wrap='while [ ! -e go ]; do sleep 0.05; done'");
  ASSERT_TRUE(
      LocalCluster::Eventually([&] { return cluster.QueueState(running) == "R"; }, seconds(20)));
  std::string first = cluster.Value("sbatch --parsable -H --exclusive -t 10 --wrap=true");
  std::string second = cluster.Value("sbatch --parsable -H --exclusive -t 10 --wrap=true");
  // Released in one request, so that one cycle weighs both.
  ASSERT_EQ(cluster.Run("tatami release " + first + "," + second).exit_code, 0);
  ASSERT_TRUE(LocalCluster::Eventually(
      [&] { return cluster.Value("squeue -h -j " + first + " -o %S") != "N/A"; }, seconds(20)));
  EXPECT_EQ(cluster.Value("squeue -h -j " + second + " -o %S"), "N/A");
  EXPECT_EQ(cluster.Value("squeue -h -j " + second + " -o %r"), "Resources");
  ASSERT_EQ(cluster.Run("touch go").exit_code, 0);
  EXPECT_EQ(cluster.Run("tatami wait " + running + " " + first + " " + second).exit_code, 0);
}

}  // namespace
}  // namespace tatami::testing
