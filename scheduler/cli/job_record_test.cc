#include "scheduler/cli/job_record.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/duration.h"

namespace tatami {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr TimeMs kSubmitted = 1'780'000'000'000;

v1::JobInfo RunningJob() {
  v1::JobInfo job;
  job.set_job_id(12);
  job.set_array_task_id(-1);
  job.set_state(v1::RUNNING);
  job.set_reason("None");
  job.set_priority(4100);
  job.set_submit_time(kSubmitted);
  job.set_start_time(kSubmitted + 60'000);
  job.set_time_limit_ms(3'600'000);
  v1::JobSpec& s = *job.mutable_spec();
  s.set_name("train.sbatch");
  s.set_user("alice");
  s.set_uid(1000);
  s.set_gid(0);
  s.set_account("fsd-vision");
  s.set_qos("fsd-prod");
  s.set_ntasks(16);
  s.set_requeue(true);
  s.set_work_dir("/home/alice");
  s.set_partition("h100");
  s.mutable_accelerators()->set_kind("h100");
  s.mutable_accelerators()->set_per_node(8);
  for (const char* node : {"h100-01", "h100-02"}) {
    v1::NodeAllocation& a = *job.add_allocation();
    a.set_node(node);
    a.set_cpus(8);
    a.set_mem_mib(4096);
    a.set_accelerator_kind("h100");
    for (uint32_t d = 0; d < 8; ++d) a.add_devices(d);
  }
  return job;
}

// The fields scripts pick out of `scontrol show job`, in Slurm's words.
TEST(ScontrolJobRecord, ARunningJobInSlurmsWords) {
  v1::JobInfo job = RunningJob();
  std::string record = ScontrolJobRecord(job, kSubmitted + 60'000 + 90'000, /*one_line=*/false);
  EXPECT_TRUE(record.starts_with("JobId=12 JobName=train.sbatch\n   UserId=alice(1000) GroupId="))
      << record;
  for (const char* field :
       {" Account=fsd-vision ", "\n   JobState=RUNNING Reason=None Dependency=(null)\n",
        " Priority=4100 ", "Requeue=1 Restarts=0 BatchFlag=1 ExitCode=0:0\n",
        "\n   RunTime=00:01:30 TimeLimit=01:00:00 TimeMin=N/A\n", "\n   NodeList=h100-[01-02]\n",
        "NumNodes=2 NumCPUs=16 NumTasks=16 CPUs/Task=1\n",
        "TRES=billing=16,cpu=16,gres/gpu=16,mem=8.00G,node=2\n", "\n   Partition=h100\n",
        "\n   WorkDir=/home/alice\n"}) {
    EXPECT_THAT(record, HasSubstr(field));
  }
  EXPECT_THAT(record, HasSubstr("StartTime=" + FormatTimestamp(kSubmitted + 60'000) +
                                " EndTime=" + FormatTimestamp(kSubmitted + 60'000 + 3'600'000)));
  EXPECT_THAT(record, Not(HasSubstr("SchedNodeList")));  // a pending job's
  // Where its output goes: slurm-%j.out in its working directory by default.
  EXPECT_THAT(record, HasSubstr("\n   StdErr=/home/alice/slurm-12.out\n   StdOut=/home/alice/"
                                "slurm-12.out\n"));
  job.mutable_spec()->set_stdout_pattern("logs/%x-%j.%N.out");
  job.mutable_spec()->set_stderr_pattern("/tmp/%u.err");
  record = ScontrolJobRecord(job, kSubmitted, false);
  EXPECT_THAT(record, HasSubstr("\n   StdErr=/tmp/alice.err\n   StdOut=/home/alice/logs/"
                                "train.sbatch-12.h100-01.out\n"));
}

TEST(ScontrolJobRecord, APendingArrayTaskShowsWhatItAsksForAndWhereThePlanPutsIt) {
  v1::JobInfo job = RunningJob();
  job.clear_allocation();
  job.set_state(v1::PENDING);
  job.set_reason("Resources");
  job.set_start_time(0);
  job.set_array_job_id(10);
  job.set_array_task_id(2);
  job.set_expected_start(kSubmitted + 600'000);
  job.set_expected_nodes("h100-[03-04]");
  job.mutable_spec()->set_nodes(2);
  std::string record = ScontrolJobRecord(job, kSubmitted, /*one_line=*/false);
  EXPECT_TRUE(record.starts_with("JobId=12 ArrayJobId=10 ArrayTaskId=2 JobName=")) << record;
  EXPECT_THAT(record, HasSubstr("JobState=PENDING Reason=Resources "));
  EXPECT_THAT(record, HasSubstr("\n   NodeList=(null) SchedNodeList=h100-[03-04]\n"));
  EXPECT_THAT(record, HasSubstr("RunTime=00:00:00 "));
  EXPECT_THAT(record, HasSubstr("StartTime=" + FormatTimestamp(kSubmitted + 600'000)));
  EXPECT_THAT(record, HasSubstr("TRES=cpu=16,node=2,gres/gpu=16\n"));
}

TEST(ScontrolJobRecord, OneLineHoldsEveryFieldSeparatedBySpaces) {
  std::string record = ScontrolJobRecord(RunningJob(), kSubmitted, /*one_line=*/true);
  EXPECT_EQ(record.find('\n'), record.size() - 1);
  EXPECT_THAT(record, HasSubstr(" JobState=RUNNING Reason=None "));
  EXPECT_THAT(record, HasSubstr(" NodeList=h100-[01-02] NumNodes=2 "));
}

}  // namespace
}  // namespace tatami
