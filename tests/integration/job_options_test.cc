// Jobs that accept several accelerator kinds, end to end: sbatch's
// `--gpus='A|B@speed'` and `--job-class`, the choice tatamid makes among
// them, and what squeue, sacct, explain and the job's environment say
// about the option it took. test-cluster.yaml's throughput table has
// vision at h100 1.0, d1 1.3, hw4 0.45.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/cluster_fixture.h"

namespace tatami::testing {
namespace {

using ::testing::HasSubstr;

// Listed first, the HW4 board is free; the H100 listed second is 2.5x as
// fast for the same one device slot, so the job runs there, with its
// --time divided by that speed.
TEST_F(ClusterTest, AJobAcceptingTwoKindsLandsOnTheFasterOneWhenBothAreFree) {
  std::string job = Submit(
      "-p hw4,h100 --gpus='hw4:1|h100:1@2.5' -t 10 -o two.out --wrap='echo $SLURM_JOB_PARTITION'");
  ASSERT_EQ(Wait(job), 0);
  EXPECT_EQ(cluster_.Value("sacct -n -P -X -j " + job + " -o Partition,State,Timelimit"),
            "h100|COMPLETED|00:04:00");
  EXPECT_EQ(cluster_.Run("cat two.out").out, "h100\n");
  std::string why = cluster_.Run("tatami explain " + job).out;
  EXPECT_THAT(why, HasSubstr("accepts (* what it runs as):\n"
                             "    - hw4:1 in hw4, its request\n"
                             "    * h100:1 in h100 at 2.5x\n"));
}

// A vision job of 8 H100s may take one Dojo tile (8 H100-equivalents) at
// 1.3x: it does. With the tray taken, the same job takes the H100s rather
// than wait for the faster kind.
TEST_F(ClusterTest, AJobClassTakesTheFasterKindWhenFreeAndTheOtherWhenNot) {
  std::string fast = Submit(
      "--job-class=vision --gpus=h100:8 -t 60 -o fast.out "
      "--wrap='echo $SLURM_JOB_PARTITION $SLURM_JOB_NODELIST'");
  ASSERT_EQ(Wait(fast), 0);
  EXPECT_EQ(cluster_.Run("cat fast.out").out, "dojo dojo-tray-01\n");
  EXPECT_EQ(cluster_.Value("sacct -n -P -X -j " + fast + " -o Partition,Timelimit"),
            "dojo|00:46:09");  // 60 min / 1.3, rounded up to the second

  std::string tray = Submit("-p dojo --gpus=d1:6 " + Blocker());
  ASSERT_TRUE(ReadyEventually());
  std::string other = Submit("--job-class=vision --gpus=h100:8 -t 60 --wrap=true");
  ASSERT_EQ(Wait(other), 0);
  EXPECT_EQ(cluster_.Value("sacct -n -P -X -j " + other + " -o Partition,Timelimit"),
            "h100|01:00:00");
  std::string why = cluster_.Run("tatami explain " + other).out;
  EXPECT_THAT(why, HasSubstr("    * h100:8 in h100, its request\n"
                             "    - d1:1 in dojo at 1.3x (job class vision)\n"
                             "    - hw4:8 in hw4 at 0.45x (job class vision)\n"));
  Release();
  EXPECT_EQ(Wait(tray), 0);
}

// With both H100 nodes held for at most 10 minutes, a 60-minute job that
// runs 2.5x as fast on an H100 (24 minutes there) waits for one rather than
// start on the free HW4 board: squeue and explain say so, and since when
// it has passed over the board (its wait is bounded by it). Held for two
// hours, the H100s would finish it later than the board does: it takes that.
TEST_F(ClusterTest, AJobWaitsForAFasterKindOnlyWhenItWouldFinishSoonerThere) {
  const std::string two_kinds = "-p hw4,h100 --gpus='hw4:1|h100:1@2.5' -t 60 --wrap=true";
  std::string briefly = Submit("-N 2 --gpus-per-node=8 -t 10 " + Blocker());
  ASSERT_TRUE(ReadyEventually());
  std::string waits = Submit(two_kinds);
  ASSERT_TRUE(LocalCluster::Eventually(
      [&] { return cluster_.Value("squeue -h -o %r -j " + waits) == "FasterKindSooner"; },
      std::chrono::seconds(20)));
  std::string why = cluster_.Run("tatami explain " + waits).out;
  EXPECT_THAT(why, HasSubstr("  pending: FasterKindSooner: a kind it accepts is free now, but "));
  EXPECT_THAT(why, HasSubstr("the backfill plan expects it to start at "));
  EXPECT_THAT(why, HasSubstr(" on h100-01\n"));
  EXPECT_THAT(why, HasSubstr("  first passed over a start at "));  // what bounds its wait
  Release();
  ASSERT_EQ(Wait(briefly + " " + waits), 0);
  EXPECT_EQ(cluster_.Value("sacct -n -P -X -j " + waits + " -o Partition"), "h100");

  std::string for_hours = Submit("-N 2 --gpus-per-node=8 -t 2:00:00 " + Blocker("go2"));
  ASSERT_TRUE(ReadyEventually("go2"));
  std::string starts = Submit(two_kinds);
  ASSERT_EQ(Wait(starts), 0);
  EXPECT_EQ(cluster_.Value("sacct -n -P -X -j " + starts + " -o Partition"), "hw4");
  Release("go2");
  EXPECT_EQ(Wait(for_hours), 0);
}

// tatami update -p moves a pending job and resolves its alternatives again,
// as if it had been submitted there: a vision job may run in all three
// partitions; moved to h100 it has only its request; moved to h100,dojo it
// has the Dojo tile again, and takes it. A partition that cannot run it,
// or none at all, is refused, and a running job is not moved.
TEST_F(ClusterTest, UpdateMovesAPendingJobToAnotherPartition) {
  std::string job = Submit("-H --job-class=vision --gpus=h100:8 -t 60 --wrap=true");
  auto partitions = [&] { return cluster_.Value("squeue -h -o %P -j " + job); };
  EXPECT_EQ(partitions(), "h100,dojo,hw4");
  ASSERT_EQ(cluster_.Run("tatami update " + job + " -p h100").exit_code, 0);
  EXPECT_EQ(partitions(), "h100");
  EXPECT_THAT(cluster_.Run("tatami explain " + job).out, Not(HasSubstr("(job class vision)")));
  ExpectRefused("tatami update " + job + " Partition=nowhere",
                "Job " + job + ": invalid partition 'nowhere' (partitions: h100, dojo, hw4)");
  std::string listed = Submit("-H --gpus='h100:8|d1:1@1.3' -t 60 --wrap=true");
  ExpectRefused("tatami update " + listed + " -p h100",  // its own d1 alternative needs dojo
                "Job " + listed +
                    ": alternative d1:1: no partition the job may use (h100) has d1; "
                    "list one with -p, such as -p h100,dojo");
  EXPECT_EQ(cluster_.Value("squeue -h -o %P -j " + listed), "h100,dojo");
  ExpectRefused("tatami update " + job + " -p hw4",  // as sbatch -p hw4 would be
                "Job " + job +
                    ": impossible request: the job needs 1 node(s) with 1 CPUs and 8 "
                    "h100 each, but partition hw4 has 0 such node(s)");
  EXPECT_EQ(partitions(), "h100");
  ASSERT_EQ(cluster_.Run("tatami update JobId=" + job + " Partition=h100,dojo").exit_code, 0);
  EXPECT_EQ(partitions(), "h100,dojo");
  EXPECT_EQ(cluster_.Value("squeue -h -o %l -j " + job), "01:00:00");
  ASSERT_EQ(cluster_.Run("tatami release " + job).exit_code, 0);
  ASSERT_EQ(Wait(job), 0);
  EXPECT_EQ(cluster_.Value("sacct -n -P -X -j " + job + " -o Partition,Timelimit"),
            "dojo|00:46:09");

  std::string running = Submit(Blocker());
  ASSERT_TRUE(ReadyEventually());
  ExpectRefused("tatami update " + running + " -p dojo",
                "Job " + running + " is RUNNING: only its time limit can be changed");
  Release();
  EXPECT_EQ(Wait(running), 0);
}

// tatami update --gpus (and --gres, --tiles, --job-class, scontrol's Gres=
// and TresPerJob=) gives a pending job other accelerators, resolved as
// sbatch would have resolved them: alternatives and a class's kinds in the
// partitions the job listed with -p (any, if none), the main request in the
// first listed that has its kind. What sbatch would refuse is refused and changes
// nothing; a running job keeps what it runs on.
TEST_F(ClusterTest, UpdateGivesAPendingJobOtherAccelerators) {
  std::string job = Submit("-H --gpus=h100:8 -t 60 --wrap=true");
  auto shown = [&] { return cluster_.Value("squeue -h -o '%P %b' -j " + job); };
  EXPECT_EQ(shown(), "h100 gres/gpu:h100:8");
  ASSERT_EQ(cluster_.Run("tatami update JobId=" + job + " Gres=gpu:h100:4").exit_code, 0);
  EXPECT_EQ(shown(), "h100 gres/gpu:h100:4");
  ASSERT_EQ(cluster_.Run("tatami update " + job + " --gpus='h100:8|d1:1@1.3'").exit_code, 0);
  EXPECT_EQ(shown(), "h100,dojo gres/gpu:h100:8");
  ASSERT_EQ(cluster_.Run("tatami update " + job + " --gpus=h100:8 --job-class=vision").exit_code,
            0);
  EXPECT_EQ(shown(), "h100,dojo,hw4 gres/gpu:h100:8");
  ASSERT_EQ(cluster_.Run("tatami update " + job + " --job-class=").exit_code, 0);
  EXPECT_EQ(shown(), "h100 gres/gpu:h100:8");
  ASSERT_EQ(cluster_.Run("tatami update " + job + " -p dojo --tiles=1").exit_code, 0);
  EXPECT_EQ(shown(), "dojo gres/d1:1");
  ASSERT_EQ(cluster_.Run("tatami update " + job + " --gres=").exit_code, 0);  // none
  EXPECT_EQ(shown(), "dojo N/A");
  // The job's -p list stands: its tiles resolve to the listed dojo.
  std::string two = Submit("-H -p h100,dojo --gpus=h100:8 -t 60 --wrap=true");
  ASSERT_EQ(cluster_.Run("tatami update " + two + " --tiles=1").exit_code, 0);
  EXPECT_EQ(cluster_.Value("squeue -h -o '%P %b' -j " + two), "dojo gres/d1:1");

  std::string listed = Submit("-H -p h100 --gpus=h100:8 -t 60 --wrap=true");
  std::string running = Submit(Blocker());
  ASSERT_TRUE(ReadyEventually());
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"tatami update " + listed + " --tiles=1",  // as sbatch -p h100 --tiles=1 would be
       "Job " + listed + ": impossible request: "},
      {"tatami update " + listed + " --gpus=h100:64", "Job " + listed + ": impossible request: "},
      {"tatami update " + listed + " --job-class=quantum",
       "Job " + listed + ": --job-class: unknown class 'quantum'"},
      {"tatami update " + listed + " --gpus=tpu:1",
       "--gpus: unknown accelerator 'tpu' (want gpu, h100, d1 or hw4)"},
      {"tatami update " + listed + " TresPerNode=gpu:2",
       "TresPerNode: want gres/NAME[:TYPE]:COUNT, not 'gpu:2'"},
      {"tatami update " + running + " --gpus=h100:2",
       "Job " + running + " is RUNNING: only its time limit can be changed"},
  };
  for (const auto& [command, message] : refused) ExpectRefused(command, message);
  EXPECT_EQ(cluster_.Value("squeue -h -o '%P %b' -j " + listed), "h100 gres/gpu:h100:8");
  Release();
  EXPECT_EQ(Wait(running), 0);

  // Two GPUs for the job, in scontrol's words: it runs on two.
  ASSERT_EQ(cluster_.Run("tatami update " + listed + " TresPerJob=gres/gpu:2").exit_code, 0);
  ASSERT_EQ(cluster_.Run("tatami release " + listed).exit_code, 0);
  ASSERT_EQ(Wait(listed), 0);
  EXPECT_THAT(cluster_.Value("sacct -n -P -X -j " + listed + " -o AllocTRES"),
              HasSubstr(",gres/gpu=2,"));
}

// -p hw4,h100 lets a job start in whichever listed partition has room
// first, as Slurm's does: with the HW4 host taken whole, a job without
// accelerators runs in h100. (Its --time must fit h100's max_time: a
// limit is fixed at submission, from the first partition.)
TEST_F(ClusterTest, AJobListingTwoPartitionsStartsInTheOneWithRoom) {
  std::string host = Submit("-p hw4 --exclusive " + Blocker());
  ASSERT_TRUE(ReadyEventually());
  std::string job = Submit("-p hw4,h100 -t 10 -o either.out --wrap='echo $SLURM_JOB_PARTITION'");
  ASSERT_EQ(Wait(job), 0);
  EXPECT_EQ(cluster_.Run("cat either.out").out, "h100\n");
  EXPECT_EQ(cluster_.Value("sacct -n -P -X -j " + job + " -o Partition,State"), "h100|COMPLETED");
  EXPECT_THAT(cluster_.Run("tatami explain " + job).out,
              HasSubstr("    - no accelerators in hw4, its request\n"
                        "    * no accelerators in h100 at 1x (-p list)\n"));
  // Without --time each partition sets the limit where the job starts, as
  // in Slurm: unlimited in hw4, h100's max_time of a day there.
  std::string untimed = Submit("-p hw4,h100 --wrap=true");
  ASSERT_EQ(Wait(untimed), 0);
  EXPECT_EQ(cluster_.Value("sacct -n -P -X -j " + untimed + " -o Partition,Timelimit"),
            "h100|1-00:00:00");
  // A --time over h100's max_time: that copy is dropped, the job stays hw4's.
  std::string too_long = Submit("-p hw4,h100 -t 2-00:00:00 --hold --wrap=true");
  EXPECT_EQ(cluster_.Value("squeue -h -j " + too_long + " -o %P"), "hw4");
  Release();
  EXPECT_EQ(Wait(host), 0);
}

// The option a job runs as is part of its record: a restarted controller
// still knows the job is on the tray, holding a tile of it.
TEST_F(ClusterTest, TheOptionARunningJobTookSurvivesAControllerRestart) {
  std::string job = Submit("--job-class=vision --gpus=h100:8 " + Blocker());
  ASSERT_TRUE(ReadyEventually());
  ASSERT_TRUE(LocalCluster::KillAndReap(cluster_.ControllerPid()));
  ASSERT_EQ(cluster_.Run("tatami local up").exit_code, 0)
      << cluster_.Run("tail logs/tatamid.log").out;
  EXPECT_EQ(cluster_.Value("squeue -h -j " + job + " -o %t:%P"), "R:dojo");
  std::string whole_tray = Submit("-p dojo --gpus=d1:6 --wrap=true");
  ASSERT_TRUE(LocalCluster::Eventually(
      [&] { return cluster_.Value("squeue -h -j " + whole_tray + " -o %r") == "Resources"; },
      std::chrono::seconds(20)));
  Release();
  ASSERT_EQ(Wait(job + " " + whole_tray), 0);
  EXPECT_EQ(cluster_.Value("sacct -n -P -X -j " + job + " -o Partition,State"), "dojo|COMPLETED");
}

// While pending, the job is listed in every partition it may start in.
TEST_F(ClusterTest, APendingJobWithAlternativesShowsEveryPartitionItMayUse) {
  std::string job = Submit("--hold --gpus='h100:8|d1:1@1.3' --wrap=true");
  EXPECT_EQ(cluster_.Value("squeue -h -j " + job + " -o %P"), "h100,dojo");
  EXPECT_EQ(cluster_.Value("squeue -h -p dojo -o %i"), job);
  EXPECT_EQ(cluster_.Value("squeue -h -p hw4 -o %i"), "");
  EXPECT_EQ(cluster_.Run("scancel " + job).exit_code, 0);
  // What squeue's %P and explain say of a held job submitted with `args`,
  // cancelled after.
  struct Said {
    std::string partitions, explain;
  };
  auto held = [&](const std::string& args) {
    std::string id = Submit("--hold " + args + " --wrap=true");
    Said said{cluster_.Value("squeue -h -j " + id + " -o %P"),
              cluster_.Run("tatami explain " + id).out};
    EXPECT_EQ(cluster_.Run("scancel " + id).exit_code, 0);
    return said;
  };
  // Of what its class offers, a job keeps what it can use: 16 HW4 boards
  // would span two hosts, which HW4 never does, so that option is dropped.
  Said wide = held("--job-class=vision --gpus=h100:16");
  EXPECT_EQ(wide.partitions, "h100,dojo");
  EXPECT_THAT(wide.explain, HasSubstr("  accepts:\n"
                                      "    - h100:16 in h100, its request\n"
                                      "    - d1:2 in dojo at 1.3x (job class vision)\n"
                                      "  pending"));
  // Over 10 hours, a pending job will not take a kind that runs it at
  // under half its best speed (hw4 at 0.45x of d1's 1.3x): explain says so.
  EXPECT_THAT(held("-t 20:00:00 --job-class=vision --gpus=h100:8").explain,
              HasSubstr("    - h100:8 in h100, its request\n"
                        "    - d1:1 in dojo at 1.3x (job class vision)\n"
                        "    - hw4:8 in hw4 at 0.45x (job class vision) (waits for a faster kind "
                        "instead: its time limit is over 10:00:00)\n"));
}

TEST_F(ClusterTest, AlternativeAndJobClassErrorsSayWhatWasWanted) {
  struct Case {
    std::string args, want;
  };
  const Case cases[] = {
      {"-p h100 --gpus='h100:8|d1:1@1.3'",
       "alternative d1:1: no partition the job may use (h100) has d1; list one with -p, such as "
       "-p h100,dojo"},
      {"--gpus='h100:8|d1:7@1.3'",
       "alternative d1:7 in partition dojo: impossible request: the job wants 7 d1 tiles"},
      // h100's limit is a day: at 0.5x, 16 hours would need 32.
      {"-p hw4,h100 -t 16:00:00 --gpus='hw4:1|h100:1@0.5'",
       "alternative h100:1 in partition h100: at 0.5x the time limit 16:00:00 becomes "
       "1-08:00:00, over the partition's 1-00:00:00; give a shorter --time"},
      {"--job-class=speech --gpus=8",
       "--job-class: unknown class 'speech' (the config's throughput table has: vision, "
       "language)"},
      {"--job-class=vision", "--job-class needs an accelerator request"},
  };
  for (const Case& c : cases) {
    CommandResult r = cluster_.Run("sbatch " + c.args + " --wrap=true");
    EXPECT_NE(r.exit_code, 0) << c.args;
    EXPECT_THAT(r.err, HasSubstr(c.want)) << c.args;
  }
  EXPECT_EQ(cluster_.Value("squeue -h -o %i"), "");  // none was accepted
}

}  // namespace
}  // namespace tatami::testing
