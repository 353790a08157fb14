#include "scheduler/cli/job_fields.h"

#include <gtest/gtest.h>

namespace tatami {
namespace {

void AddJob(v1::WaitReply& reply, v1::JobState state, int exit_code, int exit_signal) {
  v1::JobInfo* job = reply.add_jobs();
  job->set_state(state);
  job->set_exit_code(exit_code);
  job->set_exit_signal(exit_signal);
}

TEST(WaitExitStatus, TheHighestCodeOfTheJobs) {
  v1::WaitReply reply;
  AddJob(reply, v1::COMPLETED, 0, 0);
  EXPECT_EQ(WaitExitStatus(reply), 0);
  AddJob(reply, v1::FAILED, 3, 0);
  AddJob(reply, v1::FAILED, 2, 0);
  EXPECT_EQ(WaitExitStatus(reply), 3);
}

TEST(WaitExitStatus, ASignalReadsAsTheShellsDoAndAJobThatDidNotCompleteIsNeverZero) {
  v1::WaitReply killed;
  AddJob(killed, v1::FAILED, 0, 9);
  EXPECT_EQ(WaitExitStatus(killed), 137);
  v1::WaitReply cancelled;
  AddJob(cancelled, v1::CANCELLED, 0, 0);
  EXPECT_EQ(WaitExitStatus(cancelled), 1);
  v1::WaitReply timed_out;
  AddJob(timed_out, v1::TIMEOUT, 0, 0);
  AddJob(timed_out, v1::COMPLETED, 0, 0);
  EXPECT_EQ(WaitExitStatus(timed_out), 1);
}

TEST(WaitExitStatus, ACodeBeyondWhatAProcessCanExitWithIsCapped) {
  v1::WaitReply reply;
  AddJob(reply, v1::FAILED, 300, 0);
  EXPECT_EQ(WaitExitStatus(reply), 255);
  EXPECT_EQ(WaitExitStatus(v1::WaitReply()), 0);
}

}  // namespace
}  // namespace tatami
