#include "tests/integration/local_cluster.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "base/files.h"

namespace tatami::testing {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const std::string& path) {
  return ReadFileContents(path).value_or("");
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

LocalCluster::LocalCluster()
    : LocalCluster(std::string(TATAMI_SOURCE_DIR) + "/tests/integration/test-cluster.yaml") {}

LocalCluster::LocalCluster(const std::string& config) {
  char tmpl[] = "/tmp/tatami-it-XXXXXX";
  dir_ = mkdtemp(tmpl);
  CommandResult r = Run("tatami local up --config " + config + " --state-dir " + dir_);
  up_output_ = r.out + r.err;
  up_ = r.exit_code == 0;
}

LocalCluster::~LocalCluster() {
  Run("tatami local down --state-dir " + dir_);
  if (!getenv("TATAMI_KEEP_TEST_DIRS")) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

CommandResult LocalCluster::Run(const std::string& command) const {
  std::string err_file = dir_ + "/.stderr-" + std::to_string(getpid()) + "-" +
                         std::to_string(std::hash<std::thread::id>()(std::this_thread::get_id()));
  std::string full = "cd " + Quote(dir_) + " && export TATAMI_STATE_DIR=" + Quote(dir_) +
                     " PATH=" + Quote(std::string(TATAMI_BIN_DIR) + ":" + getenv("PATH")) +
                     " && (" + command + ") 2>" + Quote(err_file);
  CommandResult r;
  FILE* p = popen(full.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.err = ReadFile(err_file);
  std::error_code ec;
  fs::remove(err_file, ec);
  return r;
}

std::string LocalCluster::Value(const std::string& command) const {
  CommandResult r = Run(command);
  if (r.exit_code != 0) return "";
  return r.out.substr(0, r.out.find('\n'));
}

bool LocalCluster::Eventually(const std::function<bool()>& ready, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return ready();
}

std::string LocalCluster::AcctState(const std::string& job) const {
  return Value("sacct -n -P -X -j " + job + " -o State");
}

std::string LocalCluster::QueueState(const std::string& job) const {
  return Value("squeue -h -t all -j " + job + " -o %t");
}

bool LocalCluster::KillAndReap(pid_t pid) {
  if (pid <= 0 || kill(pid, SIGKILL) != 0) return false;
  return Eventually([&] { return kill(pid, 0) != 0; }, std::chrono::seconds(10));
}

pid_t LocalCluster::ControllerPid() const {
  return atoi(ReadFile(dir_ + "/tatamid.pid").c_str());
}

pid_t LocalCluster::AgentPid(const std::string& agent) const {
  return atoi(ReadFile(dir_ + "/agent-" + agent + ".pid").c_str());
}

}  // namespace tatami::testing
