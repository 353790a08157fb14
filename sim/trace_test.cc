#include "sim/trace.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "scheduler/store/job_store.h"
#include "sim/speeds.h"

namespace tatami::sim {
namespace {

constexpr const char* kPhillyHeader = "timestamp,duration,num_gpus,gpu_time,cluster\n";

TEST(PhillyTrace, SortsBySubmitAndStartsAtZero) {
  auto jobs = ParsePhillyCsv(std::string(kPhillyHeader) +
                                 "2017-10-09 07:01:55,66.0,1,66.0,11cb48\n"
                                 "2017-10-09 06:13:03,7200,8,57600,6214e9\n",
                             "philly.csv");
  ASSERT_TRUE(jobs.ok()) << jobs.error().message;
  ASSERT_EQ(jobs->size(), 2u);
  const TraceJob& first = (*jobs)[0];
  EXPECT_EQ(first.id, 1u);
  EXPECT_EQ(first.line, 3u);
  EXPECT_EQ(first.submit, 0);
  EXPECT_EQ(first.run_time, 7'200'000);
  EXPECT_EQ(first.gpus, 8u);
  EXPECT_EQ(first.account, "6214e9");
  EXPECT_EQ(first.job_class, "yolov3");  // 16 GPU-hours: Pollux's 10-100 band
  EXPECT_EQ((*jobs)[1].submit, (48 * 60 + 52) * 1000);
  EXPECT_EQ((*jobs)[1].job_class, "cifar10");  // under one GPU-hour, even line
}

struct BadRow {
  std::string row;
  std::string error;
};

class PhillyRejects : public ::testing::TestWithParam<BadRow> {};

TEST_P(PhillyRejects, NamingLineAndField) {
  auto jobs = ParsePhillyCsv(
      std::string(kPhillyHeader) + "2017-10-09 07:01:55,66,1,66,a\n" + GetParam().row + "\n",
      "philly.csv");
  ASSERT_FALSE(jobs.ok());
  EXPECT_EQ(jobs.error().message, GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, PhillyRejects,
    ::testing::Values(
        BadRow{"2017-10-09 07:01:55,abc,1,66,a",
               "philly.csv:3: duration: wanted seconds (a number >= 0), got 'abc'"},
        BadRow{"2017-10-09 07:01:55,-5,1,66,a",
               "philly.csv:3: duration: wanted seconds (a number >= 0), got '-5'"},
        BadRow{"2017-10-09 07:01:55,66,0,66,a",
               "philly.csv:3: num_gpus: wanted a whole number >= 1, got '0'"},
        BadRow{"2017-10-09 07:01:55,66,1.5,66,a",
               "philly.csv:3: num_gpus: wanted a whole number >= 1, got '1.5'"},
        BadRow{"09/10/2017,66,1,66,a",
               "philly.csv:3: timestamp: wanted a time like 2017-10-09 07:01:55, got '09/10/2017'"},
        BadRow{"2017-10-09 07:01:55,66,1,66,",
               "philly.csv:3: cluster: wanted a virtual cluster name, got ''"},
        BadRow{"2017-10-09 07:01:55,66,1",
               "philly.csv:3: wanted 5 fields (timestamp,duration,num_gpus,gpu_time,cluster), got "
               "3"}));

TEST(PhillyTrace, RejectsAWrongHeaderAndAnEmptyFile) {
  auto jobs = ParsePhillyCsv("when,how_long\n1,2\n", "x.csv");
  ASSERT_FALSE(jobs.ok());
  EXPECT_EQ(jobs.error().message,
            "x.csv:1: wanted the header 'timestamp,duration,num_gpus,gpu_time,cluster', got "
            "'when,how_long'");
  auto empty = ParsePhillyCsv("\n\n", "y.csv");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().message, "y.csv: empty, wanted a header line");
}

TEST(SiaTrace, WorkComesFromTheClassAndIsSpreadOverReplicas) {
  auto jobs = ParseSiaCsv(
      "name,time,application,num_replicas,batch_size\r\n"
      "cifar10-0,107,cifar10,6,2048\r\n"
      "imagenet-1,110,imagenet,16,3200\r\n",
      "w.csv");
  ASSERT_TRUE(jobs.ok()) << jobs.error().message;
  ASSERT_EQ(jobs->size(), 2u);
  EXPECT_EQ((*jobs)[0].submit, 0);
  EXPECT_EQ((*jobs)[1].submit, 3000);
  EXPECT_EQ((*jobs)[1].gpus, 16u);
  EXPECT_EQ((*jobs)[1].job_class, "imagenet");
  EXPECT_EQ((*jobs)[1].run_time, static_cast<DurationMs>(316 * 3600 * 1000 / 16));
}

TEST(SiaTrace, RejectsAnUnknownApplication) {
  auto jobs =
      ParseSiaCsv("name,time,application,num_replicas,batch_size\nx,1,gpt5,4,32\n", "w.csv");
  ASSERT_FALSE(jobs.ok());
  EXPECT_EQ(jobs.error().message,
            "w.csv:2: application: wanted one of cifar10, ncf, deepspeech2, bert, yolov3, "
            "imagenet, got 'gpt5'");
}

class TraceFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("trace_test." + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  std::filesystem::path dir_;
};

TEST_F(TraceFiles, FormatIsDetectedFromTheContent) {
  EXPECT_EQ(*DetectTraceFormat(Write("p", kPhillyHeader)), TraceFormat::kPhilly);
  EXPECT_EQ(*DetectTraceFormat(Write("s", "name,time,application,num_replicas,batch_size\n")),
            TraceFormat::kSia);
  std::string other = Write("o", "a,b,c\n");
  auto unknown = DetectTraceFormat(other);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message.rfind(other + ":1: not a trace tatami-sim knows", 0), 0u);
  EXPECT_FALSE(ReadTrace((dir_ / "missing").string(), TraceFormat::kTatami).ok());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "missing"));  // not created by opening it
}

TEST_F(TraceFiles, ATatamiDatabaseReplaysFinishedJobsThatHeldAccelerators) {
  std::string path = (dir_ / "jobs.db").string();
  {
    auto store = JobStore::Open(path);
    ASSERT_TRUE(store.ok());
    auto job = [](uint64_t id, v1::JobState state, TimeMs submit, uint32_t devices) {
      v1::JobInfo j;
      j.set_job_id(id);
      j.set_state(state);
      j.set_submit_time(submit);
      j.set_time_limit_ms(3'600'000);
      j.mutable_spec()->set_account("fsd-vision");
      j.mutable_spec()->set_user("ada");
      v1::RunRecord* r = j.add_runs();
      r->set_start_time(submit + 5'000);
      r->set_end_time(submit + 65'000);
      r->set_accelerator_kind("h100");
      r->set_accelerators(devices);
      return j;
    };
    auto done = (*store)->Put({job(7, v1::COMPLETED, 100'000, 8), job(8, v1::RUNNING, 90'000, 8),
                               job(9, v1::FAILED, 120'000, 0), job(10, v1::TIMEOUT, 110'000, 4)});
    ASSERT_TRUE(done.get().ok());
  }
  EXPECT_EQ(*DetectTraceFormat(path), TraceFormat::kTatami);
  auto jobs = ReadTrace(path);
  ASSERT_TRUE(jobs.ok()) << jobs.error().message;
  ASSERT_EQ(jobs->size(), 2u);  // running and CPU-only jobs are left out
  EXPECT_EQ((*jobs)[0].submit, 0);
  EXPECT_EQ((*jobs)[0].gpus, 8u);
  EXPECT_EQ((*jobs)[0].run_time, 60'000);
  EXPECT_EQ((*jobs)[0].kind, "h100");
  EXPECT_EQ((*jobs)[0].account, "fsd-vision");
  EXPECT_EQ((*jobs)[0].time_limit, 3'600'000);
  EXPECT_EQ((*jobs)[1].submit, 10'000);
  EXPECT_EQ((*jobs)[1].gpus, 4u);
}

TEST(ShapeTrace, RepeatsPastTheEndAndCompressesTime) {
  std::vector<TraceJob> jobs(2);
  jobs[0].id = 1;
  jobs[1].id = 2;
  jobs[1].submit = 1000;
  ShapeTrace(jobs, 5, 2.0);
  ASSERT_EQ(jobs.size(), 5u);
  std::vector<TimeMs> submits;
  for (const TraceJob& j : jobs) submits.push_back(j.submit);
  EXPECT_EQ(submits, (std::vector<TimeMs>{0, 500, 500, 1000, 1001}));
  EXPECT_EQ(jobs[4].id, 5u);
}

TEST(ShapeTrace, WidenedJobsKeepTheirRunTimeAndModelClass) {
  std::vector<TraceJob> jobs(2);
  for (uint64_t i = 0; i < 2; ++i) {
    jobs[i].id = i + 1;
    jobs[i].submit = TimeMs(i) * 7'200'000;
    jobs[i].run_time = 3'600'000;
    jobs[i].gpus = uint32_t(i) + 1;
  }
  jobs[1].job_class = "bert";
  // 1 + 2 GPU-hours over a 2-hour span on 3 H100-equivalents: half the time busy.
  EXPECT_DOUBLE_EQ(OfferedLoad(jobs, 3), 0.5);
  WidenJobs(jobs, 8);
  EXPECT_EQ(jobs[0].gpus, 8u);
  EXPECT_EQ(jobs[0].run_time, 3'600'000);
  EXPECT_EQ(jobs[0].job_class, ClassForGpuHours(1.0, 1));  // as the unwidened job was
  EXPECT_EQ(jobs[1].job_class, "bert");
  EXPECT_DOUBLE_EQ(OfferedLoad(jobs, 3), 4.0);
}

TEST(PhillyTrace, TheSharedTraceReadsWhole) {
  std::string path = std::string(TATAMI_SOURCE_DIR) + "/../shared/traces/philly-pollux/philly.csv";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is not here";
  auto jobs = ReadTrace(path);
  ASSERT_TRUE(jobs.ok()) << jobs.error().message;
  EXPECT_EQ(jobs->size(), 82'247u);
  EXPECT_TRUE(std::is_sorted(jobs->begin(), jobs->end(), [](const TraceJob& a, const TraceJob& b) {
    return a.submit < b.submit;
  }));
}

}  // namespace
}  // namespace tatami::sim
