#include "scheduler/store/job_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <future>

namespace tatami {
namespace {

using JobState = v1::JobState;

JobQuery ById(uint64_t id) {
  JobQuery q;
  q.job_ids = {id};
  return q;
}

class JobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tatami-store-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Db() const { return (dir_ / "state.db").string(); }

  static v1::JobInfo Job(uint64_t id, const std::string& user, JobState s = v1::PENDING) {
    v1::JobInfo j;
    j.set_job_id(id);
    j.set_state(s);
    j.set_submit_time(1000 * id);
    j.mutable_spec()->set_user(user);
    j.mutable_spec()->set_account("acct-" + user);
    j.mutable_spec()->set_name("job" + std::to_string(id));
    return j;
  }

  std::filesystem::path dir_;
};

TEST_F(JobStoreTest, WritesSurviveReopen) {
  {
    auto store = JobStore::Open(Db());
    ASSERT_TRUE(store.ok()) << store.error().message;
    ASSERT_TRUE((*store)->Put({Job(1, "alice"), Job(2, "bob")}).get().ok());
    v1::JobInfo done = Job(1, "alice", v1::COMPLETED);
    done.set_end_time(5000);
    ASSERT_TRUE((*store)->Put({done}).get().ok());
  }
  auto store = JobStore::Open(Db());
  ASSERT_TRUE(store.ok());
  auto jobs = (*store)->LoadAll();
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 2u);
  EXPECT_EQ((*jobs)[0].state(), v1::COMPLETED);
  EXPECT_EQ((*jobs)[0].spec().name(), "job1");
  EXPECT_EQ((*jobs)[1].spec().user(), "bob");
}

TEST_F(JobStoreTest, ForEachJobVisitsInIdOrderAndNamesACorruptRecord) {
  auto store = JobStore::Open(Db());
  ASSERT_TRUE(store.ok()) << store.error().message;
  ASSERT_TRUE((*store)->Put({Job(7, "carol"), Job(2, "alice"), Job(5, "bob")}).get().ok());
  std::vector<std::string> seen;
  ASSERT_TRUE((*store)->ForEachJob([&](v1::JobInfo& j) { seen.push_back(j.spec().user()); }).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"alice", "bob", "carol"}));

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(Db().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE jobs SET info = x'ffffffff' WHERE job_id = 5", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  seen.clear();
  Status s = (*store)->ForEachJob([&](v1::JobInfo& j) { seen.push_back(j.spec().user()); });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "job store: the record of job 5 is corrupt");
  EXPECT_EQ(seen, (std::vector<std::string>{"alice"}));  // what came before it
}

TEST_F(JobStoreTest, ConcurrentPutsAreGroupCommitted) {
  auto store = JobStore::Open(Db());
  ASSERT_TRUE(store.ok());
  constexpr int kJobs = 400;
  std::vector<std::shared_future<Status>> futures;
  std::vector<std::thread> threads;
  std::mutex mu;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kJobs / 4; ++i) {
        auto f = (*store)->Put({Job(1 + t * (kJobs / 4) + i, "u")});
        std::lock_guard lock(mu);
        futures.push_back(f);
      }
    });
  }
  for (auto& th : threads) th.join();
  for (auto& f : futures) ASSERT_TRUE(f.get().ok());
  EXPECT_EQ((*store)->LoadAll()->size(), static_cast<size_t>(kJobs));
  // Fewer transactions than writes: the writer batches what queued up.
  EXPECT_LT((*store)->commits(), static_cast<uint64_t>(kJobs));
}

TEST_F(JobStoreTest, QueryFiltersByIdUserAccountAndTime) {
  auto store = JobStore::Open(Db());
  ASSERT_TRUE(store.ok());
  v1::JobInfo task = Job(11, "alice");
  task.set_array_job_id(10);
  v1::JobInfo ended = Job(3, "bob", v1::COMPLETED);
  ended.set_end_time(4000);
  ASSERT_TRUE((*store)->Put({Job(10, "alice"), task, ended, Job(4, "carol")}).get().ok());
  EXPECT_EQ((*store)->Query(ById(10))->size(), 2u);  // the array and its task
  JobQuery users;
  users.users = {"bob", "carol"};
  EXPECT_EQ((*store)->Query(users)->size(), 2u);
  JobQuery accounts;
  accounts.accounts = {"acct-carol"};
  EXPECT_EQ((*store)->Query(accounts)->size(), 1u);
  JobQuery since;
  since.start_time = 4500;
  EXPECT_EQ((*store)->Query(since)->size(), 3u);  // bob's job ended before
  JobQuery until;
  until.end_time = 3500;
  EXPECT_EQ((*store)->Query(until)->size(), 1u);  // submitted by then: job 3
}

TEST_F(JobStoreTest, NodeDrainsSurviveReopenAndResumeClearsThem) {
  using Drains = std::vector<std::pair<std::string, std::string>>;
  {
    auto store = JobStore::Open(Db());
    ASSERT_TRUE(store.ok()) << store.error().message;
    ASSERT_TRUE((*store)->SaveDrain("h100-02", "bad NVLink").ok());
    ASSERT_TRUE((*store)->SaveDrain("h100-01", "firmware").ok());
    ASSERT_TRUE((*store)->SaveDrain("h100-01", "firmware 2.1").ok());  // a new reason replaces
  }
  auto store = JobStore::Open(Db());
  ASSERT_TRUE(store.ok());
  auto drains = (*store)->LoadDrains();
  ASSERT_TRUE(drains.ok()) << drains.error().message;
  EXPECT_EQ(*drains, (Drains{{"h100-01", "firmware 2.1"}, {"h100-02", "bad NVLink"}}));
  ASSERT_TRUE((*store)->SaveDrain("h100-02", "").ok());
  ASSERT_TRUE((*store)->SaveDrain("never-drained", "").ok());
  EXPECT_EQ(*(*store)->LoadDrains(), (Drains{{"h100-01", "firmware 2.1"}}));
}

TEST_F(JobStoreTest, UnwritablePathIsAnError) {
  auto store = JobStore::Open("/nonexistent-dir/x/state.db");
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find("cannot open /nonexistent-dir/x/state.db"),
            std::string::npos);
}

}  // namespace
}  // namespace tatami
