// A real Tatami cluster on loopback for one test: `tatami local up` with
// tests/integration/test-cluster.yaml in a fresh state directory, the real
// CLI for every command, `tatami local down` and cleanup at the end.
#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace tatami::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class LocalCluster {
 public:
  LocalCluster();  // starts tests/integration/test-cluster.yaml; check ok() and log()
  explicit LocalCluster(const std::string& config);  // starts the cluster of `config`
  ~LocalCluster();

  bool ok() const { return up_; }
  const std::string& dir() const { return dir_; }
  const std::string& up_output() const { return up_output_; }

  // Runs a shell command with the cluster's TATAMI_STATE_DIR and the build's
  // bin/ first on PATH, in dir() as working directory.
  CommandResult Run(const std::string& command) const;
  // The first line of stdout of a command that must succeed ("" if not).
  std::string Value(const std::string& command) const;

  // Calls `ready` until it is true or `limit` passes. For conditions the
  // cluster reaches on its own (a node noticed down); never a fixed sleep.
  static bool Eventually(const std::function<bool()>& ready, std::chrono::milliseconds limit);

  // The job's state as sacct reports it ("COMPLETED", "CANCELLED by 0" ...).
  std::string AcctState(const std::string& job) const;
  // The job's state letters as squeue reports it ("" once it is gone).
  std::string QueueState(const std::string& job) const;
  pid_t ControllerPid() const;
  // SIGKILLs the process and returns once it is gone.
  static bool KillAndReap(pid_t pid);
  pid_t AgentPid(const std::string& agent) const;

 private:
  std::string dir_;
  std::string up_output_;
  bool up_ = false;
};

}  // namespace tatami::testing
