#include "scheduler/cli/batch_options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

namespace tatami {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

BatchContext Ctx(std::vector<std::string> env = {"HOME=/home/alice", "PATH=/usr/bin"}) {
  return BatchContext{std::move(env), "alice", 1000, 1000, "/home/alice/run", "login1"};
}

Result<BatchRequest> Parse(std::vector<std::string> args, const std::string& script,
                           std::vector<std::string> env = {"HOME=/home/alice", "PATH=/usr/bin"}) {
  return ParseBatch(args, Ctx(std::move(env)),
                    [&](const std::string&) -> Result<std::string> { return script; });
}

constexpr const char* kScript = R"(#!/bin/bash
#SBATCH -J pretrain
#SBATCH -p h100 -A fsd --qos=fsd-prod
#SBATCH -N 2 --ntasks-per-node=8 --gpus-per-node=8 --cpus-per-task=14
#SBATCH --mem=0 --exclusive   # whole nodes
#SBATCH -t 2-00:00:00 --time-min=4:00:00
#SBATCH -o logs/%x-%j.out
#SBATCH --requeue
#SBATCH --dependency=afterok:7
echo hi
#SBATCH --time=5
)";

TEST(BatchOptions, ReadsSbatchDirectives) {
  auto r = Parse({"train.sh", "--lr", "3e-4"}, kScript);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const v1::JobSpec& s = r->spec;
  EXPECT_EQ(s.name(), "pretrain");
  EXPECT_EQ(s.partition(), "h100");
  EXPECT_EQ(s.account(), "fsd");
  EXPECT_EQ(s.qos(), "fsd-prod");
  EXPECT_EQ(s.nodes(), 2u);
  EXPECT_EQ(s.ntasks_per_node(), 8u);
  EXPECT_EQ(s.accelerators().per_node(), 8u);
  EXPECT_EQ(s.accelerators().kind(), "gpu");
  EXPECT_EQ(s.cpus_per_task(), 14u);
  EXPECT_EQ(s.mem_per_node_mib(), -1);
  EXPECT_TRUE(s.exclusive());
  EXPECT_EQ(s.time_limit_ms(), 2 * 24 * 3600 * 1000LL);  // the directive after `echo` is ignored
  EXPECT_EQ(s.time_min_ms(), 4 * 3600 * 1000LL);
  EXPECT_EQ(s.stdout_pattern(), "logs/%x-%j.out");
  EXPECT_TRUE(s.requeue());
  ASSERT_EQ(s.dependencies_size(), 1);
  EXPECT_EQ(s.dependencies(0).job_id(), 7u);
  EXPECT_EQ(s.work_dir(), "/home/alice/run");
  EXPECT_EQ(s.user(), "alice");
  ASSERT_EQ(s.script_args_size(), 2);
  EXPECT_EQ(s.script_args(1), "3e-4");
  EXPECT_THAT(s.env(), Contains("PATH=/usr/bin"));
}

TEST(BatchOptions, CommandLineBeatsEnvironmentBeatsDirectives) {
  auto r = Parse({"-p", "dojo", "x.sh"}, "#!/bin/sh\n#SBATCH -p hw4\n#SBATCH -J fromscript\n",
                 {"SBATCH_PARTITION=h100", "SBATCH_JOB_NAME=fromenv"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->spec.partition(), "dojo");
  EXPECT_EQ(r->spec.name(), "fromenv");
}

TEST(BatchOptions, WrapAndFlags) {
  auto r = Parse(
      {"--wrap=echo $HOSTNAME", "--parsable", "-W", "-Q", "--gres=gpu:h100:2", "--array=0-9%2"},
      "");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_THAT(r->spec.script(), HasSubstr("#!/bin/sh"));
  EXPECT_THAT(r->spec.script(), HasSubstr("echo $HOSTNAME"));
  EXPECT_EQ(r->spec.name(), "wrap");
  EXPECT_TRUE(r->parsable && r->wait && r->quiet);
  EXPECT_EQ(r->spec.accelerators().kind(), "h100");
  EXPECT_EQ(r->spec.accelerators().per_node(), 2u);
  EXPECT_EQ(r->spec.array(), "0-9%2");
}

TEST(BatchOptions, TatamiAcceleratorsAndGresForTiles) {
  auto r = Parse({"--gres=d1:6", "--wrap=true"}, "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->spec.accelerators().kind(), "d1");
  EXPECT_EQ(r->spec.accelerators().per_node(), 6u);
  r = Parse({"--accelerators=hw4:1", "--wrap=true"}, "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->spec.accelerators().kind(), "hw4");
  r = Parse({"--gpus=16", "--wrap=true"}, "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->spec.accelerators().total(), 16u);
  r = Parse({"job.sh"}, "#!/bin/sh\n#SBATCH --tiles=24\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->spec.accelerators().kind(), "d1");
  EXPECT_EQ(r->spec.accelerators().total(), 24u);
  EXPECT_THAT(Parse({"--tiles=0", "--wrap=true"}, "").error().message,
              ::testing::HasSubstr("--tiles: '0' is not a positive count"));
}

TEST(BatchOptions, SeveralShapesWithSpeedsAndAJobClass) {
  auto r = Parse({"job.sh"}, "#!/bin/sh\n#SBATCH --gpus=h100:8|d1:1@1.3|hw4:8@0.4\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->spec.accelerators().kind(), "h100");
  EXPECT_EQ(r->spec.accelerators().total(), 8u);
  ASSERT_EQ(r->spec.accelerator_options_size(), 2);
  EXPECT_EQ(r->spec.accelerator_options(0).accelerators().kind(), "d1");
  EXPECT_EQ(r->spec.accelerator_options(0).accelerators().total(), 1u);
  EXPECT_DOUBLE_EQ(r->spec.accelerator_options(0).speed(), 1.3);
  EXPECT_DOUBLE_EQ(r->spec.accelerator_options(1).speed(), 0.4);
  // Speeds are relative to the first shape, whatever scale they are written in.
  r = Parse({"--gpus-per-node=hw4:1@2|h100:1@5", "--wrap=true"}, "");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->spec.accelerators().per_node(), 1u);
  EXPECT_DOUBLE_EQ(r->spec.accelerator_options(0).speed(), 2.5);
  // The command line replaces the script's shapes, alternatives included.
  r = Parse({"--gpus=h100:2", "job.sh"}, "#!/bin/sh\n#SBATCH --gpus=h100:8|d1:1@1.3\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->spec.accelerator_options_size(), 0);
  r = Parse({"--job-class=vision", "--gpus=8", "--wrap=true"}, "");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->spec.job_class(), "vision");
}

TEST(BatchOptions, ExportVariants) {
  std::vector<std::string> env = {"A=1", "B=2"};
  auto r = Parse({"--export=NONE", "--wrap=true"}, "", env);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->spec.env_size(), 0);
  r = Parse({"--export=A,C=3", "--wrap=true"}, "", env);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->spec.env(), ::testing::ElementsAre("A=1", "C=3"));
  r = Parse({"--export=ALL,C=3", "--wrap=true"}, "", env);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->spec.env(), ::testing::ElementsAre("A=1", "B=2", "C=3"));
}

struct BadCase {
  std::vector<std::string> args;
  const char* script;
  const char* expected;
};

class BadBatch : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadBatch, ErrorNamesTheOptionOrLine) {
  auto r = Parse(GetParam().args, GetParam().script);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr(GetParam().expected));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadBatch,
    ::testing::Values(
        BadCase{{"--frobnicate", "x.sh"}, "#!/bin/sh\n", "unrecognized option '--frobnicate'"},
        BadCase{{"-Z", "x.sh"}, "#!/bin/sh\n", "invalid option '-Z'"},
        BadCase{{"x.sh"},
                "#!/bin/sh\n#SBATCH --time=soon\n",
                "x.sh:2: #SBATCH: --time: 'soon' is not a time"},
        BadCase{{"x.sh"},
                "#!/bin/sh\n#SBATCH --begin=tomorow\n",
                "x.sh:2: #SBATCH: --begin: 'tomorow' is not a time (want now+N[s|m|h|d]"},
        BadCase{{"x.sh"},
                "#!/bin/sh\n\n#SBATCH --bogus\n",
                "x.sh:3: #SBATCH: unrecognized option '--bogus'"},
        BadCase{{"x.sh"}, "echo no shebang\n", "the first line must start with #!"},
        BadCase{{"-N", "0", "x.sh"}, "#!/bin/sh\n", "--nodes: '0' is not a positive count"},
        BadCase{{"--ntasks=-5", "x.sh"}, "#!/bin/sh\n", "--ntasks: '-5' is not a positive count"},
        BadCase{{"--gres=tpu:4", "x.sh"}, "#!/bin/sh\n", "unknown accelerator 'tpu'"},
        BadCase{{"--gpus=h100:8|d1:1@fast", "x.sh"},
                "#!/bin/sh\n",
                "--gpus: the speed in 'd1:1@fast' is not a number above 0"},
        BadCase{{"--gpus=h100:8|d1:1@0", "x.sh"}, "#!/bin/sh\n", "in 'd1:1@0' is not a number"},
        BadCase{{"--gpus=h100:8||d1:1", "x.sh"}, "#!/bin/sh\n", "has an empty shape between '|'"},
        BadCase{{"x.sh"},
                "#!/bin/sh\n#SBATCH --gpus=h100:8|tpu:1@2\n",
                "x.sh:2: #SBATCH: --gpus: unknown accelerator 'tpu'"},
        BadCase{{"--mem=lots", "x.sh"}, "#!/bin/sh\n", "--mem: 'lots' is not a memory size"},
        BadCase{{"--array=9-1", "x.sh"}, "#!/bin/sh\n", "--array: '9-1'"},
        BadCase{{"--dependency=afterfoo:1", "x.sh"}, "#!/bin/sh\n", "unknown type 'afterfoo'"},
        BadCase{{"-C", "a|b", "x.sh"}, "#!/bin/sh\n", "only AND (&)"},
        BadCase{{"--exclusive=yes", "x.sh"}, "#!/bin/sh\n", "takes no value"},
        BadCase{{"-t"}, "#!/bin/sh\n", "option '-t' needs a value"},
        BadCase{{"--time-min=soon", "x.sh"}, "#!/bin/sh\n", "--time-min: 'soon' is not a time"},
        BadCase{
            {"--signal=FOO@10", "x.sh"},
            "#!/bin/sh\n",
            "--signal: 'FOO' is not a signal (want [B:]SIG[@SECONDS], SIG as USR1, SIGUSR1 or 10)"},
        BadCase{{"--signal=R:USR1", "x.sh"}, "#!/bin/sh\n", "--signal: 'R:USR1' is not a signal"},
        BadCase{{"--signal=USR1@soon", "x.sh"},
                "#!/bin/sh\n",
                "--signal: 'soon' is not a number of seconds from 0 to 65535"},
        BadCase{
            {"--signal=USR1@70000", "x.sh"}, "#!/bin/sh\n", "'70000' is not a number of seconds"},
        BadCase{{"--time-min=0", "x.sh"}, "#!/bin/sh\n", "--time-min: '0' is not a limit above 0"},
        BadCase{{"--wrap=true", "x.sh"}, "", "--wrap and a script file cannot both be given"}));

// sbatch's --nice[=N]: bare, it means 100; its value is never the next
// word, so `--nice 50 job.sh` names 50 as the script, as sbatch does.
TEST(BatchOptions, NiceWithoutAValueMeansOneHundred) {
  auto r = Parse({"x.sh"}, "#!/bin/sh\n#SBATCH --nice\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->spec.nice(), 100);
  r = Parse({"--nice=-5", "x.sh"}, "#!/bin/sh\n#SBATCH --nice\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->spec.nice(), -5);
  r = Parse({"--nice", "50", "job.sh"}, "#!/bin/sh\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->spec.nice(), 100);
  EXPECT_EQ(r->script_path, "50");
  r = Parse({"x.sh"}, "#!/bin/sh\n#SBATCH --nice 50\n");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("x.sh:2: #SBATCH: unexpected '50'"));
}

// --signal=[B:]SIG[@SECONDS], as sbatch's: 60 seconds unless given.
TEST(BatchOptions, SignalBeforeTheTimeLimit) {
  auto r = Parse({"--signal=B:USR1@90", "x.sh"}, "#!/bin/sh\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->spec.warn_signal(), SIGUSR1);
  EXPECT_EQ(r->spec.warn_seconds(), 90);
  EXPECT_TRUE(r->spec.warn_batch_only());
  r = Parse({"x.sh"}, "#!/bin/sh\n#SBATCH --signal=SIGUSR2\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->spec.warn_signal(), SIGUSR2);
  EXPECT_EQ(r->spec.warn_seconds(), 60);
  EXPECT_FALSE(r->spec.warn_batch_only());
}

TEST(BatchOptions, BeginCountsFromTheSubmittersClock) {
  BatchContext ctx = Ctx();
  ctx.now = 1'000'000;
  auto r = ParseBatch({"x.sh"}, ctx, [](const std::string&) -> Result<std::string> {
    return std::string("#!/bin/sh\n#SBATCH --begin=now+2h\n");
  });
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->spec.begin_time(), 1'000'000 + 2 * kHour);
  r = ParseBatch({"-b", "@1800000000", "--wrap=true"}, ctx,
                 [](const std::string&) -> Result<std::string> { return std::string(); });
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->spec.begin_time(), 1'800'000'000'000);
}

TEST(BatchOptions, UnsupportedButHarmlessOptionsWarn) {
  auto r = Parse({"--mail-type=END", "--hint=nomultithread", "-m", "block:cyclic", "--get-user-env",
                  "--wrap=true"},
                 "");
  ASSERT_TRUE(r.ok()) << r.error().message;
  for (const char* option : {"--mail-type", "--hint", "--distribution", "--get-user-env"})
    EXPECT_THAT(r->warnings, Contains(HasSubstr(option)));
}

// Slurm's per-task GPUs and per-CPU memory, in any order among the counts
// they multiply: the request holds per-node (or per-job) amounts.
TEST(BatchOptions, GpusPerTaskAndMemPerCpuBecomeTheJobsAmounts) {
  auto per_node = Parse({"--gpus-per-task=h100:1", "--mem-per-cpu=2G", "-N", "2",
                         "--ntasks-per-node=8", "-c", "4", "--wrap=true"},
                        "");
  ASSERT_TRUE(per_node.ok()) << per_node.error().message;
  EXPECT_EQ(per_node->spec.accelerators().kind(), "h100");
  EXPECT_EQ(per_node->spec.accelerators().per_node(), 8u);
  EXPECT_EQ(per_node->spec.accelerators().total(), 0u);
  EXPECT_EQ(per_node->spec.mem_per_node_mib(), 2048 * 8 * 4);

  auto whole_job =
      Parse({"-n", "6", "--gpus-per-task=2", "-N", "2", "--mem-per-cpu=100", "--wrap=true"}, "");
  ASSERT_TRUE(whole_job.ok()) << whole_job.error().message;
  EXPECT_EQ(whole_job->spec.accelerators().kind(), "gpu");
  EXPECT_EQ(whole_job->spec.accelerators().total(), 12u);
  EXPECT_EQ(whole_job->spec.mem_per_node_mib(), 100 * 3);  // 3 tasks a node, 1 CPU each

  // From a script's directives too.
  auto script = Parse({}, "#!/bin/sh\n#SBATCH --ntasks=4 --gpus-per-task=d1:1\n");
  ASSERT_TRUE(script.ok()) << script.error().message;
  EXPECT_EQ(script->spec.accelerators().kind(), "d1");
  EXPECT_EQ(script->spec.accelerators().total(), 4u);
}

TEST(BatchOptions, PerTaskAmountsBesideTheirPerNodeFormsAreRefused) {
  for (const auto& [args, error] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--gpus-per-task=1", "--gpus-per-node=8"},
            "--gpus-per-task: give it or --gpus, --gpus-per-node or --gres, not both"},
           {{"--gpus-per-task=h100:1|d1:1"},
            "--gpus-per-task: one shape ('h100:1|d1:1' names alternatives; give those with "
            "--gpus)"},
           {{"--gpus-per-task=tpu:1"},
            "--gpus-per-task: unknown accelerator 'tpu' (want gpu, h100, d1 or hw4)"},
           {{"--mem-per-cpu=1G", "--mem=8G"}, "--mem-per-cpu: give it or --mem, not both"},
           {{"--mem-per-cpu=0"}, "--mem-per-cpu: want an amount above 0, not '0'"},
       }) {
    std::vector<std::string> all = args;
    all.push_back("--wrap=true");
    auto r = Parse(all, "");
    ASSERT_FALSE(r.ok()) << args[0];
    EXPECT_THAT(r.error().message, HasSubstr(error));
  }
}

}  // namespace
}  // namespace tatami
