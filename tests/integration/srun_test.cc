// srun inside a job, end to end: a two-node job runs a step of tasks across
// its nodes through the agents, each task with its rank, local rank and
// node in Slurm's variables; srun relays their output (-l: by rank), keeps
// every argument as given, exits with the highest exit code, and with -K
// (or when it is sent SIGTERM) ends the other tasks. What it cannot do is refused by name.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/hostlist.h"
#include "tests/integration/cluster_fixture.h"

namespace tatami::testing {
namespace {

using ::testing::HasSubstr;

TEST_F(ClusterTest, SrunRunsATaskPerRankAcrossTheJobsNodes) {
  std::string out = OutputOfJob(
      "-N 2 --ntasks-per-node=2 --gpus-per-node=2 --wrap='"
      "srun -l sh -c \"echo \\$SLURM_PROCID \\$SLURM_LOCALID \\$SLURM_NODEID \\$SLURMD_NODENAME "
      "\\$SLURM_STEP_NUM_TASKS \\$SLURM_STEP_NODELIST\" | sort; "
      "srun -l tatami-bind sh -c \"echo \\$RANK \\$LOCAL_RANK \\$TATAMI_DEVICE\" | sort; "
      "srun -n 1 printf \"%s|\" \"a b\" c; echo; "
      "srun -N 1 -n 3 sh -c \"exit \\$SLURM_PROCID\"; echo exit=$?'",
      "step.out");
  EXPECT_EQ(out,
            "0: 0 0 0 h100-01 4 h100-[01-02]\n"
            "1: 1 1 0 h100-01 4 h100-[01-02]\n"
            "2: 2 0 1 h100-02 4 h100-[01-02]\n"
            "3: 3 1 1 h100-02 4 h100-[01-02]\n"
            "0: 0 0 0\n"  // tatami-bind: rank, local rank, the rank's GPU
            "1: 1 1 1\n"
            "2: 2 0 0\n"
            "3: 3 1 1\n"
            "a b|c|\n"
            "exit=2\n");
}

// The usual PyTorch request, a GPU and some memory per CPU for each task:
// each node gets what its tasks need.
TEST_F(ClusterTest, PerTaskGpusAndPerCpuMemoryGiveEachNodeWhatItsTasksNeed) {
  EXPECT_EQ(OutputOfJob("-N 2 --ntasks-per-node=2 -c 1 --gpus-per-task=1 --mem-per-cpu=100M "
                        "--wrap='srun -l sh -c \"echo \\$SLURM_GPUS_ON_NODE "
                        "\\$SLURM_MEM_PER_NODE\" | sort'",
                        "per-task.out"),
            "0: 2 200\n1: 2 200\n2: 2 200\n3: 2 200\n");
}

TEST_F(ClusterTest, SrunEndsItsTasksWhenOneFailsWithKOrWhenItIsTerminated) {
  std::string out = OutputOfJob(
      "-N 2 --wrap='"
      "srun -K sh -c \"[ \\$SLURM_PROCID = 0 ] && exit 3; exec sleep 600\"; echo exit=$?; "
      "srun sh -c \"echo \\$\\$ > pid.\\$SLURM_PROCID.tmp; mv pid.\\$SLURM_PROCID.tmp "
      "pid.\\$SLURM_PROCID; exec sleep 600\" & step=$!; "
      "while [ ! -e pid.0 ] || [ ! -e pid.1 ]; do sleep 0.05; done; kill -TERM $step; wait $step; "
      "echo exit=$?; while kill -0 $(cat pid.0) $(cat pid.1) 2>/dev/null; do sleep 0.05; done; "
      "echo tasks gone'",
      "kill.out");
  EXPECT_THAT(out, HasSubstr("srun: error: task 0 exited with 3; ending the others (-K)\n"));
  EXPECT_THAT(out, HasSubstr("exit=3\n"));
  // SIGTERM to srun ends its tasks, and srun exits as a shell reports it.
  EXPECT_THAT(out, HasSubstr("exit=143\ntasks gone\n"));
}

TEST_F(ClusterTest, SrunRefusesWhatItCannotDoAndSaysWhy) {
  EXPECT_EQ(OutputOfJob("-N 2 --wrap='srun -N 3 true; srun -n 5 --ntasks-per-node=2 true; "
                        "srun --mpi=pmix true; srun -n 0 true; srun; "
                        "TATAMI_NODE_ADDRESSES=h100-01=127.0.0.1:1 srun -N 2 true; "
                        "SLURM_JOB_NODELIST=h100-[ srun true; "
                        "srun -n 1 no-such-program 2>/dev/null; echo exit=$?'",
                        "refused.out"),
            "srun: error: --nodes=3: the job has only 2 nodes\n"
            "srun: error: --ntasks=5 does not fit 2 per node on 2 nodes\n"
            "srun: error: option --mpi=pmix is not one tatami's srun takes (it takes -n, -N, "
            "--ntasks-per-node, -c, -l and -K)\n"
            "srun: error: --ntasks: '0' is not a positive count\n"
            "srun: error: no command given\n"
            "srun: error: node h100-02 has no agent address in TATAMI_NODE_ADDRESSES\n"
            "srun: error: SLURM_JOB_NODELIST: " +
                ExpandHostlist("h100-[").error().message +
                "\n"
                "exit=127\n");  // the shell's "not found", as a task's exit code
  ExpectErrors({{"env -u SLURM_JOB_ID srun hostname",
                 "srun: error: not inside a job (SLURM_JOB_ID, SLURM_JOB_NODELIST or "
                 "TATAMI_NODE_ADDRESSES unset): tatami runs steps inside allocations; submit one "
                 "with sbatch (--wait to block until it ends)\n"}});
}

}  // namespace
}  // namespace tatami::testing
