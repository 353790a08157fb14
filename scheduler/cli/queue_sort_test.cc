#include "scheduler/cli/queue_sort.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tatami {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::JobInfo Job(uint64_t id, v1::JobState state, const std::string& partition, int64_t priority) {
  v1::JobInfo job;
  job.set_job_id(id);
  job.set_state(state);
  job.mutable_spec()->set_partition(partition);
  job.set_priority(priority);
  return job;
}

std::vector<uint64_t> Sorted(const std::vector<v1::JobInfo>& jobs, std::string_view sort) {
  auto keys = ParseSortKeys(sort);
  EXPECT_TRUE(keys.ok()) << keys.error().message;
  std::vector<const v1::JobInfo*> order;
  for (const v1::JobInfo& job : jobs) order.push_back(&job);
  SortJobs(order, *keys, 0);
  std::vector<uint64_t> ids;
  for (const v1::JobInfo* job : order) ids.push_back(job->job_id());
  return ids;
}

// Slurm's default: by partition, pending before running, then the highest
// priority first; jobs alike keep their order by id.
TEST(QueueSort, TheDefaultIsPartitionThenStateThenPriorityHighestFirst) {
  std::vector<v1::JobInfo> jobs = {
      Job(1, v1::RUNNING, "h100", 0),  Job(2, v1::PENDING, "h100", 10),
      Job(3, v1::PENDING, "dojo", 5),  Job(4, v1::PENDING, "h100", 30),
      Job(5, v1::PENDING, "h100", 10), Job(6, v1::COMPLETING, "dojo", 0),
  };
  EXPECT_THAT(Sorted(jobs, kDefaultQueueSort), ElementsAre(3, 6, 4, 2, 5, 1));
  EXPECT_THAT(Sorted(jobs, "-i"), ElementsAre(6, 5, 4, 3, 2, 1));
  EXPECT_THAT(Sorted(jobs, "+p,i"), ElementsAre(1, 6, 3, 2, 5, 4));
}

// --start sorts by the expected start: pending jobs by the backfill plan's
// (or --begin, if later), running ones by their start; unknown last.
TEST(QueueSort, StartTimesUnknownLast) {
  std::vector<v1::JobInfo> jobs = {Job(1, v1::PENDING, "h100", 0), Job(2, v1::PENDING, "h100", 0),
                                   Job(3, v1::RUNNING, "h100", 0), Job(4, v1::PENDING, "h100", 0)};
  jobs[1].set_expected_start(5000);
  jobs[2].set_start_time(3000);
  jobs[3].set_expected_start(1000);
  jobs[3].mutable_spec()->set_begin_time(7000);
  EXPECT_THAT(Sorted(jobs, "S"), ElementsAre(3, 2, 4, 1));
  jobs[0].set_time_limit_ms(60'000);
  jobs[1].set_time_limit_ms(30'000);
  EXPECT_THAT(Sorted(jobs, "l,i"), ElementsAre(2, 1, 3, 4));  // no limit: last
}

TEST(QueueSort, AnUnknownKeySaysWhichLettersSort) {
  for (std::string_view bad : {"Z", "", "P,,t", "--p", "pp"}) {
    auto keys = ParseSortKeys(bad);
    ASSERT_FALSE(keys.ok()) << bad;
    EXPECT_THAT(keys.error().message, HasSubstr("-S: cannot sort by '"));
    EXPECT_THAT(keys.error().message, HasSubstr("(want a comma-separated list of iAjPuaqtTpQyS"));
  }
}

}  // namespace
}  // namespace tatami
