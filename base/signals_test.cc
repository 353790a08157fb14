#include "base/signals.h"

#include <gtest/gtest.h>
#include <signal.h>

namespace tatami {
namespace {

TEST(Signals, NamesWithOrWithoutSigAndNumbers) {
  EXPECT_EQ(ParseSignal("USR1"), SIGUSR1);
  EXPECT_EQ(ParseSignal("SIGTERM"), SIGTERM);
  EXPECT_EQ(ParseSignal("10"), 10);
  EXPECT_EQ(ParseSignal("sigusr2"), SIGUSR2);
  EXPECT_EQ(ParseSignal("0"), 0);
  EXPECT_EQ(ParseSignal("999"), 0);
  EXPECT_EQ(ParseSignal("SIG"), 0);
  EXPECT_EQ(ParseSignal(""), 0);
}

}  // namespace
}  // namespace tatami
