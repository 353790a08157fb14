#include "launcher/reaper.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <system_error>
#include <thread>

#include "launcher/process.h"

namespace tatami {
namespace {

int Threads() {
  int n = 0;
  std::error_code error;  // a thread that ends mid-walk is not an error here
  for (std::filesystem::directory_iterator it("/proc/self/task", error), end; !error && it != end;
       it.increment(error))
    ++n;
  return n;
}

// The state letter of /proc/PID/stat ('Z': ended, not yet reaped), or 0
// when there is no such process (reaped). Plain read(): the file can vanish
// between open and read, which a stream reports by throwing.
char ProcessState(pid_t pid) {
  int fd = open(("/proc/" + std::to_string(pid) + "/stat").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[512];
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  if (n <= 0) return 0;
  std::string stat(buf, static_cast<size_t>(n));
  size_t name_end = stat.rfind(')');  // the command name may hold spaces
  return name_end == std::string::npos || name_end + 2 >= stat.size() ? 0 : stat[name_end + 2];
}

bool Eventually(const std::function<bool()>& ready) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!ready()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

// A child that runs until `fd` (its stdin) is closed at the other end.
Result<pid_t> SpawnReader(int fd) {
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", "read line"};
  o.stdin_fd = fd;
  return Spawn(o);
}

Result<pid_t> SpawnExiting(int code) {
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", "exit " + std::to_string(code)};
  return Spawn(o);
}

// The agent's Reaper goes while a job's process still runs (the agent
// stops, or a test ends). When the process ends later, it must be reaped
// (not left a zombie) without calling the gone owner, and without taking
// the children of the Reaper that follows (the next Agent of a test).
TEST(Reaper, AChildThatEndsAfterTheReaperIsGoneIsReapedAndCallsNoOne) {
  int pipe_fds[2];
  ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);  // the child keeps only its stdin
  std::atomic<int> called{0};
  int threads_before = Threads();
  auto reaper = std::make_unique<Reaper>();
  Result<pid_t> pid = reaper->SpawnAndWatch([&] { return SpawnReader(pipe_fds[0]); },
                                            [&](pid_t, ExitStatus) { ++called; });
  ASSERT_TRUE(pid.ok()) << pid.error().message;
  close(pipe_fds[0]);
  reaper.reset();

  Reaper next;
  std::promise<ExitStatus> done;
  ASSERT_TRUE(next.SpawnAndWatch([] { return SpawnExiting(7); },
                                 [&](pid_t, ExitStatus s) { done.set_value(s); })
                  .ok());
  EXPECT_EQ(done.get_future().get().exit_code, 7);

  close(pipe_fds[1]);
  EXPECT_TRUE(Eventually([&] { return ProcessState(*pid) == 0; })) << "left a zombie";
  EXPECT_TRUE(Eventually([&] { return Threads() == threads_before + 1; }));  // next's thread
  EXPECT_EQ(called.load(), 0);
}

// A child the Reaper did not start is not its to reap: its parent waits
// for it as it would without a Reaper (wait4(-1) took it before).
TEST(Reaper, LeavesOtherChildrenToWhoeverWaitsForThem) {
  int pipe_fds[2];
  ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
  Reaper reaper;  // watching a child of its own, so that it waits
  ASSERT_TRUE(
      reaper.SpawnAndWatch([&] { return SpawnReader(pipe_fds[0]); }, [](pid_t, ExitStatus) {})
          .ok());
  close(pipe_fds[0]);
  Result<pid_t> own = SpawnExiting(3);
  ASSERT_TRUE(own.ok()) << own.error().message;
  EXPECT_TRUE(Eventually([&] { return ProcessState(*own) == 'Z'; }));
  int wstatus = 0;
  ASSERT_EQ(waitpid(*own, &wstatus, 0), *own) << strerror(errno);
  EXPECT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 3);
  close(pipe_fds[1]);
}

}  // namespace
}  // namespace tatami
