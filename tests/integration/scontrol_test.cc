// scontrol, end to end: what job scripts and users type on a Slurm cluster
// works here. A two-node job finds its hosts with `scontrol show hostnames`
// (the MASTER_ADDR line of every torchrun and NCCL launch script), `show
// job|node|partition` answer with Slurm's KEY=VALUE fields, and hold,
// release, update and node drain/resume carry out tatami's commands of
// those names.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/hostlist.h"
#include "base/strings.h"
#include "tests/integration/cluster_fixture.h"

namespace tatami::testing {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;

TEST_F(ClusterTest, AJobFindsItsHostsAndItsOwnRecordWithScontrol) {
  std::string job = Submit(
      "-N 2 --gpus-per-node=1 -o hosts.out --wrap='scontrol show hostnames; "
      "scontrol show job $SLURM_JOB_ID | grep -o \"JobState=[A-Z]*\"'");
  ASSERT_EQ(Wait(job), 0);
  EXPECT_EQ(cluster_.Run("cat hosts.out").out, "h100-01\nh100-02\nJobState=RUNNING\n");

  std::string record = cluster_.Run("scontrol show job " + job).out;
  EXPECT_TRUE(record.starts_with("JobId=" + job + " JobName=wrap\n")) << record;
  EXPECT_THAT(record, HasSubstr("\n   JobState=COMPLETED Reason=None "));
  EXPECT_THAT(record, HasSubstr(" ExitCode=0:0\n"));
  EXPECT_THAT(record, HasSubstr("\n   NodeList=h100-[01-02]\n   NumNodes=2 "));
  EXPECT_THAT(record, HasSubstr("\n   WorkDir=" + cluster_.dir() + "\n"));
  EXPECT_THAT(record, HasSubstr("\n   StdOut=" + cluster_.dir() + "/hosts.out\n"));
  std::string one_line = cluster_.Run("scontrol -o show job " + job).out;
  EXPECT_EQ(Split(one_line, '\n').size(), 2u) << one_line;  // the line, then ""
  EXPECT_THAT(one_line, HasSubstr(" JobState=COMPLETED "));

  EXPECT_EQ(cluster_.Run("scontrol show hostnames 'dojo-tray-01,h100-[01-02]'").out,
            "dojo-tray-01\nh100-01\nh100-02\n");
  // Slurm's: hostlist keeps the order given, hostlistsorted sorts.
  EXPECT_EQ(cluster_.Value("scontrol show hostlist h100-02,h100-01"), "h100-[02,01]");
  EXPECT_EQ(cluster_.Value("scontrol show hostlistsorted h100-02 h100-01"), "h100-[01-02]");
}

TEST_F(ClusterTest, ScontrolHoldsReleasesUpdatesAndDrainsAsTatamisCommandsDo) {
  auto NodeLine = [&](const std::string& node) {
    for (const auto& line : Split(cluster_.Run("sinfo -h -N -o '%N|%t|%E'").out, '\n'))
      if (line.starts_with(node + "|")) return line;
    return std::string();
  };
  std::string held = Submit("-H -t 10 --wrap=true");
  ASSERT_EQ(cluster_.Run("scontrol update JobId=" + held + " TimeLimit=20").exit_code, 0);
  EXPECT_EQ(cluster_.Value("squeue -h -o %l -j " + held), "00:20:00");
  ASSERT_EQ(cluster_.Run("scontrol release " + held).exit_code, 0);
  ASSERT_EQ(Wait(held), 0);

  CommandResult drain =
      cluster_.Run("scontrol update NodeName=h100-01 State=DRAIN Reason='bad NVLink'");
  ASSERT_EQ(drain.exit_code, 0) << drain.err;
  EXPECT_EQ(NodeLine("h100-01"), "h100-01|drain|bad NVLink");
  std::string node = cluster_.Run("scontrol show node h100-01").out;
  EXPECT_TRUE(node.starts_with("NodeName=h100-01\n")) << node;
  EXPECT_THAT(node, HasSubstr("\n   State=IDLE+DRAIN\n"));
  EXPECT_THAT(node, HasSubstr("\n   Reason=bad NVLink\n"));
  EXPECT_THAT(cluster_.Run("scontrol -o show partition h100").out,
              HasSubstr("PartitionName=h100 Default=YES MaxTime=1-00:00:00 DefaultTime=NONE "
                        "Nodes=h100-[01-02] State=UP "));
  ASSERT_EQ(cluster_.Run("scontrol update nodename=h100-01 state=resume").exit_code, 0);
  EXPECT_EQ(NodeLine("h100-01"), "h100-01|idle|none");

  std::string waiting = Submit("--dependency=afterok:" + held + " -H --wrap=true");
  ASSERT_EQ(cluster_.Run("scontrol hold " + waiting).exit_code, 0);
  EXPECT_EQ(cluster_.Value("squeue -h -o %r -j " + waiting), "JobHeldUser");
  ASSERT_EQ(cluster_.Run("scontrol release " + waiting).exit_code, 0);
  ASSERT_EQ(Wait(waiting), 0);
}

TEST_F(ClusterTest, ScontrolPingSaysWhetherTheControllerAnswers) {
  std::string address = cluster_.Value("cat $TATAMI_STATE_DIR/controller.addr");
  CommandResult up = cluster_.Run("scontrol ping");
  EXPECT_EQ(up.exit_code, 0);
  EXPECT_EQ(up.out, "tatamid at " + address + " is UP\n");
  ASSERT_TRUE(LocalCluster::KillAndReap(cluster_.ControllerPid()));
  CommandResult down = cluster_.Run("scontrol ping");
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_EQ(down.out, "tatamid at " + address + " is DOWN\n");
}

TEST_F(ClusterTest, EverySlurmNameTellsItsVersion) {
  for (const char* command : {"sbatch --version", "squeue -V", "scontrol --version",
                              "srun --version", "tatami --version", "tatami queue -V"})
    EXPECT_THAT(cluster_.Run(command).out,
                ::testing::MatchesRegex("tatami [0-9]+\\.[0-9]+\\.[0-9]+\n"))
        << command;
}

TEST_F(ClusterTest, ScontrolRefusesWhatItDoesNotDoAndSaysWhy) {
  ExpectErrors({
      {"scontrol reconfigure",
       "scontrol: error: 'reconfigure' is not something tatami's scontrol does (it does show, "
       "hold, uhold, release, requeue, requeuehold, update and ping)\n"},
      {"scontrol show reservation",
       "scontrol: error: show reservation is not something tatami's scontrol does (it shows "
       "hostnames, hostlist, hostlistsorted, job, node and partition)\n"},
      {"scontrol show node h100-09", "scontrol: error: node 'h100-09' not found\n"},
      {"scontrol show partition gpu", "scontrol: error: partition 'gpu' not found\n"},
      {"scontrol show job 99999", "scontrol: error: Invalid job id specified\n"},
      {"env -u SLURM_JOB_NODELIST scontrol show hostnames",
       "scontrol: error: show hostnames: no hostlist given, and SLURM_JOB_NODELIST is not set\n"},
      {"scontrol show hostnames 'h100-[02-01]'",
       "scontrol: error: show hostnames: " + ExpandHostlist("h100-[02-01]").error().message + "\n"},
      {"scontrol update NodeName=h100-01 Reason=x",
       "scontrol: error: update NodeName: no State= given (DRAIN or RESUME)\n"},
      {"scontrol show hostnames h100-01 h100-02",
       "scontrol: error: show hostnames takes one hostlist, not 2\n"},
      {"scontrol show job 12 13", "scontrol: error: Invalid job id specified\n"},
      {"scontrol update NodeName=h100-01 State=DRAIN",
       "scontrol: error: update NodeName: State=drain needs a Reason=, as Slurm's does\n"},
      {"scontrol update NodeName=h100-01 State=MAINT Reason=x",
       "scontrol: error: update NodeName: State=maint is not one tatami takes (want DRAIN, "
       "DOWN, FAIL, RESUME, IDLE or UNDRAIN)\n"},
      {"scontrol update NodeName=h100-01 Weight=5",
       "scontrol: error: update NodeName: 'Weight=5' is not something tatami can change (it "
       "takes State= and Reason=)\n"},
      {"scontrol --bogus show job", "scontrol: error: unrecognized option '--bogus'\n"},
      // --hold with no job after it once read past the arguments' end.
      {"scontrol requeuehold", "scontrol: error: no job ids given\n"},
      {"tatami requeue --hold", "tatami requeue: error: no job ids given\n"},
  });
}

}  // namespace
}  // namespace tatami::testing
