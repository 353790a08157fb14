// End-to-end behaviour of a real local cluster: tatamid, tatami-agent and
// the CLI on loopback, real processes, real MPI, real SQLite.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include "base/strings.h"
#include "scheduler/policy.h"
#include "sim/simulator.h"
#include "tests/integration/cluster_fixture.h"
#include "tests/integration/store_lock.h"
#include "tests/integration/temp_config.h"
#include "topology/cluster_config.h"

namespace tatami::testing {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST_F(ClusterTest, TwoNodeMpiAllreduceGetsTheRightAnswer) {
  std::ofstream(cluster_.dir() + "/mpi.sh")
      << "#!/bin/bash\n"
         "#SBATCH -J allreduce -N 2 --ntasks-per-node=2 --gpus-per-node=4\n"
         "#SBATCH -o mpi-%j.out\n"
         "mpirun tatami-allreduce-check --count 10000\n";
  CommandResult r = cluster_.Run("sbatch --wait mpi.sh");
  ASSERT_EQ(r.exit_code, 0) << r.err << cluster_.Run("cat mpi-*.out").out;
  std::string out = cluster_.Run("cat mpi-*.out").out;
  EXPECT_THAT(out, HasSubstr("4 ranks"));
  EXPECT_THAT(out, HasSubstr("result correct"));
  EXPECT_THAT(out, HasSubstr("rank 0/4 node=h100-01"));
  EXPECT_THAT(out, HasSubstr("rank 3/4 node=h100-02"));
  EXPECT_THAT(out, HasSubstr("cuda_visible_devices=0,1,2,3"));
  EXPECT_EQ(cluster_.Value("sacct -n -P -j 1 -o State,NodeList,ExitCode"),
            "COMPLETED|h100-[01-02]|0:0");
}

TEST_F(ClusterTest, RanksFollowTheirGpusSocketAndNicThroughTatamiBind) {
  std::ofstream(cluster_.dir() + "/bind.sh")
      << "#!/bin/bash\n"
         "#SBATCH -N 2 --ntasks-per-node=8 --gpus-per-node=8 -o bind.out\n"
         "mpirun tatami-bind sh -c 'echo $RANK $LOCAL_RANK $TATAMI_DEVICE $NCCL_IB_HCA "
         "$TATAMI_CPUS $WORLD_SIZE $TATAMI_BOUND $CUDA_VISIBLE_DEVICES' | sort -n\n";
  std::string job = Submit("bind.sh");
  ASSERT_EQ(cluster_.Run("tatami wait " + job).exit_code, 0) << cluster_.Run("cat bind.out").out;
  std::vector<std::string> lines = Split(cluster_.Run("cat bind.out").out, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  ASSERT_EQ(lines.size(), 16u) << cluster_.Run("cat bind.out").out;
  // HGX: GPUs 0-3 and their NICs on socket 0 (cpus 0-111), 4-7 on socket 1;
  // each GPU's ranks get its quarter of the socket. Emulated cores are not
  // this machine's, so nothing is pinned (TATAMI_BOUND=0).
  EXPECT_EQ(lines[0], "0 0 0 =mlx5_0 0-27 16 0 0,1,2,3,4,5,6,7");
  EXPECT_EQ(lines[3], "3 3 3 =mlx5_5 84-111 16 0 0,1,2,3,4,5,6,7");
  EXPECT_EQ(lines[4], "4 4 4 =mlx5_6 112-139 16 0 0,1,2,3,4,5,6,7");
  EXPECT_EQ(lines[15], "15 7 7 =mlx5_11 196-223 16 0 0,1,2,3,4,5,6,7");
  std::string explain = cluster_.Run("tatami explain " + job).out;
  EXPECT_THAT(explain, HasSubstr("COMPLETED on h100-[01-02]"));
  EXPECT_THAT(explain, ::testing::ContainsRegex("15 +h100-02 +7 +7 +1 +196-223 +mlx5_11"));
  // The rankfile the job could hand to mpirun on real nodes.
  EXPECT_THAT(cluster_.Run("tatami explain " + job).out, HasSubstr("$TATAMI_RANKFILE"));

  // CPU-only ranks on a shared node have nothing to bind; tatami-bind still
  // gives them their ranks.
  std::string cpu = Submit(
      "-n 2 -o cpu.out --wrap='mpirun tatami-bind sh -c \"echo \\$RANK \\$TATAMI_BOUND "
      "\\$NCCL_SOCKET_IFNAME\" | "
      "sort'");
  ASSERT_EQ(cluster_.Run("tatami wait " + cpu).exit_code, 0) << cluster_.Run("cat cpu.out").out;
  // NCCL's socket interface: the one the node's agent is reached on.
  EXPECT_EQ(cluster_.Run("cat cpu.out").out, "0 0 lo\n1 0 lo\n");
}

// tatami-bind's error paths need no cluster: it reads only its environment.
TEST(TatamiBind, ErrorsNameWhatIsMissingOrWrong) {
  auto run = [](const std::string& env) {
    std::string cmd = "env -u TATAMI_BINDING_FILE -u TATAMI_JOB_ID -u LOCAL_RANK " + env + " " +
                      TATAMI_BIN_DIR + "/tatami-bind true 2>&1; echo rc=$?";
    std::string out;
    if (FILE* p = popen(cmd.c_str(), "r")) {
      char buf[512];
      while (fgets(buf, sizeof buf, p)) out += buf;
      pclose(p);
    }
    return out;
  };
  EXPECT_THAT(run(""),
              HasSubstr("TATAMI_BINDING_FILE is not set: run tatami-bind inside a Tatami job"));
  EXPECT_THAT(run(""), HasSubstr("rc=127"));
  EXPECT_THAT(run("TATAMI_BINDING_FILE=/nonexistent/binding"),
              HasSubstr("/nonexistent/binding: cannot read the binding file: No such file"));
  std::string file = ::testing::TempDir() + "/bad-binding";
  std::ofstream(file) << "0 0 0 0 0-3 mlx5_0\n1 1 one 0 4-7 mlx5_3\n";
  EXPECT_THAT(run("TATAMI_BINDING_FILE=" + file + " LOCAL_RANK=1"),
              HasSubstr(file + ":2: ranks must be integers"));
  EXPECT_THAT(run("TATAMI_BINDING_FILE=" + file + " LOCAL_RANK=x"),
              HasSubstr("LOCAL_RANK='x' is not a rank"));
  // A well-formed file: the rank runs, unpinned where its cores do not exist.
  std::ofstream(file) << "0 5 0 0 4096-4097 mlx5_0\n";
  EXPECT_THAT(run("TATAMI_BINDING_FILE=" + file + " LOCAL_RANK=0"), HasSubstr("rc=0"));
}

// A job that names no account charges the default one, which fair share and
// quotas then count; an account that lists its users refuses the others.
TEST(SmallCluster, AJobWithoutAnAccountChargesTheDefaultOne) {
  LocalCluster cluster(std::string(TATAMI_SOURCE_DIR) + "/tests/integration/small-cluster.yaml");
  ASSERT_TRUE(cluster.ok()) << cluster.up_output();
  CommandResult r = cluster.Run("sbatch --parsable --wrap=true");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string job = r.out.substr(0, r.out.find('\n'));
  ASSERT_EQ(cluster.Run("tatami wait " + job).exit_code, 0);
  EXPECT_EQ(cluster.Run("sacct -n -P -X -j " + job + " -o Account").out, "fsd\n");
  CommandResult refused = cluster.Run("sbatch -A customer-acme --wrap=true");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("may not charge account 'customer-acme'"));
}

// min_job_age is 1 s here. A finished job then leaves the controller's
// memory (squeue), but not the store: sacct and explain still show it,
// tatami wait still answers with its exit code (to its owner only, under
// private_data), a dependency on it is still judged by how it ended, and
// scancel says what Slurm says. So too after a restart, which loads it
// only as what a dependency needs.
TEST(SmallCluster, AFinishedJobLeavesMemoryAfterMinJobAgeButKeepsItsRecord) {
  LocalCluster cluster(std::string(TATAMI_SOURCE_DIR) + "/tests/integration/small-cluster.yaml");
  ASSERT_TRUE(cluster.ok()) << cluster.up_output();
  auto submit = [&](const std::string& args) {
    CommandResult r = cluster.Run("sbatch --parsable " + args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, r.out.find('\n'));
  };
  std::string ok = submit("--wrap=true");
  std::string failed = submit("--wrap='exit 3'");
  ASSERT_EQ(cluster.Run("tatami wait " + ok).exit_code, 0);
  ASSERT_EQ(cluster.Run("tatami wait " + failed).exit_code, 3);
  ASSERT_TRUE(LocalCluster::Eventually(
      [&] { return cluster.Run("squeue -h -t CD,F -o %i").out.empty(); }, seconds(20)));
  auto still_known = [&] {
    EXPECT_EQ(cluster.Run("sacct -n -P -X -j " + ok + " -o State").out, "COMPLETED\n");
    EXPECT_THAT(cluster.Run("tatami explain " + ok).out, HasSubstr("COMPLETED"));
    CommandResult waited = cluster.Run("tatami wait " + failed);
    EXPECT_EQ(waited.exit_code, 3);
    EXPECT_THAT(waited.out, HasSubstr(failed + " FAILED 3:0"));
    if (geteuid() == 0) {
      CommandResult theirs = cluster.Run(std::string(kAsNobody) + "tatami wait " + failed);
      EXPECT_EQ(theirs.exit_code, 1) << theirs.out;
      EXPECT_EQ(theirs.err, "tatami wait: error: no such job\n");
    }
    std::string after = submit("--dependency=afterok:" + ok + " --wrap=true");
    EXPECT_EQ(cluster.Run("tatami wait " + after).exit_code, 0);
    std::string never = submit("--dependency=afterok:" + failed + " --wrap=true");
    EXPECT_TRUE(LocalCluster::Eventually(
        [&] {
          return cluster.Run("squeue -h -j " + never + " -o %r").out ==
                 "DependencyNeverSatisfied\n";
        },
        seconds(10)));
    EXPECT_EQ(cluster.Run("scancel " + never).exit_code, 0);
    CommandResult cancel = cluster.Run("scancel " + ok);
    EXPECT_NE(cancel.exit_code, 0);
    EXPECT_THAT(cancel.err, HasSubstr("Invalid job id specified: " + ok));
  };
  still_known();
  ASSERT_TRUE(LocalCluster::KillAndReap(cluster.ControllerPid()));
  ASSERT_EQ(cluster.Run("tatami local up").exit_code, 0);
  EXPECT_EQ(cluster.Run("squeue -h -j " + ok + " -o %i").out, "");
  still_known();
}

// An admin edits the config and drops an account, a QoS and a partition
// that accepted jobs still name. After the restart those jobs wait with
// Slurm's reasons, and explain says what an admin must do: they are never
// dropped, and never run uncharged. tatami update can move one to names
// the config has; with the names back, the others run.
TEST(SmallCluster, JobsWhoseAccountQosOrPartitionLeftTheConfigWaitUntilTheyAreBack) {
  const std::string base = SmallClusterYaml();
  const std::string extra_partition = "  - {name: old, nodes: cpu-01}\n";
  const std::string extra_account = "  - {name: interns}\n";  // anyone may charge it
  auto config_with = [&](bool extras) {
    std::string c = base;
    c.insert(c.find("accounts:\n") + 10, extras ? extra_account : "");
    c.insert(c.find("partitions:\n") + 12, extras ? extra_partition : "");
    return c + "qos:\n  - {name: normal}\n" + (extras ? "  - {name: trial}\n" : "");
  };
  TempConfig config;
  config.Write(config_with(true));
  LocalCluster cluster(config.path());
  ASSERT_TRUE(cluster.ok()) << cluster.up_output();
  auto submit = [&](const std::string& args) {
    CommandResult r = cluster.Run("sbatch --parsable -H " + args + " --wrap=true");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, r.out.find('\n'));
  };
  std::string account = submit("-A interns"), qos = submit("--qos trial"),
              partition = submit("-p old"), fine = submit(""), moved = submit("-A interns"),
              gone_partition = submit("-p old");
  auto restart_with = [&](bool extras) {
    ASSERT_TRUE(LocalCluster::KillAndReap(cluster.ControllerPid()));
    config.Write(config_with(extras));
    ASSERT_EQ(cluster.Run("tatami local up").exit_code, 0);
  };
  ASSERT_NO_FATAL_FAILURE(restart_with(false));
  ASSERT_EQ(cluster
                .Run("tatami release " + account + "," + qos + "," + partition + "," + fine + "," +
                     moved + "," + gone_partition)
                .exit_code,
            0);
  ASSERT_EQ(cluster.Run("tatami wait --timeout 60 " + fine).exit_code, 0);
  const std::string want = account + " InvalidAccount\n" + qos + " InvalidQOS\n" + partition +
                           " PartitionConfig\n" + moved + " InvalidAccount\n" + gone_partition +
                           " PartitionConfig\n";
  ASSERT_TRUE(LocalCluster::Eventually(
      [&] { return cluster.Run("squeue -h -t PD -S i -o '%i %r'").out == want; }, seconds(10)))
      << cluster.Run("squeue -h -t PD -S i -o '%i %r'").out;
  CommandResult explained = cluster.Run("tatami explain " + account);
  EXPECT_EQ(explained.exit_code, 0) << explained.err;
  EXPECT_THAT(explained.out, HasSubstr("InvalidAccount: its account is no longer in the cluster "
                                       "config; it waits, uncharged to anyone, until an admin "
                                       "adds the account back, `tatami update -A` moves it "
                                       "to another, or it is cancelled"));
  EXPECT_THAT(cluster.Run("tatami explain " + qos).out,
              HasSubstr("InvalidQOS: its QoS is no longer in the cluster config"));
  EXPECT_THAT(cluster.Run("tatami explain " + partition).out,
              HasSubstr("PartitionConfig: its partition is no longer in the cluster config"));
  // tatami update mends a job by giving it names the config has, and
  // checks that it does: an update that keeps the missing QoS is refused.
  CommandResult kept = cluster.Run("tatami update " + qos + " --time=10:00");
  EXPECT_EQ(kept.exit_code, 1);
  EXPECT_THAT(kept.err, HasSubstr("Job " + qos + ": invalid qos 'trial'"));
  ASSERT_EQ(cluster.Run("tatami update " + moved + " -A fsd").exit_code, 0);
  EXPECT_EQ(cluster.Run("tatami wait --timeout 60 " + moved).exit_code, 0);
  EXPECT_EQ(cluster.Run("sacct -n -P -X -j " + moved + " -o Account").out, "fsd\n");
  // A job whose partition is gone may be moved to one that is there.
  ASSERT_EQ(cluster.Run("tatami update " + gone_partition + " -p cpu").exit_code, 0);
  EXPECT_EQ(cluster.Run("tatami wait --timeout 60 " + gone_partition).exit_code, 0);
  EXPECT_EQ(cluster.Run("sacct -n -P -X -j " + gone_partition + " -o Partition").out, "cpu\n");

  ASSERT_NO_FATAL_FAILURE(restart_with(true));
  for (const std::string& job : {account, qos, partition})
    EXPECT_EQ(cluster.Run("tatami wait --timeout 60 " + job).exit_code, 0) << job;
  EXPECT_EQ(cluster.Run("sacct -n -P -X -j " + account + " -o Account").out, "interns\n");
}

// On a node that is real hardware the rankfile is applied by mpirun itself,
// and tatami-bind pins each rank to its cores.
TEST(HostNodeCluster, RankfileAndTatamiBindPinRanksForReal) {
  LocalCluster cluster(std::string(TATAMI_SOURCE_DIR) + "/tests/integration/host-cluster.yaml");
  ASSERT_TRUE(cluster.ok()) << cluster.up_output();
  CommandResult r = cluster.Run(
      "sbatch --parsable --exclusive -n 2 -o pin.out --wrap='"
      "mpirun sh -c \"echo mpirun \\$OMPI_COMM_WORLD_RANK "
      "\\$(grep Cpus_allowed_list /proc/self/status | cut -f2)\"; "
      "mpirun tatami-bind sh -c \"echo bind \\$RANK \\$TATAMI_BOUND "
      "\\$(grep Cpus_allowed_list /proc/self/status | cut -f2)\"'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string job = r.out.substr(0, r.out.find('\n'));
  ASSERT_EQ(cluster.Run("tatami wait " + job).exit_code, 0) << cluster.Run("cat pin.out").out;
  // What the controller decided, rank by rank, from tatami explain's table
  // (RANK NODE LOCAL_RANK DEVICE NUMA CPUS NIC): "0" and "1" on 2 cores.
  std::string explain = cluster.Run("tatami explain " + job).out;
  std::map<std::string, std::string> cpus_of_rank;
  for (const auto& line : Split(explain, '\n')) {
    std::vector<std::string> f;
    for (const auto& w : Split(line, ' '))
      if (!w.empty()) f.push_back(w);
    if (f.size() == 7 && f[1] == "real-01") cpus_of_rank[f[0]] = f[5];
  }
  std::string out = cluster.Run("sort pin.out").out;
  ASSERT_EQ(cpus_of_rank.size(), 2u) << explain;
  for (const auto& [rank, cpus] : cpus_of_rank) {
    EXPECT_THAT(out, HasSubstr("mpirun " + rank + " " + cpus + "\n")) << out << explain;
    EXPECT_THAT(out, HasSubstr("bind " + rank + " 1 " + cpus + "\n")) << out << explain;
  }
}

TEST_F(ClusterTest, JobSeesSlurmEnvironmentAndOutputPatterns) {
  std::string job = Submit(
      "-J envcheck -N 1 -n 2 -c 3 --gpus-per-node=2 -o '%x-%j.out' "
      "--wrap='echo $SLURM_JOB_ID $SLURM_JOB_NAME $SLURM_JOB_NODELIST $SLURM_NNODES $SLURM_NTASKS "
      "$SLURM_CPUS_PER_TASK $SLURMD_NODENAME $TATAMI_JOB_ID $CUDA_VISIBLE_DEVICES "
      "$SLURM_SUBMIT_DIR; "
      "echo err >&2'");
  ASSERT_EQ(cluster_.Run("tatami wait " + job).exit_code, 0);
  std::string out = cluster_.Run("cat envcheck-" + job + ".out").out;
  EXPECT_EQ(out,
            job + " envcheck h100-01 1 2 3 h100-01 " + job + " 0,1 " + cluster_.dir() + "\nerr\n");
}

TEST_F(ClusterTest, JobOverItsTimeLimitEndsInTimeoutAfterSigterm) {
  std::string job = Submit("-t 0:01 -o to.out " + Blocker());
  CommandResult r = cluster_.Run("tatami wait " + job);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr(job + " TIMEOUT"));
  EXPECT_EQ(cluster_.AcctState(job), "TIMEOUT");
  EXPECT_THAT(cluster_.Run("cat to.out").out, HasSubstr("got TERM"));  // SIGTERM came first
}

TEST_F(ClusterTest, CancelRunningAndPendingJobs) {
  std::string running = Submit("-o run.out " + Blocker());
  std::string held = Submit("-H --wrap=true");
  ASSERT_TRUE(ReadyEventually());
  EXPECT_EQ(cluster_.Value("squeue -h -j " + held + " -o %t:%r"), "PD:JobHeldUser");
  ASSERT_EQ(cluster_.Run("scancel " + running + " " + held).exit_code, 0);
  ASSERT_NE(cluster_.Run("tatami wait " + running + " " + held).exit_code, 0);
  EXPECT_EQ(cluster_.AcctState(running), "CANCELLED by 0");
  EXPECT_EQ(cluster_.AcctState(held), "CANCELLED by 0");
  EXPECT_THAT(cluster_.Run("cat run.out").out, HasSubstr("got TERM"));
  EXPECT_EQ(cluster_.Run("squeue -h").out, "");
  CommandResult again = cluster_.Run("scancel " + running);
  EXPECT_NE(again.exit_code, 0);
  EXPECT_THAT(again.err, HasSubstr("already CANCELLED"));
}

TEST_F(ClusterTest, ScancelSignalDeliversWithoutCancelling) {
  std::string job = Submit(
      "-o sig.out --wrap='trap \"echo got USR1; exit 0\" USR1; while :; do sleep 0.05; done'");
  ASSERT_TRUE(RunningEventually(job));
  ASSERT_EQ(cluster_.Run("scancel --signal=USR1 " + job).exit_code, 0);
  EXPECT_EQ(cluster_.Run("tatami wait " + job).exit_code, 0);
  EXPECT_EQ(cluster_.AcctState(job), "COMPLETED");
  EXPECT_THAT(cluster_.Run("cat sig.out").out,
              HasSubstr("got USR1\n"));  // the whole job got it, sleep too
  CommandResult bad = cluster_.Run("scancel --signal=NOTASIG " + job);
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("invalid signal 'NOTASIG'"));
}

TEST_F(ClusterTest, QueueAndAcctFiltersAndFormats) {
  std::string a = Submit("-H -J alpha -p dojo --wrap=true");
  std::string b = Submit("-H -J beta -A fsd --wrap=true");
  std::string c = Submit("-J gamma --wrap=true");
  ASSERT_EQ(cluster_.Run("tatami wait " + c).exit_code, 0);
  EXPECT_EQ(cluster_.Value("squeue -h -p dojo -o '%i %j %P'"), a + " alpha dojo");
  EXPECT_EQ(cluster_.Value("squeue -h -A fsd -o '%i %a'"), b + " fsd");
  EXPECT_EQ(cluster_.Value("squeue -h -n beta -o %j"), "beta");
  EXPECT_EQ(cluster_.Run("squeue -h -u nobody-here").out, "");
  EXPECT_EQ(cluster_.Run("squeue -h --me -o %i").out, a + "\n" + b + "\n");  // dojo, h100
  EXPECT_EQ(cluster_.Run("squeue -h --me -S -i -o %i").out, b + "\n" + a + "\n");
  ExpectRefused("squeue -S P,Z", "squeue: error: -S: cannot sort by 'Z' (want a comma-separated");
  EXPECT_EQ(cluster_.Run("squeue -h -t CD -o %i").out, c + "\n");
  EXPECT_THAT(cluster_.Run("squeue").out,
              StartsWith("             JOBID PARTITION     NAME     USER ST"));
  // %all: every field, '|' between them, as Slurm's.
  std::vector<std::string> all = Split(cluster_.Run("squeue -o %all -j " + a).out, '\n');
  ASSERT_EQ(all.size(), 3u);  // header, the job, ""
  EXPECT_THAT(all[0], StartsWith("ACCOUNT|ARRAY_JOB_ID|TRES_PER_NODE|CPUS|NODES|END_TIME|"));
  EXPECT_EQ(Split(all[1], '|').size(), Split(all[0], '|').size());
  EXPECT_THAT(all[1], HasSubstr("|" + a + "|alpha|"));
  // -O: Slurm's field names, with sizes (20 when none is given).
  EXPECT_EQ(cluster_.Run("squeue -h -O JobID:.8,Name:6,Partition -j " + a).out,
            std::string(8 - a.size(), ' ') + a + " alpha  dojo\n");  // the last column unpadded
  ExpectRefused("squeue -O JobID,Colour", "squeue: error: -O: unknown field 'Colour'");
  EXPECT_EQ(cluster_.Value("sacct -n -P -X -A fsd -o JobName,State"), "beta|PENDING");
  EXPECT_EQ(cluster_.Value("sacct -n -P -j " + c + " -o JobName,State,ExitCode"),
            "gamma|COMPLETED|0:0");
  EXPECT_EQ(cluster_.Run("sacct -n -X -S 2001-01-01 -E 2001-01-02 -u root").out, "");
  EXPECT_EQ(cluster_.Value("sacct -n -P -b -j " + c), c + "|COMPLETED|0:0");
  std::string long_form = cluster_.Value("sacct -n -P -l -j " + c);
  EXPECT_EQ(Split(long_form, '|').size(), 23u) << long_form;
  EXPECT_THAT(long_form, StartsWith(c + "|" + c + "|gamma|h100|"));
  CommandResult bad = cluster_.Run("sacct -o JobID,Bogus");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("invalid field 'Bogus'"));
  EXPECT_EQ(cluster_.Value("sinfo -h -p dojo -o '%P %D %G'"), "dojo 1 d1:6");
  EXPECT_EQ(cluster_.Value("sinfo -h -o '%P %t %N' -p h100"), "h100* idle h100-[01-02]");
}

TEST_F(ClusterTest, ArrayJobRunsEveryTaskWithinItsLimit) {
  std::string job = Submit(
      "--array=0-5%2 -o 'arr-%A_%a.out' --wrap='echo task $SLURM_ARRAY_TASK_ID of "
      "$SLURM_ARRAY_TASK_COUNT'");
  ASSERT_EQ(cluster_.Run("tatami wait " + job).exit_code, 0);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(cluster_.Value("cat arr-" + job + "_" + std::to_string(i) + ".out"),
              "task " + std::to_string(i) + " of 6");
  }
  CommandResult acct = cluster_.Run("sacct -n -P -X -j " + job + " -o JobID,State");
  EXPECT_EQ(std::count(acct.out.begin(), acct.out.end(), '\n'), 6) << acct.out;
  EXPECT_THAT(acct.out, HasSubstr(job + "_5|COMPLETED"));
}

TEST_F(ClusterTest, PendingArrayTasksCollapseIntoOneQueueLine) {
  std::string job = Submit("-H --array=0-9 --wrap=true");
  EXPECT_EQ(cluster_.Value("squeue -h -o '%i %t %r'"), job + "_[0-9] PD JobHeldUser");
  std::string every_task = cluster_.Run("squeue -h -r -o %i").out;
  EXPECT_EQ(std::count(every_task.begin(), every_task.end(), '\n'), 10);
  EXPECT_THAT(every_task, HasSubstr(job + "_9\n"));
}

// --begin: the job waits (BeginTime) until then, and starts no earlier.
TEST_F(ClusterTest, BeginTimeHoldsAJobUntilThen) {
  std::string later = Submit("--begin=now+1hour --wrap=true");
  std::string soon = Submit("--begin=now+2 --wrap=true");
  ASSERT_TRUE(LocalCluster::Eventually(
      [&] { return cluster_.Value("squeue -h -j " + later + " -o %t:%r") == "PD:BeginTime"; },
      seconds(20)));
  EXPECT_THAT(cluster_.Run("tatami explain " + later).out,
              HasSubstr("BeginTime: it may not start before its --begin time\n"
                        "  begins no earlier than "));
  ASSERT_EQ(cluster_.Run("tatami wait --timeout 60 " + soon).exit_code, 0);
  // Whole seconds: submitted at s, begin at s + 2 (from the CLI's clock, a
  // little earlier), so the start's second is at least s + 1.
  std::string waited = cluster_.Value("echo $(( $(date -d $(sacct -n -P -X -j " + soon +
                                      " -o Start) +%s) - $(date -d $(sacct " + "-n -P -X -j " +
                                      soon + " -o Submit) +%s) ))");
  EXPECT_GE(std::stoi(waited), 1);
  EXPECT_EQ(cluster_.QueueState(later), "PD");
  EXPECT_EQ(cluster_.Run("scancel " + later).exit_code, 0);
}

TEST_F(ClusterTest, AfterOkDependencyWaitsForSuccessAndNeverForFailure) {
  std::string first = Submit(Blocker());
  std::string after = Submit("--dependency=afterok:" + first + " --wrap=true");
  std::string failing = Submit("--wrap='exit 3'");
  std::string never = Submit("--dependency=afterok:" + failing + " --wrap=true");
  ASSERT_TRUE(RunningEventually(first));
  EXPECT_EQ(cluster_.Value("squeue -h -j " + after + " -o %r"), "Dependency");
  EXPECT_EQ(cluster_.Value("squeue -h -j " + after + " -o %E"),
            "afterok:" + first + "(unfulfilled)");
  Release();
  EXPECT_EQ(cluster_.Run("tatami wait " + after).exit_code, 0);
  EXPECT_GE(cluster_.Value("sacct -n -P -j " + after + " -o Start"),
            cluster_.Value("sacct -n -P -j " + first + " -o End"));
  EXPECT_EQ(cluster_.Run("tatami wait " + failing).exit_code, 3);
  EXPECT_TRUE(LocalCluster::Eventually(
      [&] {
        return cluster_.Value("squeue -h -j " + never + " -o %r") == "DependencyNeverSatisfied";
      },
      seconds(10)));
  EXPECT_EQ(cluster_.Value("squeue -h -j " + never + " -o %E"), "afterok:" + failing + "(failed)");
}

// A dependency is mended after submission, as with scontrol update: a job
// stuck at DependencyNeverSatisfied is pointed at afterany, a job waiting
// on a blocker is freed with Dependency=, and a dependency that names a
// job that does not exist, or that would close a cycle, is refused.
TEST_F(ClusterTest, UpdateMendsAPendingJobsDependencyAndRefusesACycle) {
  std::string failing = Submit("--wrap='exit 3'");
  std::string never = Submit("--dependency=afterok:" + failing + " --wrap=true");
  ASSERT_EQ(Wait(failing), 3);
  ASSERT_TRUE(LocalCluster::Eventually(
      [&] {
        return cluster_.Value("squeue -h -j " + never + " -o %r") == "DependencyNeverSatisfied";
      },
      seconds(10)));
  CommandResult mended = cluster_.Run("tatami update " + never + " -d afterany:" + failing);
  ASSERT_EQ(mended.exit_code, 0) << mended.err;
  EXPECT_EQ(Wait(never), 0);

  std::string blocker = Submit(Blocker());
  std::string first = Submit("--dependency=afterok:" + blocker + " --wrap=true");
  std::string second = Submit("--dependency=afterok:" + first + " --wrap=true");
  ASSERT_TRUE(RunningEventually(blocker));
  EXPECT_EQ(cluster_.Value("squeue -h -j " + first + " -o %r"), "Dependency");
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"tatami update " + first + " --dependency=afterok:" + second,
       "Job " + first + ": --dependency: job " + first +
           " would wait on itself (through its dependencies)"},
      {"tatami update " + first + " Dependency=afterok:" + first,
       "Job " + first + ": --dependency: job " + first +
           " would wait on itself (through its dependencies)"},
      {"tatami update " + first + " -d afterok:99999",
       "Job " + first + ": --dependency: job 99999 does not exist"},
      {"tatami update " + first + " -d later:5",
       "Job " + first + ": --dependency: unknown type 'later'"},
      {"tatami update " + blocker + " -d afterok:" + first,
       "Job " + blocker + " is RUNNING: only its time limit can be changed"},
  };
  for (const auto& [command, message] : refused) ExpectRefused(command, message);
  EXPECT_EQ(cluster_.Value("squeue -h -j " + first + " -o %E"),
            "afterok:" + blocker + "(unfulfilled)");
  // A term already met drops out of %E, as from squeue's.
  ASSERT_EQ(
      cluster_.Run("tatami update " + first + " -d afterany:" + failing + ",afterany:" + blocker)
          .exit_code,
      0);
  EXPECT_EQ(cluster_.Value("squeue -h -j " + first + " -o %E"),
            "afterany:" + blocker + "(unfulfilled)");
  // A task waiting on its own array would wait on itself too.
  std::string array = Submit("-H --array=0-1 --wrap=true");
  ExpectRefused("tatami update " + array + "_1 -d afterok:" + array,
                "--dependency: job " + std::to_string(std::stoull(array) + 1) +
                    " would wait on itself (through its dependencies)");
  // %E names a whole array as squeue's does, one task by its own id.
  std::string task = std::to_string(std::stoull(array) + 1);
  std::string on_array = Submit("-d afterok:" + array + ",afterany:" + task + " --wrap=true");
  EXPECT_EQ(cluster_.Value("squeue -h -j " + on_array + " -o %E"),
            "afterok:" + array + "_*(unfulfilled),afterany:" + task + "(unfulfilled)");
  ASSERT_EQ(cluster_.Run("scancel " + array + " " + on_array).exit_code, 0);

  // Cleared, the job no longer waits for the blocker; the one after it follows.
  ASSERT_EQ(cluster_.Run("tatami update JobId=" + first + " Dependency=").exit_code, 0);
  EXPECT_EQ(Wait(second), 0);
  EXPECT_EQ(cluster_.QueueState(blocker), "R");
  Release();
}

// --dependency=singleton: one job of a user and name at a time, in
// submission order; a job of another name is not held back.
TEST_F(ClusterTest, SingletonRunsOneJobOfAUserAndNameAtATime) {
  std::string first = Submit("-J chain " + Blocker());
  ASSERT_TRUE(RunningEventually(first));
  std::string second = Submit("-J chain --dependency=singleton --wrap=true");
  std::string third = Submit("-J chain --dependency=singleton --wrap=true");
  std::string other = Submit("-J elsewhere --dependency=singleton --wrap=true");
  ASSERT_EQ(Wait(other), 0);
  EXPECT_EQ(cluster_.Value("squeue -h -j " + second + " -o %r"), "Dependency");
  EXPECT_EQ(cluster_.Value("squeue -h -j " + third + " -o %r:%E"),
            "Dependency:singleton(unfulfilled)");
  Release();
  ASSERT_EQ(Wait(third), 0);
  EXPECT_GE(cluster_.Value("sacct -n -P -X -j " + second + " -o Start"),
            cluster_.Value("sacct -n -P -X -j " + first + " -o End"));
  EXPECT_GE(cluster_.Value("sacct -n -P -X -j " + third + " -o Start"),
            cluster_.Value("sacct -n -P -X -j " + second + " -o End"));
}

TEST_F(ClusterTest, ImpossibleAndInvalidRequestsAreRefusedWithAReason) {
  struct Case {
    std::string args, expected;
  };
  for (const Case& c : std::vector<Case>{
           {"--gpus-per-node=16 --wrap=true", "has 8 h100, job wants 16 per node"},
           {"-N 3 --wrap=true", "partition h100 has 2 such node(s)"},
           {"-p nope --wrap=true", "invalid partition 'nope'"},
           {"-A nope --wrap=true", "invalid account 'nope'"},
           {"-A customer-acme --wrap=true", "may not charge account 'customer-acme'"},
           {"-p dojo --gres=gpu:1 --wrap=true", "has d1, job wants gpu"},
           {"-p hw4 -N 2 --accelerators=hw4:1 --wrap=true", "use --array"},
           {"-t 2-00:00:00 --wrap=true", "exceeds partition h100's limit"},
           {"--dependency=afterok:999 --wrap=true", "job 999 does not exist"},
           {"--bogus --wrap=true", "unrecognized option '--bogus'"},
       }) {
    CommandResult r = cluster_.Run("sbatch " + c.args);
    EXPECT_NE(r.exit_code, 0) << c.args;
    EXPECT_THAT(r.err, HasSubstr(c.expected)) << c.args;
  }
  EXPECT_EQ(cluster_.Run("squeue -h -t all").out, "");  // nothing was accepted
}

TEST_F(ClusterTest, LaunchFailureOnTheNodeFailsTheJobWithTheReason) {
  std::string job = Submit("-o /nonexistent-dir/out.txt --wrap=true");
  EXPECT_NE(cluster_.Run("tatami wait " + job).exit_code, 0);
  EXPECT_EQ(cluster_.AcctState(job), "FAILED");
  EXPECT_THAT(
      cluster_.Value("sacct -n -P -j " + job + " -o Reason"),
      HasSubstr("launch failed on h100-01: cannot open output file /nonexistent-dir/out.txt"));
  // The node is fine: the next job runs there.
  std::string next = Submit("--wrap=true");
  EXPECT_EQ(cluster_.Run("tatami wait " + next).exit_code, 0);
}

TEST_F(ClusterTest, DojoTilesAndHw4BoardsAreAllocatedPerDevice) {
  std::string dojo =
      Submit("-p dojo --gres=d1:4 -o d.out --wrap='echo $TATAMI_ACCELERATOR_KIND $TATAMI_DEVICES'");
  std::string hw4 = Submit(
      "-p hw4 --accelerators=hw4:1 -o h.out --wrap='echo $TATAMI_ACCELERATOR_KIND "
      "$TATAMI_DEVICES'");
  ASSERT_EQ(cluster_.Run("tatami wait " + dojo + " " + hw4).exit_code, 0);
  EXPECT_EQ(cluster_.Value("cat d.out"), "d1 0,1,3,4");  // a 2x2 square of the 3x2 tray
  EXPECT_EQ(cluster_.Value("cat h.out"), "hw4 0");
}

TEST_F(ClusterTest, DojoJobsGetARectangleOrWaitForOne) {
  // Two tiles: a 1x2 column at the mesh's edge (tiles 0 and 3), which keeps
  // the 2x2 beside it whole.
  std::string column = Submit(
      "-p dojo --tiles=2 -o col.out --wrap='echo $TATAMI_DEVICES; touch go.ready; "
      "while [ ! -e go ]; do sleep 0.05; done'");
  ASSERT_TRUE(ReadyEventually());
  EXPECT_EQ(cluster_.Value("cat col.out"), "0,3");
  // Three tiles: four are free, but no 3x1 or 1x3 among them. It waits.
  std::string row = Submit("-p dojo --tiles=3 -o row.out --wrap='echo $TATAMI_DEVICES'");
  EXPECT_TRUE(LocalCluster::Eventually(
      [&] { return cluster_.Value("squeue -h -o %r -j " + row) == "NoContiguousTiles"; },
      seconds(20)))
      << cluster_.Run("squeue -j " + row).out;
  Release();
  ASSERT_EQ(cluster_.Run("tatami wait " + column + " " + row).exit_code, 0);
  EXPECT_EQ(cluster_.Value("cat row.out"), "0,1,2");
  // Five tiles can never be a rectangle of a 3x2 tray: refused at once.
  CommandResult r = cluster_.Run("sbatch -p dojo --tiles=5 --wrap=true");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("5 d1 tiles as one rectangle (5x1, 1x5)"));
}

TEST_F(ClusterTest, NodeFailureMarksJobsNodeFailOrRequeuesThem) {
  std::string plain = Submit(
      "-w h100-02 --gpus-per-node=4 --wrap='echo $$ > plain.pid; while :; do sleep 0.05; done'");
  std::string requeue = Submit(
      "-w h100-02 --gpus-per-node=4 --requeue -o rq.out "
      "--wrap='echo run $SLURM_RESTART_COUNT; if [ $SLURM_RESTART_COUNT = 0 ]; then while :; do "
      "sleep 0.05; done; fi'");
  ASSERT_TRUE(RunningEventually(plain));
  ASSERT_TRUE(RunningEventually(requeue));
  ASSERT_TRUE(LocalCluster::KillAndReap(cluster_.AgentPid("h100-02")));
  EXPECT_TRUE(LocalCluster::Eventually([&] { return cluster_.AcctState(plain) == "NODE_FAIL"; },
                                       seconds(15)));
  EXPECT_THAT(cluster_.Value("sinfo -h -N -o '%N %t' -p h100 | grep h100-02"), "h100-02 down*");
  EXPECT_EQ(cluster_.QueueState(requeue), "PD");
  // The agent comes back: it kills what its dead predecessor left running,
  // and the requeued job runs again, from the top.
  ASSERT_EQ(cluster_.Run("tatami local up").exit_code, 0);
  pid_t orphan = std::stoi(cluster_.Value("cat plain.pid"));
  EXPECT_TRUE(LocalCluster::Eventually([&] { return kill(orphan, 0) != 0; }, seconds(10)))
      << "job " << plain << " still runs as pid " << orphan
      << " after its node was declared failed";
  ASSERT_EQ(cluster_.Run("tatami wait " + requeue).exit_code, 0);
  EXPECT_EQ(cluster_.Value("sacct -n -P -j " + requeue + " -o State,Restarts"), "COMPLETED|1");
  EXPECT_EQ(cluster_.Run("cat rq.out").out, "run 1\n");  // --open-mode truncate
}

TEST_F(ClusterTest, RestartedControllerReconcilesRunningAndPendingJobs) {
  std::string running = Submit(Blocker());
  std::string pending = Submit("-H --wrap=true");
  ASSERT_TRUE(RunningEventually(running));
  ASSERT_TRUE(LocalCluster::KillAndReap(cluster_.ControllerPid()));
  ASSERT_EQ(cluster_.Run("tatami local up").exit_code, 0)
      << cluster_.Run("tail logs/tatamid.log").out;
  EXPECT_EQ(cluster_.QueueState(running), "R");
  EXPECT_EQ(cluster_.QueueState(pending), "PD");
  Release();
  ASSERT_EQ(cluster_.Run("tatami wait " + running).exit_code, 0);
  EXPECT_EQ(cluster_.AcctState(running), "COMPLETED");
}

TEST_F(ClusterTest, ControllerDownMuchLongerThanNodeTimeoutFailsNoRunningJob) {
  // The agent must find the restarted controller well within its node_timeout
  // (2 s here), however long the controller was gone. With gRPC's default
  // reconnect backoff the agent's next try came seconds after the restart,
  // and the running job ended NODE_FAIL ("not responding").
  std::string running = Submit(Blocker());
  ASSERT_TRUE(RunningEventually(running));
  ASSERT_TRUE(LocalCluster::KillAndReap(cluster_.ControllerPid()));
  // The length of the outage is what is under test, not a wait for an event.
  std::this_thread::sleep_for(seconds(10));
  ASSERT_EQ(cluster_.Run("tatami local up").exit_code, 0)
      << cluster_.Run("tail logs/tatamid.log").out;
  // Every agent has registered again: a node that took longer than
  // node_timeout to do so was declared down first and failed its jobs.
  ASSERT_TRUE(LocalCluster::Eventually(
      [&] { return cluster_.Run("! sinfo -h -N -o %t | grep -q 'unk\\|down'").exit_code == 0; },
      seconds(30)));
  EXPECT_EQ(cluster_.QueueState(running), "R");
  Release();
  ASSERT_EQ(cluster_.Run("tatami wait " + running).exit_code, 0);
  EXPECT_EQ(cluster_.AcctState(running), "COMPLETED");
}

TEST_F(ClusterTest, WaitReturnsOnlyOnceTheJobsEndIsInTheAccountingStore) {
  std::string job = Submit(Blocker());
  ASSERT_TRUE(ReadyEventually());
  // Holding SQLite's write lock stalls the controller's store writer (it
  // retries for 5 s): the job ends in memory while its record says RUNNING.
  StoreLock lock(cluster_.dir());
  ASSERT_TRUE(lock.held());
  Release();
  EXPECT_TRUE(
      LocalCluster::Eventually([&] { return cluster_.QueueState(job) == "CD"; }, seconds(3)));
  CommandResult early = cluster_.Run("tatami wait --timeout 1 " + job);
  EXPECT_NE(early.exit_code, 0) << "wait said done before sacct could see it: " << early.out;
  lock.Release();
  EXPECT_EQ(Wait(job), 0);
  EXPECT_EQ(cluster_.AcctState(job), "COMPLETED");
}

TEST_F(ClusterTest, AJobsEndTheStoreCouldNotWriteIsWrittenWhenTheAgentReportsItAgain) {
  std::string job = Submit(Blocker());
  ASSERT_TRUE(ReadyEventually());
  // Held for longer than the store's 5 s busy timeout: writing the job's
  // end fails, and the agent, told so, keeps its report and sends it again.
  StoreLock lock(cluster_.dir());
  ASSERT_TRUE(lock.held());
  Release();
  // Wait does not hang on a failed write: it answers once the write failed.
  EXPECT_EQ(cluster_.Run("tatami wait --timeout 30 " + job).exit_code, 0);
  EXPECT_EQ(cluster_.AcctState(job), "RUNNING");
  lock.Release();
  EXPECT_TRUE(
      LocalCluster::Eventually([&] { return cluster_.AcctState(job) == "COMPLETED"; }, seconds(30)))
      << cluster_.AcctState(job);
}

// The tatami_store_unwritten_jobs gauge.
std::string UnwrittenJobs(const LocalCluster& cluster) {
  return cluster.Value(
      "curl -sf http://$(cat metrics.addr)/metrics | "
      "awk '$1 == \"tatami_store_unwritten_jobs\" {print $2}'");
}

// Runs `command` while a StoreLock keeps the store from writing: it must
// take effect at once (`in_memory` checks how) yet say it is not stored
// yet, leaving one job for the scheduling cycle to write again.
void RunWhileTheStoreCannotWrite(LocalCluster& cluster, const std::string& command,
                                 const std::function<void()>& in_memory) {
  StoreLock lock(cluster.dir());
  ASSERT_TRUE(lock.held());
  CommandResult r = cluster.Run(command + " 2>&1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("done, but not yet in the job store"));
  in_memory();
  EXPECT_EQ(UnwrittenJobs(cluster), "1");
}

// Once nothing is left to write again, SIGKILLs the controller and starts
// it from the store alone.
void RestartOnceWritten(LocalCluster& cluster) {
  ASSERT_TRUE(LocalCluster::Eventually([&] { return UnwrittenJobs(cluster) == "0"; }, seconds(30)));
  ASSERT_TRUE(LocalCluster::KillAndReap(cluster.ControllerPid()));
  ASSERT_EQ(cluster.Run("tatami local up").exit_code, 0);
}

// A cancel takes effect at once; when the store cannot record it, scancel
// says so and the scheduling cycle writes it again until the store takes
// it. Before, the store kept PENDING and a restarted controller ran the
// cancelled job.
TEST_F(ClusterTest, ACancelTheStoreCouldNotWriteIsWrittenOnceItCan) {
  std::string job = Submit("-H --wrap=true");
  ASSERT_NO_FATAL_FAILURE(RunWhileTheStoreCannotWrite(cluster_, "scancel " + job, [&] {
    EXPECT_EQ(cluster_.QueueState(job), "CA");
    EXPECT_EQ(cluster_.AcctState(job), "PENDING");
  }));
  ASSERT_TRUE(LocalCluster::Eventually([&] { return cluster_.AcctState(job) == "CANCELLED by 0"; },
                                       seconds(30)))
      << cluster_.AcctState(job);
  ASSERT_NO_FATAL_FAILURE(RestartOnceWritten(cluster_));
  EXPECT_EQ(cluster_.AcctState(job), "CANCELLED by 0");
  EXPECT_EQ(cluster_.Run("tatami release " + job).exit_code, 1) << "pending again after restart";
}

// An update too: in force at once, stored once the store takes it, and
// still there after a restart.
TEST_F(ClusterTest, AnUpdateTheStoreCouldNotWriteIsWrittenOnceItCan) {
  std::string job = Submit("-H -t 1:00:00 --wrap=true");
  ASSERT_NO_FATAL_FAILURE(
      RunWhileTheStoreCannotWrite(cluster_, "tatami update " + job + " --time=20:00", [&] {
        EXPECT_EQ(cluster_.Value("squeue -h -j " + job + " -o %l"), "00:20:00");
        EXPECT_EQ(cluster_.Value("sacct -n -P -X -j " + job + " -o Timelimit"), "01:00:00");
      }));
  ASSERT_NO_FATAL_FAILURE(RestartOnceWritten(cluster_));
  EXPECT_EQ(cluster_.Value("squeue -h -j " + job + " -o %l"), "00:20:00");
  EXPECT_EQ(cluster_.Value("sacct -n -P -X -j " + job + " -o Timelimit"), "00:20:00");
}

// A hold takes the same road: in effect at once, written once the store
// can, and still there after a restart.
TEST_F(ClusterTest, AHoldTheStoreCouldNotWriteIsWrittenOnceItCan) {
  std::string job = Submit("--begin=now+1hour --wrap=true");
  auto held = [&] {
    return cluster_.Value("squeue -h -j " + job + " -o %t:%r") == "PD:JobHeldUser";
  };
  ASSERT_NO_FATAL_FAILURE(
      RunWhileTheStoreCannotWrite(cluster_, "tatami hold " + job, [&] { EXPECT_TRUE(held()); }));
  ASSERT_NO_FATAL_FAILURE(RestartOnceWritten(cluster_));
  EXPECT_TRUE(held()) << "the hold was lost: " << cluster_.Value("squeue -h -j " + job + " -o %r");
}

// A submission the store refused leaves no trace. Before, the job was
// queued while its write was pending: a cycle started it, and when the
// store took that start (queued behind the failed submission) the job ran
// and sacct listed it, though sbatch had said it was not accepted.
TEST_F(ClusterTest, ASubmissionTheStoreRefusedIsNeitherQueuedNorRun) {
  std::string before = Submit("--wrap=true");
  ASSERT_EQ(Wait(before), 0);
  {
    StoreLock lock(cluster_.dir());
    ASSERT_TRUE(lock.held());
    CommandResult refused = cluster_.Run("sbatch --parsable -o refused.out --wrap='echo ran' 2>&1");
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_THAT(refused.out, HasSubstr("could not be stored, so it was not accepted"));
  }  // released at once: a start queued behind the submission would be written now
  std::string after = Submit("--wrap=true");
  ASSERT_EQ(std::stoul(after), std::stoul(before) + 2) << "the refused submission used one id";
  EXPECT_EQ(Wait(after), 0);
  std::string refused_id = std::to_string(std::stoul(before) + 1);
  EXPECT_EQ(cluster_.Value("sacct -n -X -P -j " + refused_id + " -o state"), "");
  EXPECT_EQ(cluster_.QueueState(refused_id), "");
  EXPECT_NE(cluster_.Run("test -e refused.out").exit_code, 0);
}

// RUNNING is written before a job is launched: a job the store still calls
// PENDING would be started a second time by a restarted controller.
TEST_F(ClusterTest, AJobWhoseStartTheStoreCannotRecordIsNotLaunchedUntilItCan) {
  std::string first = Submit(Blocker());
  ASSERT_TRUE(ReadyEventually());
  std::string next = Submit("--dependency=afterany:" + first + " -o next.out --wrap='echo ran'");
  {
    StoreLock lock(cluster_.dir());
    ASSERT_TRUE(lock.held());
    Release();  // `first` ends; `next` may start, but its start cannot be written
    // Each cycle tries again, and shows it RUNNING while the write waits.
    ASSERT_TRUE(LocalCluster::Eventually(
        [&] {
          return cluster_.Run("grep -q 'job " + next + " not launched' logs/tatamid.log")
                     .exit_code == 0;
        },
        seconds(30)))
        << cluster_.Value("squeue -h -j " + next + " -o %t:%r");
    EXPECT_NE(cluster_.Run("test -e next.out").exit_code, 0) << "launched while PENDING on disk";
  }
  EXPECT_EQ(Wait(next), 0);
  EXPECT_EQ(cluster_.AcctState(next), "COMPLETED");
  EXPECT_EQ(cluster_.Run("cat next.out").out, "ran\n");
}

// A cancel that lands while a start waits on the store: when the start's
// write fails, the job is not requeued but ends CANCELLED, never launched,
// and that end reaches the store once it can write.
TEST_F(ClusterTest, AJobCancelledWhileItsStartWaitsOnTheStoreEndsCancelledUnlaunched) {
  std::string first = Submit(Blocker());
  ASSERT_TRUE(ReadyEventually());
  std::string next = Submit("--dependency=afterany:" + first + " -o next.out --wrap='echo ran'");
  {
    StoreLock lock(cluster_.dir());
    ASSERT_TRUE(lock.held());
    Release();  // `first` ends; `next` starts in memory, its write waits
    ASSERT_TRUE(RunningEventually(next));
    CommandResult cancel = cluster_.Run("scancel " + next + " 2>&1");
    EXPECT_NE(cancel.exit_code, 0);
    EXPECT_THAT(cancel.out, HasSubstr("not yet in the job store"));
    EXPECT_TRUE(
        LocalCluster::Eventually([&] { return cluster_.QueueState(next) == "CA"; }, seconds(30)))
        << "should be neither requeued nor left COMPLETING: " << cluster_.QueueState(next);
    EXPECT_EQ(cluster_.Value("squeue -h -t all -j " + next + " -o %r"),
              "cancelled before it started");
  }
  EXPECT_TRUE(LocalCluster::Eventually(
      [&] { return cluster_.AcctState(next).rfind("CANCELLED", 0) == 0; }, seconds(30)))
      << cluster_.AcctState(next);
  EXPECT_NE(cluster_.Run("test -e next.out").exit_code, 0) << "launched after all";
}

TEST_F(ClusterTest, ControllerSigkillDuringSubmissionBurstLosesNoAcceptedJob) {
  // 150 submissions from a background loop; every id sbatch printed was
  // accepted. The controller is killed part-way through and restarted.
  CommandResult start = cluster_.Run(
      "(for i in $(seq 150); do sbatch --parsable -o /dev/null --wrap=true >> accepted "
      "2>/dev/null; done; "
      "touch burst-done) >/dev/null 2>&1 &");
  ASSERT_EQ(start.exit_code, 0);
  ASSERT_TRUE(LocalCluster::Eventually(
      [&] { return cluster_.Run("test $(wc -l < accepted) -ge 40").exit_code == 0; }, seconds(60)));
  ASSERT_TRUE(LocalCluster::KillAndReap(cluster_.ControllerPid()));
  ASSERT_EQ(cluster_.Run("tatami local up").exit_code, 0);
  ASSERT_TRUE(LocalCluster::Eventually(
      [&] { return cluster_.Run("test -e burst-done").exit_code == 0; }, seconds(120)));
  std::string ids = cluster_.Run("tr '\\n' ' ' < accepted").out;
  ASSERT_FALSE(ids.empty());
  CommandResult waited = cluster_.Run("tatami wait " + ids);
  EXPECT_EQ(waited.exit_code, 0) << waited.out << waited.err;
  int accepted = std::stoi(cluster_.Value("wc -l < accepted"));
  EXPECT_GE(accepted, 40);
  std::string completed =
      cluster_.Value("sacct -n -X -P -s CD -o JobID | grep -c -x -F -f accepted");
  EXPECT_EQ(completed, std::to_string(accepted))
      << "the jobs that did not complete, and why:\n"
      << cluster_.Run("sacct -n -X -P -o JobID,State,Reason | grep -v '|COMPLETED|'").out
      << cluster_.Run("tail -20 logs/tatamid.log").out;
}

TEST(ControllerConfig, BadConfigIsRefusedWithFileLineAndColumn) {
  char tmpl[] = "/tmp/tatami-badcfg-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::ofstream(dir + "/bad.yaml")
      << "nodes:\n  - name: a\n    cpus: lots\npartitions: [{name: p, nodes: a}]\n";
  std::string cmd = std::string(TATAMI_BIN_DIR) + "/tatamid --config " + dir +
                    "/bad.yaml --state-dir " + dir + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  char buf[1024] = {};
  size_t n = fread(buf, 1, sizeof buf - 1, p);
  int status = pclose(p);
  EXPECT_NE(WEXITSTATUS(status), 0);
  EXPECT_THAT(std::string(buf, n),
              HasSubstr(dir + "/bad.yaml:3:11: cpus: expected a non-negative integer"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tatami::testing
