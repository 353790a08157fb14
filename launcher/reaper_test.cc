#include "launcher/reaper.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <thread>

#include "launcher/process.h"

namespace tatami {
namespace {

// Threads of this process blocked in wait4 (read from /proc: the Reaper
// does not say, and the test must know its thread got there).
int ThreadsInWait4() {
  int n = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream in(task.path() / "syscall");
    long number = -1;
    if (in >> number && number == SYS_wait4) ++n;
  }
  return n;
}

int Threads() {
  int n = 0;
  for ([[maybe_unused]] const auto& task : std::filesystem::directory_iterator("/proc/self/task"))
    ++n;
  return n;
}

bool Eventually(const std::function<bool()>& ready) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!ready()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

// The agent's Reaper goes while a job's process still runs (the agent
// stops, or a test ends): its thread stays blocked in wait4. When the
// process ends later, the thread that reaps it must neither touch the
// Reaper's freed state (AddressSanitizer caught that in Agent's tests)
// nor call the gone owner: it ends.
TEST(Reaper, AChildThatEndsAfterTheReaperIsGoneCallsNoOne) {
  int pipe_fds[2];
  ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);  // the child keeps only its stdin
  std::atomic<int> called{0};
  int waiting_before = ThreadsInWait4();  // other tests' left threads
  int threads_before = Threads();
  auto reaper = std::make_unique<Reaper>();
  Result<pid_t> pid = reaper->SpawnAndWatch(
      [&] {
        SpawnOptions o;
        o.argv = {"/bin/sh", "-c", "read line"};  // ends when the pipe closes
        o.stdin_fd = pipe_fds[0];
        return Spawn(o);
      },
      [&](pid_t, ExitStatus) { ++called; });
  ASSERT_TRUE(pid.ok()) << pid.error().message;
  close(pipe_fds[0]);
  ASSERT_TRUE(Eventually([&] { return ThreadsInWait4() == waiting_before + 1; }));
  reaper.reset();
  close(pipe_fds[1]);
  // One of the threads in wait4 reaps it and, its Reaper gone, ends: all
  // it did after wait4 is done by then.
  EXPECT_TRUE(Eventually([&] { return kill(*pid, 0) == -1 && errno == ESRCH; }));
  EXPECT_TRUE(Eventually([&] { return Threads() == threads_before; }));
  EXPECT_EQ(called.load(), 0);
}

}  // namespace
}  // namespace tatami
