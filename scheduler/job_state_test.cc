#include "scheduler/job_state.h"

#include <gtest/gtest.h>

namespace tatami {
namespace {

TEST(JobState, LegalTransitions) {
  EXPECT_TRUE(CanTransition(v1::PENDING, v1::RUNNING));
  EXPECT_TRUE(CanTransition(v1::PENDING, v1::CANCELLED));
  EXPECT_TRUE(CanTransition(v1::RUNNING, v1::COMPLETING));
  EXPECT_TRUE(CanTransition(v1::RUNNING, v1::TIMEOUT));
  EXPECT_TRUE(CanTransition(v1::RUNNING, v1::PENDING));  // requeue
  EXPECT_TRUE(CanTransition(v1::COMPLETING, v1::CANCELLED));
}

TEST(JobState, TerminalStatesAreFinal) {
  for (JobState t : {v1::COMPLETED, v1::FAILED, v1::CANCELLED, v1::TIMEOUT, v1::NODE_FAIL}) {
    EXPECT_TRUE(IsTerminal(t));
    for (JobState to : {v1::PENDING, v1::RUNNING, v1::COMPLETING, v1::COMPLETED, v1::FAILED}) {
      EXPECT_FALSE(CanTransition(t, to)) << StateName(t) << " -> " << StateName(to);
    }
  }
}

TEST(JobState, PendingCannotSkipToCompleted) {
  EXPECT_FALSE(CanTransition(v1::PENDING, v1::COMPLETED));
  EXPECT_FALSE(CanTransition(v1::PENDING, v1::COMPLETING));
  EXPECT_FALSE(CanTransition(v1::RUNNING, v1::RUNNING));
}

TEST(JobState, SlurmSpellings) {
  EXPECT_EQ(StateName(v1::NODE_FAIL), "NODE_FAIL");
  EXPECT_EQ(StateCompact(v1::PENDING), "PD");
  EXPECT_EQ(StateCompact(v1::COMPLETING), "CG");
  EXPECT_EQ(ParseState("pd"), v1::PENDING);
  EXPECT_EQ(ParseState("Timeout"), v1::TIMEOUT);
  EXPECT_FALSE(ParseState("sleeping").has_value());
}

}  // namespace
}  // namespace tatami
