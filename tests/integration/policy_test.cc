// The scheduling policy end to end, through tatamid, the agents and the
// CLI: QoS preemption with its grace time, account quotas (guaranteed,
// borrowed, over the limit), reclaim of borrowed devices, backfill as the
// simulator decides it, and what `tatami explain` says about each.
#include "scheduler/policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>

#include "base/strings.h"
#include "sim/simulator.h"
#include "tests/integration/cluster_fixture.h"
#include "tests/integration/store_lock.h"
#include "topology/cluster_config.h"

namespace tatami::testing {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

// A --requeue job that, on its first run only, traps SIGTERM (appending
// "got TERM" to `name`.term) and signals readiness with `name`.ready; run
// again, it ends at once.
std::string PreemptibleOnce(const std::string& name) {
  return "--requeue --wrap='if [ $SLURM_RESTART_COUNT = 0 ]; then trap \"echo got TERM >> " + name +
         ".term; exit 143\" TERM; touch " + name + ".ready; while :; do sleep 0.05; done; fi'";
}

// h100-02 is busy with a job nobody may preempt; a burst job has h100-01.
// An fsd-prod job wanting a whole node takes h100-01: the burst job gets
// SIGTERM (its trap sees it), its processes end, it is requeued and runs
// again once the fsd-prod job is done.
TEST_F(ClusterTest, FsdProdPreemptsABurstJobWhichSeesSigtermAndIsRequeued) {
  std::string other = Submit("-w h100-02 --gpus-per-node=8 " + Blocker("other"));
  std::string burst = Submit(
      "-q burst --requeue -w h100-01 --gpus-per-node=8 -o burst.out --wrap='echo run "
      "$SLURM_RESTART_COUNT; if [ $SLURM_RESTART_COUNT = 0 ]; then trap \"echo got TERM >> "
      "burst.term; exit 143\" TERM; touch burst.ready; while :; do sleep 0.05; done; fi'");
  ASSERT_TRUE(ReadyEventually("other"));
  ASSERT_TRUE(ReadyEventually("burst"));
  std::string prod = Submit("-q fsd-prod --gpus-per-node=8 --wrap='echo $SLURM_JOB_NODELIST'");
  ASSERT_EQ(Wait(prod), 0);
  EXPECT_EQ(cluster_.AcctState(prod), "COMPLETED");
  EXPECT_EQ(cluster_.Value("sacct -n -P -X -j " + prod + " -o NodeList"), "h100-01");
  EXPECT_EQ(cluster_.Run("cat burst.term").out, "got TERM\n");
  ASSERT_EQ(Wait(burst), 0);
  EXPECT_EQ(cluster_.Value("sacct -n -P -j " + burst + " -o State,Restarts"), "COMPLETED|1");
  EXPECT_EQ(cluster_.Run("cat burst.out").out, "run 1\n");
  // Not preemptible (QoS normal): still running.
  EXPECT_EQ(cluster_.QueueState(other), "R");
  Release("other");
  EXPECT_EQ(Wait(other), 0);
}

// A preempted job that ignores SIGTERM is killed when its grace time is
// over; without --requeue it ends PREEMPTED.
TEST_F(ClusterTest, APreemptedJobIgnoringSigtermIsKilledAfterItsGraceAndEndsPreempted) {
  std::string other = Submit("-w h100-02 --gpus-per-node=8 " + Blocker("other"));
  std::string stubborn = Submit(
      "-q scavenger -w h100-01 --gpus-per-node=8 --wrap='trap \"echo ignoring TERM >> "
      "stubborn.term\" TERM; touch stubborn.ready; while :; do sleep 0.05; done'");
  ASSERT_TRUE(ReadyEventually("other"));
  ASSERT_TRUE(ReadyEventually("stubborn"));
  std::string prod = Submit("-q burst --gpus-per-node=8 --wrap=true");
  ASSERT_EQ(Wait(prod), 0);
  EXPECT_NE(Wait(stubborn), 0);
  EXPECT_EQ(cluster_.AcctState(stubborn), "PREEMPTED");
  EXPECT_EQ(cluster_.Value("sacct -n -P -X -j " + stubborn + " -o ExitCode"), "0:9");
  EXPECT_THAT(cluster_.Run("cat stubborn.term").out, HasSubstr("ignoring TERM"));
  Release("other");
  EXPECT_EQ(Wait(other), 0);
}

// customer-initech bought 8 H100s and may borrow 4. Its scavenger job of 4
// on h100-01 is within quota, so guaranteed; its burst job of 8 on h100-02
// borrows. A 13th device is over the limit (AssocGrpGRES). An fsd-prod job
// wanting 4 devices may preempt QoS burst and scavenger, and the scavenger
// job would be the cheaper victim (lower priority, fewer devices), yet it
// takes h100-02 from the borrowing job.
TEST_F(ClusterTest, FsdProdPreemptsOnlyTheBorrowedPartOfAnAccountsQuota) {
  std::string other = Submit("-w h100-01 --gpus-per-node=4 " + Blocker("other"));
  std::string guaranteed =
      Submit("-A customer-initech -q scavenger -w h100-01 --gpus-per-node=4 " + Blocker("g"));
  ASSERT_TRUE(ReadyEventually("g"));
  std::string borrowed = Submit("-A customer-initech -q burst -w h100-02 --gpus-per-node=8 " +
                                PreemptibleOnce("borrowed"));
  ASSERT_TRUE(ReadyEventually("borrowed"));
  std::string over = Submit("-A customer-initech --gpus=1 --wrap=true");
  ASSERT_TRUE(LocalCluster::Eventually(
      [&] { return cluster_.Value("squeue -h -j " + over + " -o %r") == "AssocGrpGRES"; },
      seconds(20)));
  std::string why = cluster_.Run("tatami explain " + over).out;
  EXPECT_THAT(why, HasSubstr("pending: AssocGrpGRES: its account (or a parent account) would "
                             "pass its quota plus borrowing limit"));
  EXPECT_THAT(why, HasSubstr("  priority 0: qos 0.00 x 1000 = 0\n"));
  EXPECT_THAT(why, HasSubstr("  account customer-initech holds h100=12 (quota h100=8, borrow "
                             "limit h100=4); fair share 0."));
  EXPECT_THAT(cluster_.Run("tatami explain " + guaranteed).out,
              HasSubstr("started within its account's quota: guaranteed, never preempted"));
  EXPECT_THAT(cluster_.Run("tatami explain " + borrowed).out, Not(HasSubstr("guaranteed")));

  std::string prod = Submit("-q fsd-prod --gpus=4 --wrap=true");
  ASSERT_EQ(Wait(prod), 0);
  EXPECT_EQ(cluster_.Value("sacct -n -P -X -j " + prod + " -o NodeList,State"),
            "h100-02|COMPLETED");
  EXPECT_EQ(cluster_.Run("cat borrowed.term").out, "got TERM\n");
  EXPECT_EQ(cluster_.QueueState(guaranteed), "R");
  ASSERT_EQ(Wait(borrowed), 0);
  EXPECT_EQ(cluster_.Value("sacct -n -P -X -j " + borrowed + " -o State,Restarts"), "COMPLETED|1");
  Release("g");
  Release("other");
  EXPECT_EQ(Wait(guaranteed), 0);
  EXPECT_THAT(cluster_.Run("cat slurm-" + guaranteed + ".out").out, Not(HasSubstr("TERM")));
  EXPECT_EQ(Wait(over), 0);
  EXPECT_EQ(Wait(other), 0);
}

// customer-initech's `reserved` jobs: the one within its quota (4 of 8)
// runs as reserved, guaranteed; the one that takes it to 12 runs as burst,
// reserved's above_quota. fsd-prod may preempt burst, not reserved: it
// takes h100-02 from the second job, which runs again as burst, and is
// billed as burst for both runs.
TEST_F(ClusterTest, AReservedJobAboveItsQuotaRunsAsBurstAndFsdProdPreemptsIt) {
  std::string other = Submit("-w h100-01 --gpus-per-node=4 " + Blocker("other"));
  std::string within =
      Submit("-A customer-initech -q reserved -w h100-01 --gpus-per-node=4 " + Blocker("within"));
  ASSERT_TRUE(ReadyEventually("within"));
  std::string above = Submit("-A customer-initech -q reserved -w h100-02 --gpus-per-node=8 " +
                             PreemptibleOnce("above"));
  ASSERT_TRUE(ReadyEventually("above"));
  EXPECT_EQ(cluster_.Value("squeue -h -j " + within + " -o %q"), "reserved");
  EXPECT_EQ(cluster_.Value("squeue -h -j " + above + " -o %q"), "burst");
  EXPECT_THAT(cluster_.Run("tatami explain " + above).out,
              HasSubstr("runs as qos burst: it started above its account's quota, where qos "
                        "reserved runs as burst"));
  EXPECT_THAT(cluster_.Run("tatami explain " + within).out, Not(HasSubstr("runs as qos")));

  std::string prod = Submit("-q fsd-prod --gpus=4 --wrap=true");
  ASSERT_EQ(Wait(prod), 0);
  EXPECT_EQ(cluster_.Value("sacct -n -P -X -j " + prod + " -o NodeList"), "h100-02");
  EXPECT_EQ(cluster_.Run("cat above.term").out, "got TERM\n");
  ASSERT_EQ(Wait(above), 0);
  EXPECT_EQ(cluster_.Value("sacct -n -P -X -j " + above + " -o State,Restarts,QOS"),
            "COMPLETED|1|burst");
  EXPECT_EQ(cluster_.QueueState(within), "R");
  EXPECT_EQ(cluster_.Value("squeue -h -j " + within + " -o %q"), "reserved");
  Release("within");
  Release("other");
  EXPECT_EQ(Wait(within), 0);
  EXPECT_EQ(Wait(other), 0);
  EXPECT_EQ(cluster_.Value("sacct -n -P -X -j " + within + " -o QOS"), "reserved");
  // Billing: initech's H100 time is split by the tier each run ran as.
  EXPECT_EQ(cluster_
                .Run("tatami report -S @0 -E now -A customer-initech --by tier -P -n | "
                     "cut -d'|' -f1,2")
                .out,
            "burst|1\nreserved|1\n");
}

// QoS capped lets each user run one job. The second waits for the first,
// saying so in squeue and explain, without holding back a job of another
// QoS; a job no limit of capped could ever admit is refused at submission.
TEST_F(ClusterTest, AJobAtItsQosLimitWaitsForItsUsersOwnJobs) {
  std::string first = Submit("-q capped --gpus=2 " + Blocker("first"));
  ASSERT_TRUE(ReadyEventually("first"));
  std::string second = Submit("-q capped --gpus=2 --wrap=true");
  std::string other = Submit("--gpus=2 --wrap=true");
  ASSERT_EQ(Wait(other), 0);
  EXPECT_EQ(cluster_.Value("squeue -h -j " + second + " -o %t:%r"), "PD:QOSMaxJobsPerUserLimit");
  std::string uid = std::to_string(getuid());
  std::string explained = cluster_.Run("tatami explain " + second).out;
  EXPECT_THAT(explained, HasSubstr("pending: QOSMaxJobsPerUserLimit: its user already runs"));
  EXPECT_THAT(explained, HasSubstr("qos capped allows at most 1 running job per user (uid " + uid +
                                   " runs 1); at most h100=8 per user (uid " + uid +
                                   " holds h100=2); at most h100=12 for all users together "
                                   "(they hold h100=2)"));
  EXPECT_EQ(cluster_.Run("tatami qos -P -n | grep ^capped").out,
            "capped|0||00:00:00|00:00:00|requeue||01:00:00|3|1|h100=8|h100=12|h100=2|1|h100=2\n");
  EXPECT_EQ(cluster_.Run("tatami qos -P -n | grep ^reserved").out,
            "reserved|100|scavenger|00:00:00|00:00:00|requeue|burst||||||||\n");
  // capped's max_time: a job without --time gets it (not the partition's
  // day); a longer --time is refused.
  EXPECT_EQ(cluster_.Value("squeue -h -j " + second + " -o %l"), "01:00:00");
  ExpectRefused("sbatch -q capped -t 2:00:00 --wrap=true",
                "--time=02:00:00 exceeds qos capped's max_time of 01:00:00");
  // So on every kind it accepts: at half speed 50 minutes become 100.
  ExpectRefused("sbatch -q capped -t 50 --gpus='h100:1|hw4:1@0.5' --wrap=true",
                "becomes 01:40:00, over the qos's max_time of 01:00:00");
  // Two of capped's three queued jobs per user are taken: an array of two
  // is refused whole, one more job is not.
  ExpectRefused("sbatch -q capped --array=0-1 --wrap=true",
                "qos capped allows 3 pending or running jobs per user "
                "(max_submit_jobs_per_user); user " +
                    cluster_.Value("id -un") + " has 2 and this adds 2");
  std::string third = Submit("-q capped --wrap=true");
  ExpectRefused("sbatch -q capped --wrap=true", " has 3 and this adds 1");
  EXPECT_EQ(cluster_.Run("scancel " + third).exit_code, 0);
  // Cancelled, it no longer counts.
  std::string fourth = Submit("-q capped --wrap=true");
  EXPECT_FALSE(fourth.empty());
  EXPECT_EQ(cluster_.Run("scancel " + fourth).exit_code, 0);
  // A restarted controller counts the queue again from the store.
  ASSERT_TRUE(LocalCluster::KillAndReap(cluster_.ControllerPid()));
  ASSERT_EQ(cluster_.Run("tatami local up").exit_code, 0);
  ExpectRefused("sbatch -q capped --array=0-1 --wrap=true", " has 2 and this adds 2");
  // A submission the store refused does not count either: one more fits.
  {
    StoreLock lock(cluster_.dir());
    ASSERT_TRUE(lock.held());
    ExpectRefused("sbatch -q capped --wrap=true", "could not be stored, so it was not accepted");
  }
  std::string last = Submit("-q capped --wrap=true");
  EXPECT_FALSE(last.empty());
  EXPECT_EQ(cluster_.Run("scancel " + last).exit_code, 0);
  ExpectRefused("sbatch -q capped --gpus=16 --wrap=true",
                "qos capped allows at most 8 h100 per user (max_devices_per_user); the job asks "
                "for 16");
  Release("first");
  EXPECT_EQ(Wait(first), 0);
  EXPECT_EQ(Wait(second), 0);
  EXPECT_EQ(cluster_.Value("sacct -n -P -X -j " + second + " -o State,QOS"), "COMPLETED|capped");
}

// sprio: pending jobs highest first, each term a factor times its weight.
// The test cluster weighs only the QoS (1000 by default): fsd-prod's 1000
// over the largest QoS priority, 1000, gives 1000; burst's 10 gives 10.
TEST_F(ClusterTest, PrioListsPendingJobsFactorByFactorHighestFirst) {
  std::string normal = Submit("-H --wrap=true");
  std::string burst = Submit("-H -q burst --wrap=true");
  std::string prod = Submit("-H -q fsd-prod --wrap=true");
  std::string user = cluster_.Value("id -un");
  EXPECT_EQ(cluster_.Run("sprio -P -n").out, prod + "|h100|" + user + "||1000|0|0|0|0|0|1000|0\n" +
                                                 burst + "|h100|" + user + "||10|0|0|0|0|0|10|0\n" +
                                                 normal + "|h100|" + user + "||0|0|0|0|0|0|0|0\n");
  EXPECT_EQ(cluster_.Run("tatami prio -P -n -j " + burst + " | cut -d'|' -f1,5").out,
            burst + "|10\n");
  EXPECT_EQ(cluster_.Run("sprio -n -u nobody-here").out, "");
  ExpectRefused("sprio --frobnicate", "sprio: error: unrecognized option '--frobnicate'");
  EXPECT_EQ(cluster_.Run("scancel " + normal + " " + burst + " " + prod).exit_code, 0);
}

// sshare: customer-initech holds 8 guaranteed H100s and borrows 4 more;
// its fair share falls below 1 as running jobs count as usage. Asked for an
// account the config lacks, it says so.
TEST_F(ClusterTest, ShareShowsFairShareAndDevicesInUseAgainstQuota) {
  std::string guaranteed =
      Submit("-A customer-initech -w h100-01 --gpus-per-node=8 " + Blocker("g"));
  std::string borrowed = Submit("-A customer-initech -w h100-02 --gpus-per-node=4 " + Blocker("b"));
  ASSERT_TRUE(ReadyEventually("g"));
  ASSERT_TRUE(ReadyEventually("b"));
  // Four accounts of one share each: a quarter of the cluster.
  EXPECT_EQ(cluster_.Run("sshare -P -n -A customer-initech | cut -d'|' -f1-3,7-").out,
            "customer-initech||0.250000|h100=12|h100=8|h100=4\n");
  std::vector<std::string> row =
      Split(cluster_.Value("tatami share -P -n -A customer-initech"), '|');
  ASSERT_EQ(row.size(), 9u);
  EXPECT_GT(std::stod(row[3]), 0);  // H100-hours so far
  EXPECT_LT(std::stod(row[5]), 1);  // fair share
  EXPECT_EQ(cluster_.Run("sshare -P -n | cut -d'|' -f1,7-").out,
            "fsd|||\ncustomer-acme|||\ncustomer-globex|||\n"
            "customer-initech|h100=12|h100=8|h100=4\n");
  CommandResult unknown = cluster_.Run("sshare -A nobody");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("unknown account 'nobody'"));
  CommandResult bad = cluster_.Run("tatami share --frobnicate");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("tatami share: error: unrecognized option '--frobnicate'"));
  EXPECT_THAT(cluster_.Run("sshare -A").err, HasSubstr("sshare: error: option -A needs a value"));
  Release("g");
  Release("b");
  EXPECT_EQ(Wait(guaranteed), 0);
  EXPECT_EQ(Wait(borrowed), 0);
}

// customer-globex has no quota: its job holding both nodes borrows them.
// A customer-initech job within its quota reclaims a node's worth, though
// both jobs are QoS normal, which preempts nothing: globex's job sees
// SIGTERM and is requeued, initech's runs.
TEST_F(ClusterTest, AJobWithinItsQuotaReclaimsWhatAnotherAccountBorrowed) {
  std::string big = Submit("-A customer-globex -N2 --gpus-per-node=8 " + PreemptibleOnce("big"));
  ASSERT_TRUE(ReadyEventually("big"));
  std::string mine = Submit("-A customer-initech --gpus-per-node=8 --wrap=true");
  ASSERT_EQ(Wait(mine), 0);
  EXPECT_EQ(cluster_.AcctState(mine), "COMPLETED");
  EXPECT_EQ(cluster_.Run("cat big.term").out, "got TERM\n");
  ASSERT_EQ(Wait(big), 0);
  EXPECT_EQ(cluster_.Value("sacct -n -P -X -j " + big + " -o State,Restarts"), "COMPLETED|1");
}

// Past its borrowing limit a job waits for its own account, not for the
// cluster: it neither holds back the jobs behind it nor reserves. Were it
// to reserve, it would take both nodes from the end of `first` (10 min),
// and `other` (60 min) could not start before that.
TEST_F(ClusterTest, AJobOverItsAccountsLimitDoesNotHoldBackOthers) {
  std::string first = Submit("-A customer-initech -N2 --gpus-per-node=6 --time=10 " + Blocker());
  ASSERT_TRUE(ReadyEventually());
  // 12 in use + 16 > quota 8 + borrow 4.
  std::string over = Submit("-A customer-initech -N2 --gpus-per-node=8 --time=5 --wrap=true");
  std::string other = Submit("-A customer-globex --gpus=2 --time=60 --wrap=true");
  ASSERT_EQ(Wait(other), 0);
  EXPECT_EQ(cluster_.Value("squeue -h -j " + over + " -o %t:%r"), "PD:AssocGrpGRES");
  Release();
  ASSERT_EQ(Wait(first), 0);
  // 16 never fits 8 + 4: it waits for an admin, not for the cluster.
  EXPECT_EQ(cluster_.Value("squeue -h -j " + over + " -o %t:%r"), "PD:AssocGrpGRES");
  EXPECT_EQ(cluster_.Run("scancel " + over).exit_code, 0);
}

// --time-min, Slurm's: h100-02 is busy for 10 minutes, then reserved for a
// job wanting both nodes for an hour. A job of 60 minutes that may run as
// few as 5 starts now on h100-01, its limit lowered to the whole minutes
// left before that reservation; the same job without --time-min waits.
TEST_F(ClusterTest, TimeMinLetsBackfillStartAJobWithALowerLimit) {
  std::string busy = Submit("-w h100-02 --gpus-per-node=8 -t 10 " + Blocker());
  ASSERT_TRUE(ReadyEventually());
  std::string wide = Submit("-N2 --gpus-per-node=8 -t 60 --wrap=true");
  std::string rigid = Submit("--gpus-per-node=8 -t 60 --wrap=true");
  std::string flexible = Submit("--gpus-per-node=8 -t 60 --time-min=5 " + Blocker("flexible"));
  ASSERT_TRUE(ReadyEventually("flexible"));
  std::string lowered = cluster_.Value("squeue -h -j " + flexible + " -o %l");
  EXPECT_TRUE(lowered == "00:10:00" || lowered == "00:09:00" || lowered == "00:08:00") << lowered;
  EXPECT_EQ(cluster_.Value("squeue -h -j " + rigid + " -o %t:%r"), "PD:Reservation");
  EXPECT_THAT(cluster_.Run("tatami explain " + flexible).out,
              HasSubstr("  its limit was lowered to " + lowered +
                        " to start it sooner (--time-min 00:05:00)\n"));
  EXPECT_THAT(cluster_.Run("tatami explain " + rigid).out, Not(HasSubstr("--time-min")));
  std::string held = Submit("-H -t 30 --time-min=5 --wrap=true");
  EXPECT_THAT(cluster_.Run("tatami explain " + held).out,
              HasSubstr("  --time-min 00:05:00: backfill may start it sooner with its limit "
                        "lowered as far as that\n"));
  EXPECT_EQ(cluster_.QueueState(wide), "PD");
  ExpectRefused("sbatch -t 10 --time-min=20 --wrap=true",
                "--time-min=00:20:00 is longer than the time limit 00:10:00");
  // The dojo partition has no default limit: a minimum is taken all the
  // same (Slurm's rule), and the job keeps no limit until a pass lowers one.
  std::string unlimited = Submit("-p dojo --tiles=1 --time-min=5 -H --wrap=true");
  EXPECT_EQ(cluster_.Value("squeue -h -j " + unlimited + " -o %l:%L"), "UNLIMITED:UNLIMITED");
  EXPECT_EQ(cluster_.Value("sacct -n -X -P -o Timelimit -j " + unlimited), "UNLIMITED");
  ASSERT_EQ(
      cluster_.Run("scancel " + flexible + "," + rigid + "," + wide + "," + held + "," + unlimited)
          .exit_code,
      0);
  Release();
  EXPECT_EQ(Wait(busy), 0);
}

// One scenario through tatamid and through tatami-sim (sim/): the same
// cluster config, the same jobs in the same order, the same policy code.
// h100-01 is half taken by job 1 (10 min), h100-02 wholly by job 2; job 3
// wants both nodes and is reserved their end; job 4 (5 min) fits in the
// hole before that, job 5 (30 min) would delay job 3 and must wait.
TEST_F(ClusterTest, TheSimulatorMakesTheDaemonsBackfillDecisions) {
  struct Step {
    std::string sbatch;
    uint32_t gpus;
    DurationMs limit;
  };
  const std::vector<Step> steps{{"-N1 --gpus=4 --time=10", 4, 10 * kMinute},
                                {"-N1 --gpus=8 --time=10", 8, 10 * kMinute},
                                {"-N2 --gpus=16 --time=60", 16, 60 * kMinute},
                                {"-N1 --gpus=4 --time=5", 4, 5 * kMinute},
                                {"-N1 --gpus=4 --time=30", 4, 30 * kMinute}};
  // Daemon: each job writes where it runs, then holds its devices.
  std::vector<std::string> ids;
  for (size_t i = 0; i < steps.size(); ++i) {
    std::string where = "where-" + std::to_string(i + 1);
    ids.push_back(Submit("-p h100 " + steps[i].sbatch + " --wrap='echo $SLURMD_NODENAME " +
                         "$CUDA_VISIBLE_DEVICES > " + where + ".tmp; mv " + where + ".tmp " +
                         where + "; while [ ! -e go ]; do sleep 0.05; done'"));
    if (i < 2) {
      ASSERT_TRUE(RunningEventually(ids[i]));
    }
  }
  ASSERT_TRUE(RunningEventually(ids[3]));
  ASSERT_TRUE(LocalCluster::Eventually(
      [&] { return cluster_.Value("squeue -h -j " + ids[4] + " -o %t:%r") == "PD:Resources"; },
      seconds(20)));
  EXPECT_EQ(cluster_.QueueState(ids[2]), "PD");
  // Job 3's reservation is what squeue's START_TIME and explain show.
  EXPECT_NE(cluster_.Value("squeue -h -j " + ids[2] + " -o %S"), "N/A");
  // squeue --start: the pending jobs only, each with the nodes the plan
  // expects it on; job 5 once job 3's reservation ends, as Slurm plans it.
  EXPECT_EQ(cluster_.Run("squeue --start -h -o '%i|%t|%Y'").out,
            ids[2] + "|PD|h100-[01-02]\n" + ids[4] + "|PD|h100-01\n");
  std::string job3_start = cluster_.Value("squeue -h -j " + ids[2] + " -o %S");
  EXPECT_EQ(cluster_.Value("squeue -h -j " + ids[4] + " -o %S"),
            cluster_.Value("date -d @$(( $(date -d " + job3_start + " +%s) + 3600 )) +%FT%T"));
  std::string explained = cluster_.Run("tatami explain " + ids[2]).out;
  EXPECT_THAT(explained, HasSubstr("the backfill plan expects it to start at "));
  EXPECT_THAT(explained, HasSubstr(" on h100-[01-02]\n"));
  EXPECT_THAT(explained, HasSubstr("  priority 0: qos 0.00 x 1000 = 0\n"));
  std::map<size_t, std::string> daemon;
  for (size_t i : {0, 1, 3}) {
    std::string file = "where-" + std::to_string(i + 1);
    ASSERT_TRUE(LocalCluster::Eventually(
        [&] { return cluster_.Run("test -e " + file).exit_code == 0; }, seconds(20)));
    daemon[i] = cluster_.Value("cat " + file);
  }
  Release();

  // Simulator: the same jobs a second apart, run times as their limits.
  auto config =
      LoadClusterConfig(std::string(TATAMI_SOURCE_DIR) + "/tests/integration/test-cluster.yaml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  auto sim = sim::Simulator::Create(*config, sim::SimOptions{});
  ASSERT_TRUE(sim.ok()) << sim.error().message;
  std::vector<sim::TraceJob> trace;
  for (size_t i = 0; i < steps.size(); ++i) {
    sim::TraceJob j;
    j.id = i + 1;
    j.submit = TimeMs(i) * kSecond;
    j.gpus = steps[i].gpus;
    j.run_time = j.time_limit = steps[i].limit;
    j.kind = "h100";
    trace.push_back(j);
  }
  auto policy = MakeSchedulingPolicy("tatami");
  auto run = sim->Run(trace, *policy);
  ASSERT_TRUE(run.ok()) << run.error().message;
  const auto& jobs = run->jobs;
  EXPECT_EQ(jobs[3].start, 3 * kSecond);                 // backfilled on arrival
  EXPECT_EQ(jobs[2].start, 10 * kMinute + 1 * kSecond);  // when job 2 ends
  EXPECT_GE(jobs[4].start, jobs[2].start);               // never ahead of job 3
  // Same nodes and devices as the daemon gave (its CUDA_VISIBLE_DEVICES).
  for (size_t i : {0, 1, 3}) EXPECT_EQ(jobs[i].placement, daemon[i]) << "job " << i + 1;
  EXPECT_EQ(daemon[3], "h100-01 4,5,6,7");
}

// An admin drains h100-01 while a job runs there: the job goes on (drng),
// new jobs go elsewhere or wait for it; once empty it shows drain (also
// after a controller restart), and after resume a job that wanted it runs
// there.
TEST_F(ClusterTest, ADrainedNodeTakesNoNewJobsLetsItsJobsFinishAndResumes) {
  auto node_line = [&] {
    for (const auto& line : Split(cluster_.Run("sinfo -h -N -o '%N|%t|%E'").out, '\n'))
      if (line.starts_with("h100-01|")) return line;
    return std::string();
  };
  std::string running = Submit("-w h100-01 --gpus-per-node=2 " + Blocker());
  ASSERT_TRUE(ReadyEventually());
  CommandResult drain = cluster_.Run("tatami node drain h100-01 --reason='bad NVLink'");
  ASSERT_EQ(drain.exit_code, 0) << drain.err;
  EXPECT_EQ(node_line(), "h100-01|drng|bad NVLink");
  // What SREs ask sinfo: the nodes out of service and why (-R), each
  // partition's nodes by use (-s), every node in full (-Nel).
  EXPECT_EQ(cluster_.Run("sinfo -R -h -o '%E|%T|%N'").out, "bad NVLink|draining|h100-01\n");
  EXPECT_EQ(cluster_.Run("sinfo -s -h -p h100 -o '%P|%F|%N'").out, "h100*|0/1/1/2|h100-[01-02]\n");
  EXPECT_THAT(
      cluster_.Run("sinfo -Nel").out,
      ::testing::MatchesRegex("(.|\n)*\nh100-01 +1 h100\\* +draining .* bad NVLink\n(.|\n)*"));
  std::string held = Submit("-w h100-01 --gpus=1 --wrap=true");
  std::string elsewhere = Submit("--gpus=1 --wrap=true");
  ASSERT_EQ(Wait(elsewhere), 0);
  EXPECT_EQ(cluster_.Value("sacct -n -P -X -j " + elsewhere + " -o NodeList"), "h100-02");
  EXPECT_EQ(cluster_.QueueState(held), "PD");
  EXPECT_EQ(cluster_.QueueState(running), "R");
  Release();
  ASSERT_EQ(Wait(running), 0);
  ASSERT_TRUE(LocalCluster::Eventually([&] { return node_line() == "h100-01|drain|bad NVLink"; },
                                       seconds(20)));
  EXPECT_EQ(cluster_.QueueState(held), "PD");
  // The drain is the admin's word, not the controller's mood: it outlasts a restart.
  ASSERT_TRUE(LocalCluster::KillAndReap(cluster_.ControllerPid()));
  ASSERT_EQ(cluster_.Run("tatami local up").exit_code, 0)
      << cluster_.Run("tail logs/tatamid.log").out;
  ASSERT_TRUE(LocalCluster::Eventually([&] { return node_line() == "h100-01|drain|bad NVLink"; },
                                       seconds(20)));
  EXPECT_EQ(cluster_.QueueState(held), "PD");
  ASSERT_EQ(cluster_.Run("tatami node resume h100-01").exit_code, 0);
  ASSERT_EQ(Wait(held), 0);
  EXPECT_EQ(cluster_.Value("sacct -n -P -X -j " + held + " -o NodeList"), "h100-01");
}

TEST_F(ClusterTest, NodeDrainAndResumeErrorsSayWhatWasWanted) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"tatami node drain h100-01",
       "tatami node: error: drain needs a reason (--reason=TEXT), for sinfo -R and the next "
       "admin\n"},
      {"tatami node drain h100-0[9 --reason=x",
       "tatami node: error: nodes: 'h100-0[9' is not a hostlist (want e.g. h100-[01-04])\n"},
      {"tatami node drain h100-[01-03] --reason=x",
       "tatami node: error: no node named 'h100-03'\n"},
      {"tatami node resume h100-01 --reason=x", "tatami node: error: --reason is for drain only\n"},
      {"tatami node reboot h100-01",
       "tatami node: error: unknown action 'reboot' (want drain or resume)\n"},
      {std::string(kAsNobody) + "tatami node drain h100-01 --reason=x",
       "tatami node: error: only root and tatamid's user may drain nodes (you are nobody)\n"},
  };
  ExpectErrors(cases);
  // The valid part of a partly bad hostlist was applied: h100-01 and -02 are drained.
  EXPECT_THAT(cluster_.Run("sinfo -h -N -o '%N %t'").out, HasSubstr("h100-02 drain\n"));
}

// sbatch --hold, then tatami hold|release (Slurm's scontrol hold|release).
TEST_F(ClusterTest, AHeldJobStartsOnlyOnceReleased) {
  std::string held = Submit("-H -o held.out --wrap='echo ran'");
  ASSERT_TRUE(LocalCluster::Eventually(
      [&] { return cluster_.Value("squeue -h -j " + held + " -o %t:%r") == "PD:JobHeldUser"; },
      seconds(20)));
  ASSERT_EQ(cluster_.Run("tatami release " + held).exit_code, 0);
  ASSERT_EQ(Wait(held), 0);
  EXPECT_EQ(cluster_.Run("cat held.out").out, "ran\n");
  // A pending job held afterwards stays pending after the reason it had.
  std::string later = Submit("--begin=now+3600 --wrap=true");
  ASSERT_EQ(cluster_.Run("tatami hold " + later).exit_code, 0);
  EXPECT_EQ(cluster_.Value("squeue -h -j " + later + " -o %t:%r"), "PD:JobHeldUser");
  ASSERT_EQ(cluster_.Run("tatami release " + later).exit_code, 0);
  EXPECT_TRUE(LocalCluster::Eventually(
      [&] { return cluster_.Value("squeue -h -j " + later + " -o %r") == "BeginTime"; },
      seconds(20)));
}

// tatami update (scontrol update job) changes a pending job's time limit,
// QoS and account, in tatami's flags or scontrol's words, and checks each
// change as a submission is checked: what sbatch would refuse, update
// refuses, per job, with the same reason. The change is stored (sacct), and
// a QoS change moves the job between max_submit_jobs_per_user counts. A
// running job's time limit moves on its node, both ways.
TEST_F(ClusterTest, UpdateChangesPendingJobsAndChecksEachChangeAsASubmission) {
  std::string job = Submit("-H -t 2:00:00 --wrap=true");
  ASSERT_EQ(cluster_.Run("tatami update " + job + " --time=30:00").exit_code, 0);
  EXPECT_EQ(cluster_.Value("squeue -h -j " + job + " -o '%l %q %a'"), "00:30:00 normal (null)");
  CommandResult words = cluster_.Run("tatami update JobId=" + job +
                                     " TimeLimit=45:00 QOS=burst account=customer-globex");
  ASSERT_EQ(words.exit_code, 0) << words.err;
  EXPECT_EQ(cluster_.Value("squeue -h -j " + job + " -o '%l %q %a'"),
            "00:45:00 burst customer-globex");

  std::string running = Submit(Blocker());
  ASSERT_TRUE(RunningEventually(running));
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"tatami update " + job,
       "nothing to change: give --time, --time-min, --qos, --account, --partition, --nodes, "
       "--ntasks, --mem, --gpus (or --gres, --gpus-per-node, --tiles, --accelerators), "
       "--job-class, --constraint, --dependency or --nice"},
      {"tatami update --time=10:00", "no job ids given"},
      {"tatami update " + job + " --time=soon", "--time: 'soon' is not a time"},
      {"tatami update " + job + " timelimit=soon", "timelimit: 'soon' is not a time"},
      {"tatami update " + job + " QOS=", "QOS needs a QoS name"},
      {"tatami update JobId=" + job + " MinCPUsNode=2",
       "cannot update 'MinCPUsNode': only TimeLimit, TimeMin, QOS, Account, Partition, "
       "NumNodes, NumTasks, MinMemoryNode, Gres, TresPerNode, TresPerJob, Features, "
       "Dependency and Nice can be changed"},
      {"tatami update " + job + " NumNodes=0", "NumNodes: '0' is not a positive count"},
      {"tatami update " + job + " NumTasks=0", "NumTasks: '0' is not a positive count"},
      {"tatami update " + job + " --mem=lots", "--mem: 'lots' is not a memory size"},
      {"tatami update " + job + " MinMemoryNode=64T", "Job " + job + ": impossible request: "},
      {"tatami update " + job + " -N 3",
       "Job " + job +
           ": impossible request: the job needs 3 node(s) with 1 CPUs each, but "
           "partition h100 has 2 such node(s)"},
      {"tatami update " + job + " 'Features=hgx|ib'",
       "Job " + job + ": --constraint: only AND (&) of features is supported, not 'hgx|ib'"},
      {"tatami update " + job + " -C fast",
       "Job " + job +
           ": impossible request: the job needs 1 node(s) with 1 CPUs each, but "
           "partition h100 has 0 such node(s)"},
      {"tatami update " + job + " --time-min=1:00:00",
       "Job " + job + ": --time-min=01:00:00 is longer than the time limit 00:45:00"},
      {"tatami update " + job + " --qos=gold", "Job " + job + ": invalid qos 'gold'"},
      {"tatami update " + job + " -A customer-acme",
       "Job " + job + ": user root may not charge account 'customer-acme'"},
      {"tatami update " + job + " --qos=capped --time=2:00:00",
       "Job " + job + ": --time=02:00:00 exceeds qos capped's max_time of 01:00:00"},
      {"tatami update " + running + " --qos=burst",
       "Job " + running + " is RUNNING: only its time limit can be changed"},
      {"tatami update " + running + " NumNodes=2",
       "Job " + running + " is RUNNING: only its time limit can be changed"},
      {"tatami update " + running + " --mem=1G",
       "Job " + running + " is RUNNING: only its time limit can be changed"},
      {"tatami update 99999 --time=10:00", "Invalid job id specified: 99999"},
  };
  for (const auto& [command, message] : refused) ExpectRefused(command, message);
  // Nothing refused changed anything.
  EXPECT_EQ(cluster_.Value("squeue -h -j " + job + " -o '%l %q %a %D %f'"),
            "00:45:00 burst customer-globex 1 (null)");
  // Node count, features and minimum time, in scontrol's words; an empty
  // Features= clears them.
  CommandResult shape =
      cluster_.Run("tatami update JobId=" + job + " NumNodes=2 'Features=hgx&ib' TimeMin=10");
  ASSERT_EQ(shape.exit_code, 0) << shape.err;
  EXPECT_EQ(cluster_.Value("squeue -h -j " + job + " -o '%D %f'"), "2 hgx&ib");
  EXPECT_THAT(cluster_.Run("tatami explain " + job).out, HasSubstr("  --time-min 00:10:00: "));
  ASSERT_EQ(cluster_.Run("tatami update " + job + " -N 1 --constraint=").exit_code, 0);
  EXPECT_EQ(cluster_.Value("squeue -h -j " + job + " -o '%D %f'"), "1 (null)");
  // Tasks and memory per node, in scontrol's words, then sbatch's.
  CommandResult size = cluster_.Run("tatami update " + job + " NumTasks=4 MinMemoryNode=2G");
  ASSERT_EQ(size.exit_code, 0) << size.err;
  EXPECT_EQ(cluster_.Value("squeue -h -j " + job + " -o '%C %m'"), "4 2048M");
  ASSERT_EQ(cluster_.Run("tatami update " + job + " -n 1 --mem=512").exit_code, 0);
  EXPECT_EQ(cluster_.Value("squeue -h -j " + job + " -o '%C %m'"), "1 512M");

  // A running job's time limit moves on its node: cut to a second, it ends TIMEOUT...
  ASSERT_EQ(cluster_.Run("tatami update " + running + " --time=0:01").exit_code, 0);
  EXPECT_NE(Wait(running), 0);
  EXPECT_EQ(cluster_.AcctState(running), "TIMEOUT");
  // ...and extended, a job outlives the limit it started with.
  std::string extended = Submit("-t 0:05 --wrap='sleep 8'");
  ASSERT_TRUE(RunningEventually(extended));
  ASSERT_EQ(cluster_.Run("tatami update " + extended + " --time=1:00").exit_code, 0);
  EXPECT_EQ(Wait(extended), 0);
  EXPECT_EQ(cluster_.Value("sacct -n -P -X -j " + extended + " -o State,Timelimit"),
            "COMPLETED|00:01:00");

  // A user changes only their own jobs, and may lower a time limit but not raise it.
  if (geteuid() == 0) {  // only root can be nobody
    const std::string as_nobody = kAsNobody;
    CommandResult submitted = cluster_.Run(as_nobody + "sbatch --parsable -H -t 10:00 --wrap=true");
    ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
    std::string theirs = submitted.out.substr(0, submitted.out.find('\n'));
    ExpectRefused(as_nobody + "tatami update " + theirs + " --time=20:00",
                  "Job " + theirs +
                      ": only an admin may raise a time limit (it has 00:10:00, --time asks for "
                      "00:20:00)");
    EXPECT_EQ(cluster_.Run(as_nobody + "tatami update " + theirs + " --time=5:00").exit_code, 0);
    EXPECT_EQ(cluster_.Value("squeue -h -j " + theirs + " -o %l"), "00:05:00");
    ExpectRefused(as_nobody + "tatami update " + job + " --time=5:00",
                  "Job " + job + " belongs to root: access denied");
    ASSERT_EQ(cluster_.Run("scancel " + theirs).exit_code, 0);
  }

  // capped allows 3 unfinished jobs per user: a job moved into it counts.
  std::vector<std::string> capped;
  for (int i = 0; i < 3; ++i) capped.push_back(Submit("-H --qos=capped --wrap=true"));
  ExpectRefused("tatami update " + job + " --qos=capped --time=30:00",
                "Job " + job +
                    ": qos capped allows 3 pending or running jobs per user "
                    "(max_submit_jobs_per_user); user root has 3 and this adds 1");
  ASSERT_EQ(cluster_.Run("scancel " + capped[0]).exit_code, 0);
  ASSERT_EQ(cluster_.Run("tatami update " + job + " --qos=capped --time=30:00").exit_code, 0);
  ExpectRefused("sbatch -H --qos=capped --wrap=true", "user root has 3 and this adds 1");
  // And out of it, its count goes with it.
  ASSERT_EQ(cluster_.Run("tatami update " + job + " --qos=normal").exit_code, 0);
  capped.push_back(Submit("-H --qos=capped --wrap=true"));

  Release();
  ASSERT_EQ(cluster_.Run("tatami release " + job).exit_code, 0);
  ASSERT_EQ(Wait(job), 0);
  EXPECT_EQ(cluster_.Value("sacct -n -P -X -j " + job + " -o QOS,Account,Timelimit"),
            "normal|customer-globex|00:30:00");
  for (const std::string& c : capped) cluster_.Run("scancel " + c);
}

// --nice lowers a job's priority by N, as Slurm's: squeue, sprio and
// explain show it; root may give a negative one, a user may not; tatami
// update changes it.
TEST_F(ClusterTest, NiceLowersAPendingJobsPriorityAndOnlyRootMayRaiseIt) {
  std::string plain = Submit("-H --wrap=true");
  std::string niced = Submit("-H --nice=100 --wrap=true");
  std::string raised = Submit("-H --nice=-50 --wrap=true");
  auto priority = [&](const std::string& job) {
    return std::stoll(cluster_.Value("squeue -h -j " + job + " -o %Q"));
  };
  // Submitted a moment apart, their age factors differ by less than 1.
  EXPECT_NEAR(priority(plain) - priority(niced), 100, 1);
  EXPECT_NEAR(priority(raised) - priority(plain), 50, 1);
  EXPECT_EQ(cluster_.Value("squeue -h -j " + niced + " -o %y"), "100");
  EXPECT_EQ(
      cluster_.Run("sprio -n -P -j " + plain + "," + niced + "," + raised + " | cut -d'|' -f1,12")
          .out,
      raised + "|-50\n" + plain + "|0\n" + niced + "|100\n");
  EXPECT_THAT(cluster_.Run("tatami explain " + niced).out, HasSubstr(" - nice 100 = "));

  ASSERT_EQ(cluster_.Run("tatami update " + niced + " Nice=0").exit_code, 0);
  EXPECT_NEAR(priority(plain) - priority(niced), 0, 1);
  ExpectRefused("sbatch --nice=lots --wrap=true",
                "--nice: 'lots' is not a nice value (want an integer from -2147483645 to "
                "2147483645)");
  ExpectRefused("tatami update " + niced + " --nice=9999999999", "--nice: '9999999999' is not");
  if (geteuid() == 0) {  // only root can be nobody
    const std::string as_nobody = kAsNobody;
    ExpectRefused(as_nobody + "sbatch --nice=-1 --wrap=true",
                  "--nice=-1: only an admin may give a negative nice (it raises a job above its "
                  "factors)");
    CommandResult theirs = cluster_.Run(as_nobody + "sbatch --parsable -H --nice=10 --wrap=true");
    ASSERT_EQ(theirs.exit_code, 0) << theirs.err;
    std::string id = theirs.out.substr(0, theirs.out.find('\n'));
    ExpectRefused(as_nobody + "tatami update " + id + " --nice=-10",
                  "Job " + id + ": --nice=-10: only an admin may give a negative nice");
    EXPECT_EQ(cluster_.Run(as_nobody + "tatami update " + id + " --nice=20").exit_code, 0);
    EXPECT_EQ(cluster_.Value("squeue -h -j " + id + " -o %y"), "20");
    cluster_.Run("scancel " + id);
  }
  for (const std::string& job : {plain, niced, raised}) cluster_.Run("scancel " + job);
}

// tatami hold, release and requeue (requeue_test.cc) on a running, a
// finished and a held job, as root and as another user.
TEST_F(ClusterTest, HoldReleaseAndRequeueErrorsSayWhatWasWanted) {
  std::string running = Submit(Blocker());
  ASSERT_TRUE(ReadyEventually());
  std::string done = Submit("--wrap=true");
  ASSERT_EQ(Wait(done), 0);
  std::string pending = Submit("-H --wrap=true");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"tatami hold", "tatami hold: error: no job ids given\n"},
      {"tatami release --now " + pending, "tatami release: error: unrecognized option '--now'\n"},
      {"tatami hold " + running,
       "tatami hold: error: Job " + running +
           " is RUNNING, not pending: only a pending job can be held or released\n"},
      {"tatami release " + done, "tatami release: error: Job " + done + " is already COMPLETED\n"},
      {"tatami release 99999", "tatami release: error: Invalid job id specified: 99999\n"},
      {std::string(kAsNobody) + "tatami release " + pending,
       "tatami release: error: Job " + pending + " belongs to root: access denied\n"},
      {"tatami requeue", "tatami requeue: error: no job ids given\n"},
      {"tatami requeue --now " + running, "tatami requeue: error: unrecognized option '--now'\n"},
      {"tatami requeue " + pending, "tatami requeue: error: Job " + pending +
                                        " is PENDING: only a running job can be requeued\n"},
      {"tatami requeue " + done, "tatami requeue: error: Job " + done + " is already COMPLETED\n"},
      {std::string(kAsNobody) + "tatami requeue " + running,
       "tatami requeue: error: Job " + running + " belongs to root: access denied\n"},
  };
  ExpectErrors(cases);
  EXPECT_EQ(cluster_.Value("squeue -h -j " + pending + " -o %t:%r"), "PD:JobHeldUser");
  EXPECT_EQ(cluster_.Value("sacct -n -P -j " + running + " -o State,Restarts"), "RUNNING|0");
  Release();
}

// A drain must be durable before it takes effect (a restarted controller
// would put the node back into service): when the store cannot write it,
// the node is not drained and the admin is told why.
TEST_F(ClusterTest, ADrainTheStoreCannotWriteIsRefusedAndLeavesTheNodeInService) {
  {
    StoreLock lock(cluster_.dir());
    ASSERT_TRUE(lock.held());
    CommandResult r = cluster_.Run("tatami node drain h100-01 --reason=fan");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_THAT(r.err, HasSubstr("h100-01: not drained, it could not be stored: "));
    EXPECT_THAT(cluster_.Run("sinfo -h -N -o '%N %t'").out, HasSubstr("h100-01 idle\n"));
  }
  ASSERT_EQ(cluster_.Run("tatami node drain h100-01 --reason=fan").exit_code, 0);
  ASSERT_TRUE(LocalCluster::KillAndReap(cluster_.ControllerPid()));
  ASSERT_EQ(cluster_.Run("tatami local up").exit_code, 0);
  EXPECT_THAT(cluster_.Run("sinfo -h -N -o '%N %t'").out, HasSubstr("h100-01 drain\n"));
}

}  // namespace
}  // namespace tatami::testing
