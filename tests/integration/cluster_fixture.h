// The fixture of the end-to-end tests: a fresh local cluster
// (tests/integration/test-cluster.yaml) per test, and the few idioms they
// share: submit with sbatch, wait for a job to run or for its SIGTERM trap
// to be in place, and release jobs that wait for a file.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/integration/local_cluster.h"

namespace tatami::testing {

// A prefix that runs a command as user nobody against the cluster of
// LocalCluster::Run. Only root can run it: tests check geteuid() (or use
// ClusterTest::ExpectErrors).
inline constexpr const char* kAsNobody =
    "runuser -u nobody -- env TATAMI_CONTROLLER=$(cat $TATAMI_STATE_DIR/controller.addr) ";

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(cluster_.ok()) << cluster_.up_output(); }

  // Submits and returns the job id ("" on failure, with the error shown).
  std::string Submit(const std::string& args) {
    CommandResult r = cluster_.Run("sbatch --parsable " + args);
    EXPECT_EQ(r.exit_code, 0) << "sbatch " << args << "\n" << r.err;
    return r.out.substr(0, r.out.find('\n'));
  }
  // A command that must fail (exit 1) and say `message` on stderr.
  void ExpectRefused(const std::string& command, const std::string& message) {
    CommandResult r = cluster_.Run(command);
    EXPECT_EQ(r.exit_code, 1) << command << "\n" << r.out;
    EXPECT_NE(r.err.find(message), std::string::npos) << command << "\n" << r.err;
  }
  // Each command must fail and print exactly its error on stderr. Those
  // run kAsNobody are skipped unless the tests run as root.
  void ExpectErrors(const std::vector<std::pair<std::string, std::string>>& cases) {
    for (const auto& [command, error] : cases) {
      if (command.starts_with(kAsNobody) && geteuid() != 0) continue;
      CommandResult r = cluster_.Run(command);
      EXPECT_NE(r.exit_code, 0) << command;
      EXPECT_EQ(r.err, error) << command;
    }
  }
  // `tatami wait JOBS`, bounded: a job that never ends fails the test
  // instead of hanging it. Returns tatami wait's exit code.
  int Wait(const std::string& jobs) {
    return cluster_.Run("tatami wait --timeout 60 " + jobs).exit_code;
  }
  // What a job wrote to `output` (its -o), once it completed; a job that
  // did not complete (or exit 0) fails the test.
  std::string OutputOfJob(const std::string& args, const std::string& output) {
    std::string job = Submit("-o " + output + " " + args);
    EXPECT_EQ(Wait(job), 0) << "sbatch " << args;
    return cluster_.Run("cat " + output).out;
  }
  void Release(const std::string& file = "go") {
    std::ofstream(cluster_.dir() + "/" + file) << "go\n";
  }
  bool RunningEventually(const std::string& job) {
    return LocalCluster::Eventually([&] { return cluster_.QueueState(job) == "R"; },
                                    std::chrono::seconds(20));
  }

  // A job that runs until the test creates `file` in the cluster's folder.
  // It traps SIGTERM, then touches `file`.ready so the test knows the trap
  // is in place (RUNNING only means launched).
  static std::string Blocker(const std::string& file = "go") {
    return "--wrap='trap \"echo got TERM; exit 143\" TERM; touch " + file +
           ".ready; while [ ! -e " + file + " ]; do sleep 0.05; done'";
  }
  bool ReadyEventually(const std::string& file = "go") {
    return LocalCluster::Eventually(
        [&] { return cluster_.Run("test -e " + file + ".ready").exit_code == 0; },
        std::chrono::seconds(20));
  }

  LocalCluster cluster_;
};

}  // namespace tatami::testing
