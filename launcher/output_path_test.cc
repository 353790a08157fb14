#include "launcher/output_path.h"

#include <gtest/gtest.h>

namespace tatami {
namespace {

v1::JobInfo Job() {
  v1::JobInfo j;
  j.set_job_id(17);
  j.set_array_task_id(-1);
  j.mutable_spec()->set_name("train");
  j.mutable_spec()->set_user("alice");
  j.mutable_spec()->set_work_dir("/w");
  return j;
}

TEST(OutputPath, DefaultsLikeSlurm) {
  EXPECT_EQ(ResolveOutputPath("", Job(), "n1", 0), "/w/slurm-17.out");
  v1::JobInfo task = Job();
  task.set_array_job_id(10);
  task.set_array_task_id(3);
  EXPECT_EQ(ResolveOutputPath("", task, "n1", 0), "/w/slurm-10_3.out");
}

TEST(OutputPath, ExpandsPatterns) {
  v1::JobInfo task = Job();
  task.set_array_job_id(10);
  task.set_array_task_id(3);
  EXPECT_EQ(ResolveOutputPath("logs/%x-%j.%A.%a.%N.%u.%%", task, "n1", 0),
            "/w/logs/train-17.10.3.n1.alice.%");
  EXPECT_EQ(ResolveOutputPath("/abs/%5j.out", Job(), "n1", 0), "/abs/00017.out");
  EXPECT_EQ(ResolveOutputPath("odd%q%", Job(), "n1", 0), "/w/odd%q%");
}

}  // namespace
}  // namespace tatami
