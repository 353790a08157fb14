// sbatch --signal=[B:]SIG@SECONDS, end to end: the agent sends the signal
// that long before the job's time limit, so that training can checkpoint.
#include <gtest/gtest.h>

#include "tests/integration/cluster_fixture.h"

namespace tatami::testing {
namespace {

// Two one-minute jobs, warned 57 seconds before their limit (3 s in): one
// for all its processes, one for its batch shell alone (B:). Each traps
// its signal, notes it and ends at once, well before the limit.
TEST_F(ClusterTest, SignalArrivesBeforeTheTimeLimit) {
  auto job = [&](const std::string& signal, const std::string& name) {
    return Submit("-t 1 --signal=" + signal + " --wrap='trap \"echo got " + name + " >> " + name +
                  ".log; exit 0\" " + name + "; while :; do sleep 0.05; done'");
  };
  std::string all = job("USR1@57", "USR1");
  std::string shell = job("B:USR2@57", "USR2");
  EXPECT_EQ(Wait(all + " " + shell), 0);
  EXPECT_EQ(cluster_.Value("sacct -n -P -X -j " + all + " -o State"), "COMPLETED");
  EXPECT_EQ(cluster_.Value("sacct -n -P -X -j " + shell + " -o State"), "COMPLETED");
  EXPECT_EQ(cluster_.Run("cat USR1.log").out, "got USR1\n");
  EXPECT_EQ(cluster_.Run("cat USR2.log").out, "got USR2\n");
}

}  // namespace
}  // namespace tatami::testing
