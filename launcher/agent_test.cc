#include "launcher/agent.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "base/files.h"
#include "topology/cluster_config.h"

namespace tatami {
namespace {

namespace fs = std::filesystem;

// Polls `path` until it holds `text` (or 20 s pass); returns what it holds.
// (The traps write it: nothing else tells the test they ran.)
std::string AwaitContents(const std::string& path, const std::string& text) {
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::string now;
  while ((now = ReadFileContents(path).value_or("")) != text &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return now;
}

v1::TerminateRequest Signal(int sig, int64_t run_start_time) {
  v1::TerminateRequest t;
  t.set_job_id(7);
  t.set_node("n1");
  t.set_run_start_time(run_start_time);
  t.set_signal(sig);
  return t;
}

// The controller's link sends a message again when it was not taken, and
// a job may have ended and started again on the node meanwhile: the agent
// acts on a message only for the run it names. Job 7's run started at
// 1000; a SIGUSR2 for its run at 500 (an earlier one) is ignored, a
// SIGUSR1 and then the terminate for this run reach the script's traps.
TEST(Agent, IgnoresATerminateMeantForAnEarlierRunOfTheJob) {
  fs::path dir = fs::temp_directory_path() / ("agent_test." + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "spool");
  const std::string traps = (dir / "traps").string();

  AgentOptions options;
  options.controller_address = "127.0.0.1:1";  // nobody: events wait in the outbox
  options.spool_dir = (dir / "spool").string();
  AgentNode node;
  node.config.name = "n1";
  node.config.cpus = 2;
  options.nodes.push_back(node);
  Agent agent(options);

  v1::LaunchRequest req;
  v1::JobLaunch* l = req.add_launches();
  l->set_node("n1");
  l->set_run_script(true);
  l->set_kill_wait_ms(5000);
  v1::JobInfo* job = l->mutable_job();
  job->set_job_id(7);
  job->set_start_time(1000);
  job->mutable_spec()->set_work_dir(dir.string());
  job->mutable_spec()->set_stdout_pattern((dir / "out").string());
  job->mutable_spec()->set_script(
      "#!/bin/sh\n"
      "trap 'echo USR2 >> " +
      traps +
      "' USR2\n"
      "trap 'echo USR1 >> " +
      traps +
      "' USR1\n"
      "trap 'echo TERM >> " +
      traps +
      "; exit 0' TERM\n"
      "echo ready > " +
      traps +
      "\n"
      "while :; do sleep 1 & wait $!; done\n");
  ASSERT_TRUE(agent.Launch(req).empty());
  ASSERT_EQ(AwaitContents(traps, "ready\n"), "ready\n");

  agent.Terminate(Signal(SIGUSR2, 500));
  agent.Terminate(Signal(SIGUSR1, 1000));
  ASSERT_EQ(AwaitContents(traps, "ready\nUSR1\n"), "ready\nUSR1\n");
  v1::TerminateRequest terminate = Signal(0, 1000);
  terminate.set_kill_wait_ms(20'000);  // time for the trap before SIGKILL
  agent.Terminate(terminate);
  EXPECT_EQ(AwaitContents(traps, "ready\nUSR1\nTERM\n"), "ready\nUSR1\nTERM\n");

  agent.Stop();
  std::error_code ec;  // the agent may still be clearing the job's spool
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace tatami
