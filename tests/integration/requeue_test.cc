// tatami requeue (Slurm's scontrol requeue and requeuehold), end to end: a
// running job's run ends as a cancel's does, with a SIGTERM the job sees,
// and the job is queued again; its next run counts a restart.
#include <gtest/gtest.h>

#include "tests/integration/cluster_fixture.h"

namespace tatami::testing {
namespace {

// sbatch options for a job that ignores SIGTERM (so a requeue's run lasts
// until kill_wait's SIGKILL) and touches READY.ready once it runs.
std::string IgnoringTerm(const std::string& ready) {
  return "--wrap='trap \"echo ignoring TERM\" TERM; touch " + ready +
         ".ready; while :; do sleep 0.05; done'";
}

// Until the requeued job is pending and held (tatami requeue --hold).
bool HeldAgainEventually(const LocalCluster& cluster, const std::string& job) {
  return LocalCluster::Eventually(
      [&] { return cluster.Value("squeue -h -j " + job + " -o %t:%r") == "PD:JobHeldUser"; },
      std::chrono::seconds(20));
}

// Each run appends "run N" to runs.log, traps SIGTERM (noting it there),
// touches runN.ready and waits for `go`.
TEST_F(ClusterTest, RequeueEndsARunWithSigtermAndQueuesTheJobAgain) {
  std::string job = Submit(
      "--wrap='echo run $SLURM_RESTART_COUNT >> runs.log; trap \"echo got TERM >> runs.log; exit "
      "143\" TERM; touch run$SLURM_RESTART_COUNT.ready; while [ ! -e go ]; do sleep 0.05; done'");
  ASSERT_TRUE(ReadyEventually("run0"));
  CommandResult requeued = cluster_.Run("tatami requeue " + job);
  ASSERT_EQ(requeued.exit_code, 0) << requeued.err;
  EXPECT_EQ(requeued.err, "");
  ASSERT_TRUE(ReadyEventually("run1"));

  // --hold: queued again, but held until released.
  ASSERT_EQ(cluster_.Run("tatami requeue --hold " + job).exit_code, 0);
  ASSERT_TRUE(HeldAgainEventually(cluster_, job));
  ASSERT_EQ(cluster_.Run("tatami release " + job).exit_code, 0);
  ASSERT_TRUE(ReadyEventually("run2"));
  Release();
  ASSERT_EQ(Wait(job), 0);
  EXPECT_EQ(cluster_.Run("cat runs.log").out, "run 0\ngot TERM\nrun 1\ngot TERM\nrun 2\n");
  EXPECT_EQ(cluster_.Value("sacct -n -P -j " + job + " -o State,Restarts"), "COMPLETED|2");
}

// A job cancelled while a requeue ends its run (it ignores SIGTERM, so the
// run lasts until kill_wait's SIGKILL) ends CANCELLED, not queued again.
TEST_F(ClusterTest, ACancelWhileARequeueEndsTheRunEndsTheJob) {
  std::string job = Submit(IgnoringTerm("stubborn"));
  ASSERT_TRUE(ReadyEventually("stubborn"));
  ASSERT_EQ(cluster_.Run("tatami requeue --hold " + job).exit_code, 0);
  ASSERT_EQ(cluster_.Run("scancel " + job).exit_code, 0);
  EXPECT_NE(Wait(job), 0);
  EXPECT_EQ(cluster_.AcctState(job), "CANCELLED by 0");
}

// A node lost while tatami requeue ends a run (the job ignores SIGTERM, so
// the run lasts until kill_wait's SIGKILL, and its agent dies first): the
// job is queued again, as the requeue asked, not failed with its node,
// though it did not ask for --requeue itself.
TEST_F(ClusterTest, ANodeLostWhileARequeueEndsTheRunQueuesTheJobAgain) {
  std::string job = Submit("-w h100-02 " + IgnoringTerm("lost"));
  ASSERT_TRUE(ReadyEventually("lost"));
  ASSERT_EQ(cluster_.Run("tatami requeue --hold " + job).exit_code, 0);
  ASSERT_TRUE(LocalCluster::KillAndReap(cluster_.AgentPid("h100-02")));
  EXPECT_TRUE(HeldAgainEventually(cluster_, job)) << cluster_.Run("squeue -j " + job).out;
  // The agent comes back and kills the run its predecessor left.
  ASSERT_EQ(cluster_.Run("tatami local up").exit_code, 0);
  ASSERT_EQ(cluster_.Run("scancel " + job).exit_code, 0);
  EXPECT_EQ(Wait(job), 1);
  EXPECT_EQ(cluster_.AcctState(job), "CANCELLED by 0");
}

}  // namespace
}  // namespace tatami::testing
