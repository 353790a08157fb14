#include "scheduler/dependency.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "scheduler/array_spec.h"
#include "scheduler/job_state.h"

namespace tatami {
namespace {

class DependencyTest : public ::testing::Test {
 protected:
  void Add(uint64_t id, JobState s, uint64_t array_id = 0) {
    v1::JobInfo j;
    j.set_job_id(id);
    j.set_state(s);
    j.set_array_job_id(array_id);
    jobs_[id] = j;
  }
  static v1::JobInfo PendingJob(const std::string& dep) {
    v1::JobInfo job;
    job.set_job_id(100);
    job.set_state(v1::PENDING);
    EXPECT_TRUE(ParseDependency(dep, job.mutable_spec()).ok());
    return job;
  }
  DependencyLookup Lookup() {
    DependencyLookup lookup;
    lookup.states_of = [this](uint64_t id) {
      std::vector<JobState> out;
      for (const auto& [jid, j] : jobs_) {
        if (jid == id || j.array_job_id() == id) out.push_back(j.state());
      }
      return out;
    };
    lookup.earlier_same_name_active = [this](const v1::JobInfo&) { return singleton_busy_; };
    return lookup;
  }
  DependencyStatus Eval(const std::string& dep) {
    return EvaluateDependencies(PendingJob(dep), Lookup());
  }
  // squeue %E of a job listed with `dep`, as the controller lists it.
  std::string Remaining(const std::string& dep) {
    v1::JobInfo job = PendingJob(dep);
    for (v1::DependencyState s : EachDependencyState(job, Lookup())) job.add_dependency_states(s);
    return FormatRemainingDependencies(job);
  }
  std::map<uint64_t, v1::JobInfo> jobs_;
  bool singleton_busy_ = false;
};

TEST_F(DependencyTest, AfterOkWaitsThenSucceedsOrNeverSatisfied) {
  Add(1, v1::RUNNING);
  EXPECT_EQ(Eval("afterok:1"), DependencyStatus::kWaiting);
  Add(1, v1::COMPLETED);
  EXPECT_EQ(Eval("afterok:1"), DependencyStatus::kSatisfied);
  Add(1, v1::FAILED);
  EXPECT_EQ(Eval("afterok:1"), DependencyStatus::kNeverSatisfied);
  EXPECT_EQ(Eval("afternotok:1"), DependencyStatus::kSatisfied);
  EXPECT_EQ(Eval("afterany:1"), DependencyStatus::kSatisfied);
}

TEST_F(DependencyTest, AfterOkOnAnArrayWaitsForEveryTask) {
  Add(10, v1::COMPLETED, 10);
  Add(11, v1::RUNNING, 10);
  EXPECT_EQ(Eval("afterok:10"), DependencyStatus::kWaiting);
  Add(11, v1::COMPLETED, 10);
  EXPECT_EQ(Eval("afterok:10"), DependencyStatus::kSatisfied);
}

TEST_F(DependencyTest, AfterStartAnyAndSingleton) {
  Add(1, v1::PENDING);
  Add(2, v1::COMPLETED);
  EXPECT_EQ(Eval("after:1"), DependencyStatus::kWaiting);
  EXPECT_EQ(Eval("afterok:1?afterok:2"), DependencyStatus::kSatisfied);
  EXPECT_EQ(Eval("afterok:99"), DependencyStatus::kNeverSatisfied);
  singleton_busy_ = true;
  EXPECT_EQ(Eval("singleton"), DependencyStatus::kWaiting);
}

// As Slurm's squeue %E: the terms met drop out; the others say whether
// they may yet be met.
TEST_F(DependencyTest, RemainingTermsEachWithTheirState) {
  Add(1, v1::RUNNING);
  Add(2, v1::COMPLETED);
  Add(3, v1::FAILED);
  EXPECT_EQ(Remaining("afterok:1,afterok:2"), "afterok:1(unfulfilled)");
  EXPECT_EQ(Remaining("afterok:3,afterany:1,afterok:99"),
            "afterok:3(failed),afterany:1(unfulfilled),afterok:99(failed)");
  EXPECT_EQ(Remaining("afterok:1?afterok:3"), "afterok:1(unfulfilled)?afterok:3(failed)");
  EXPECT_EQ(Remaining("afterok:1?afterok:2"), "");  // one of them is enough
  EXPECT_EQ(Remaining("afterok:2,afterany:3"), "");
  singleton_busy_ = true;
  EXPECT_EQ(Remaining("singleton"), "singleton(unfulfilled)");

  v1::JobInfo job = PendingJob("afterok:1,afterok:2");
  EXPECT_EQ(FormatRemainingDependencies(job), "afterok:1,afterok:2");  // no states: as given

  // A term on a job array (JobInfo.dependency_on_array) reads as squeue's.
  v1::JobInfo on_array = PendingJob("afterok:1,afterany:3");
  on_array.add_dependency_states(v1::DEPENDENCY_UNFULFILLED);
  on_array.add_dependency_states(v1::DEPENDENCY_FAILED);
  on_array.add_dependency_on_array(true);
  on_array.add_dependency_on_array(false);
  EXPECT_EQ(FormatRemainingDependencies(on_array), "afterok:1_*(unfulfilled),afterany:3(failed)");
  job.set_state(v1::RUNNING);
  EXPECT_EQ(FormatRemainingDependencies(job), "");
}

TEST(DependencyParse, RejectsUnknownTypesAndIds) {
  v1::JobSpec spec;
  EXPECT_THAT(ParseDependency("afterwards:1", &spec).error().message,
              ::testing::HasSubstr("unknown type 'afterwards'"));
  EXPECT_FALSE(ParseDependency("afterok:x", &spec).ok());
  EXPECT_FALSE(ParseDependency("afterok:1,afterok:2?afterok:3", &spec).ok());
  ASSERT_TRUE(ParseDependency("afterok:1:2,singleton", &spec).ok());
  EXPECT_EQ(FormatDependency(spec), "afterok:1,afterok:2,singleton");
}

TEST(ArraySpec, ParsesRangesListsStepsAndLimit) {
  auto a = ParseArraySpec("0-3,7,10-14:2%2", 1001);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_THAT(a->indices, ::testing::ElementsAre(0, 1, 2, 3, 7, 10, 12, 14));
  EXPECT_EQ(a->max_running, 2u);
  EXPECT_THAT(ParseArraySpec("0-1999", 1001).error().message,
              ::testing::HasSubstr("max_array_size 1001"));
  EXPECT_FALSE(ParseArraySpec("5-1", 1001).ok());
  EXPECT_FALSE(ParseArraySpec("a", 1001).ok());
  EXPECT_FALSE(ParseArraySpec("1-4%0", 1001).ok());
}

TEST(ArraySpec, ShapeGivesCountRangeStepAndLimit) {
  ArrayShape even = ShapeOf(*ParseArraySpec("0-100:10%3", 1001));
  EXPECT_EQ(even.count, 11u);
  EXPECT_EQ(even.min, 0);
  EXPECT_EQ(even.max, 100);
  EXPECT_EQ(even.step, 10);
  EXPECT_EQ(even.max_running, 3u);
  ArrayShape uneven = ShapeOf(*ParseArraySpec("1,2,5", 1001));
  EXPECT_EQ(uneven.count, 3u);
  EXPECT_EQ(uneven.step, 1);
  EXPECT_EQ(ShapeOf(*ParseArraySpec("7", 1001)).step, 1);
}

}  // namespace
}  // namespace tatami
