// tatami requeue (Slurm's scontrol requeue and requeuehold), end to end: a
// running job's run ends as a cancel's does, with a SIGTERM the job sees,
// and the job is queued again; its next run counts a restart.
#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/integration/cluster_fixture.h"

namespace tatami::testing {
namespace {

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
  ASSERT_TRUE(LocalCluster::Eventually(
      [&] { return cluster_.Value("squeue -h -j " + job + " -o %t:%r") == "PD:JobHeldUser"; },
      std::chrono::seconds(20)));
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
  std::string job = Submit(
      "--wrap='trap \"echo ignoring TERM\" TERM; touch stubborn.ready; while :; do sleep 0.05; "
      "done'");
  ASSERT_TRUE(ReadyEventually("stubborn"));
  ASSERT_EQ(cluster_.Run("tatami requeue --hold " + job).exit_code, 0);
  ASSERT_EQ(cluster_.Run("scancel " + job).exit_code, 0);
  EXPECT_NE(Wait(job), 0);
  EXPECT_EQ(cluster_.AcctState(job), "CANCELLED by 0");
}

TEST_F(ClusterTest, RequeueErrorsSayWhatWasWanted) {
  std::string running = Submit(Blocker());
  ASSERT_TRUE(ReadyEventually());
  std::string done = Submit("--wrap=true");
  ASSERT_EQ(Wait(done), 0);
  std::string pending = Submit("-H --wrap=true");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"tatami requeue", "tatami requeue: error: no job ids given\n"},
      {"tatami requeue --now " + running, "tatami requeue: error: unrecognized option '--now'\n"},
      {"tatami requeue " + pending, "tatami requeue: error: Job " + pending +
                                        " is PENDING: only a running job can be "
                                        "requeued\n"},
      {"tatami requeue " + done, "tatami requeue: error: Job " + done + " is already COMPLETED\n"},
      {"tatami requeue 99999", "tatami requeue: error: Invalid job id specified: 99999\n"},
      {"runuser -u nobody -- env TATAMI_CONTROLLER=$(cat $TATAMI_STATE_DIR/controller.addr) "
       "tatami requeue " +
           running,
       "tatami requeue: error: Job " + running + " belongs to root: access denied\n"},
  };
  for (const auto& [command, error] : cases) {
    if (command.starts_with("runuser") && geteuid() != 0) continue;  // only root can be nobody
    CommandResult r = cluster_.Run(command);
    EXPECT_NE(r.exit_code, 0) << command;
    EXPECT_EQ(r.err, error) << command;
  }
  EXPECT_EQ(cluster_.QueueState(running), "R");
  EXPECT_EQ(cluster_.Value("squeue -h -j " + pending + " -o %t:%r"), "PD:JobHeldUser");
  Release();
  EXPECT_EQ(Wait(running), 0);
}

}  // namespace
}  // namespace tatami::testing
