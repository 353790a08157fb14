#include "scheduler/daemon/gone_jobs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

namespace tatami {
namespace {

v1::JobInfo Job(uint64_t id, v1::JobState state = v1::COMPLETED, uint64_t array = 0,
                std::string user = "alice") {
  v1::JobInfo job;
  job.set_job_id(id);
  job.set_state(state);
  job.set_array_job_id(array);
  job.set_array_task_id(array ? static_cast<int32_t>(id - array) : -1);
  job.set_exit_code(state == v1::FAILED ? 3 : 0);
  job.set_exit_signal(state == v1::CANCELLED ? 15 : 0);
  job.mutable_spec()->set_script("#!/bin/sh\ntrain\n");  // not kept
  job.mutable_spec()->set_user(std::move(user));
  return job;
}

std::vector<uint64_t> Ids(const std::vector<v1::JobInfo>& jobs) {
  std::vector<uint64_t> ids;
  for (const v1::JobInfo& j : jobs) ids.push_back(j.job_id());
  return ids;
}

TEST(GoneJobs, KeepsHowAJobEndedAndNothingElse) {
  GoneJobs gone;
  gone.Add(Job(7, v1::FAILED));
  gone.Add(Job(9, v1::CANCELLED));
  std::vector<v1::JobInfo> failed = gone.NamedBy(7);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].state(), v1::FAILED);
  EXPECT_EQ(failed[0].exit_code(), 3);
  EXPECT_EQ(failed[0].array_job_id(), 0u);
  EXPECT_EQ(failed[0].array_task_id(), -1);
  EXPECT_EQ(failed[0].spec().user(), "alice");  // private_data still hides it
  EXPECT_EQ(failed[0].spec().script(), "");
  EXPECT_EQ(gone.NamedBy(9)[0].exit_signal(), 15);
  EXPECT_TRUE(gone.NamedBy(8).empty());
  EXPECT_TRUE(gone.NamedBy(10).empty());
}

TEST(GoneJobs, AnArraysIdNamesItsGoneTasksInIdOrderWhateverOrderTheyLeftIn) {
  GoneJobs gone;
  gone.Add(Job(20));                  // before the array
  gone.Add(Job(23, v1::FAILED, 21));  // tasks end out of order
  gone.Add(Job(21, v1::COMPLETED, 21));
  gone.Add(Job(24));  // after it
  gone.Add(Job(22, v1::COMPLETED, 21));
  std::vector<v1::JobInfo> tasks = gone.NamedBy(21);
  EXPECT_EQ(Ids(tasks), (std::vector<uint64_t>{21, 22, 23}));
  EXPECT_EQ(tasks[2].array_job_id(), 21u);
  EXPECT_EQ(tasks[2].array_task_id(), 2);
  EXPECT_EQ(tasks[2].state(), v1::FAILED);
  EXPECT_EQ(Ids(gone.NamedBy(22)), (std::vector<uint64_t>{22}));  // a task by its own id
  EXPECT_EQ(Ids(gone.NamedBy(24)), (std::vector<uint64_t>{24}));
}

// Many jobs leaving in a shuffled order pass through the merge: every one
// is still found, once, and a second Add changes nothing.
TEST(GoneJobs, JobsLeavingInAnyOrderAreAllFoundAfterMerges) {
  std::vector<uint64_t> ids(20'000);
  std::iota(ids.begin(), ids.end(), 1);
  std::shuffle(ids.begin(), ids.end(), std::mt19937(42));
  GoneJobs gone;
  for (uint64_t id : ids) gone.Add(Job(id, id % 2 ? v1::COMPLETED : v1::FAILED));
  gone.Add(Job(ids[0], v1::TIMEOUT));
  gone.Add(Job(ids[19'999], v1::TIMEOUT));
  EXPECT_EQ(gone.size(), 20'000u);
  for (uint64_t id = 1; id <= 20'000; ++id) {
    std::vector<v1::JobInfo> found = gone.NamedBy(id);
    ASSERT_EQ(found.size(), 1u) << id;
    ASSERT_EQ(found[0].state(), id % 2 ? v1::COMPLETED : v1::FAILED) << id;
  }
  EXPECT_LT(gone.bytes(), 20'000u * 48);  // a std::map took ~80 bytes a job
}

// Each owner's name is kept once, however many jobs they had; past the
// 65,535 an index can tell apart, a job keeps no owner (and private_data
// then shows it to admins only) rather than another's.
TEST(GoneJobs, KeepsEachJobsOwnerAndEachOwnersNameOnce) {
  GoneJobs gone;
  gone.Add(Job(1, v1::COMPLETED, 0, "alice"));
  gone.Add(Job(2, v1::COMPLETED, 0, "bob"));
  gone.Add(Job(3, v1::COMPLETED, 0, ""));
  size_t two_owners = gone.bytes();
  for (uint64_t id = 4; id < 10'000; ++id)
    gone.Add(Job(id, v1::COMPLETED, 0, id % 2 ? "alice" : "bob"));
  EXPECT_EQ(gone.NamedBy(1)[0].spec().user(), "alice");
  EXPECT_EQ(gone.NamedBy(2)[0].spec().user(), "bob");
  EXPECT_FALSE(gone.NamedBy(3)[0].has_spec());
  EXPECT_EQ(gone.NamedBy(9'999)[0].spec().user(), "alice");
  EXPECT_LE(gone.bytes() - two_owners, (10'000u - 3) * 24 * 2);  // vector growth: at most 2x

  for (uint64_t id = 10'000; id < 10'000 + 65'535; ++id)
    gone.Add(Job(id, v1::COMPLETED, 0, "user" + std::to_string(id)));
  EXPECT_EQ(gone.NamedBy(10'000 + 65'531)[0].spec().user(), "user" + std::to_string(75'531));
  EXPECT_FALSE(gone.NamedBy(10'000 + 65'532)[0].has_spec());  // the 65,536th name
  gone.Add(Job(80'000, v1::COMPLETED, 0, "bob"));             // a known name still has its index
  EXPECT_EQ(gone.NamedBy(80'000)[0].spec().user(), "bob");
}

}  // namespace
}  // namespace tatami
