#include "launcher/reaper.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

namespace tatami {
namespace {

// wait4 on one pid, retried when a signal interrupts it.
pid_t Wait4(pid_t pid, int* wstatus, int options, struct rusage* ru) {
  pid_t got;
  do {
    got = wait4(pid, wstatus, options, ru);
  } while (got < 0 && errno == EINTR);
  return got;
}

// pidfd_open(2) by its number: glibc 2.36's <sys/pidfd.h> declares it
// without extern "C", so a C++ caller cannot link to it.
int PidfdOpen(pid_t pid) {
  return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
}

}  // namespace

Reaper::Reaper() : wake_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)), thread_([this] { Loop(); }) {}

Reaper::~Reaper() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  Wake();
  thread_.join();  // after a callback under way; none starts once stopping_ is set
  std::vector<pid_t> running;
  for (const auto& [pid, watched] : watched_) {
    close(watched.pidfd);
    running.push_back(pid);
  }
  if (wake_fd_ >= 0) close(wake_fd_);
  // Reaped as they end, each by its pid, so they leave no zombies and take
  // no one else's children.
  if (!running.empty()) {
    std::thread([running] {
      for (pid_t pid : running) Wait4(pid, nullptr, 0, nullptr);
    }).detach();
  }
}

Result<pid_t> Reaper::SpawnAndWatch(const std::function<Result<pid_t>()>& spawn, OnExit on_exit) {
  std::lock_guard lock(mu_);
  Result<pid_t> pid = spawn();
  if (!pid.ok()) return pid;
  int pidfd = PidfdOpen(*pid);  // close-on-exec, always
  if (pidfd < 0) {
    std::string why = strerror(errno);
    kill(*pid, SIGKILL);
    Wait4(*pid, nullptr, 0, nullptr);
    return MakeError("cannot watch the process just started (pidfd_open: " + why +
                     "), so it was killed");
  }
  watched_[*pid] = {pidfd, std::move(on_exit)};
  Wake();
  return pid;
}

void Reaper::Wake() const {
  if (wake_fd_ < 0) return;
  uint64_t one = 1;
  // Fails only when the counter is full, and then a wake-up is pending anyway.
  (void)!write(wake_fd_, &one, sizeof one);
}

void Reaper::Loop() {
  std::vector<pollfd> fds;
  std::vector<pid_t> pids;  // of fds[i]; 0 for the eventfd
  while (true) {
    fds.clear();
    pids.clear();
    if (wake_fd_ >= 0) {
      fds.push_back({wake_fd_, POLLIN, 0});
      pids.push_back(0);
    }
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      // Only this thread closes a pidfd (and the destructor, after it), so
      // those listed stay open while it polls.
      for (const auto& [pid, watched] : watched_) {
        fds.push_back({watched.pidfd, POLLIN, 0});
        pids.push_back(pid);
      }
    }
    if (poll(fds.data(), fds.size(), wake_fd_ >= 0 ? -1 : 100) < 0) continue;  // EINTR
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      if (pids[i] == 0) {
        uint64_t count;
        (void)!read(wake_fd_, &count, sizeof count);
      } else if (!Collect(pids[i])) {
        return;
      }
    }
  }
}

bool Reaper::Collect(pid_t pid) {
  // wait4, for the rusage: the CPU time of the child and of every
  // descendant it reaped, which is how a job's CPU time is known exactly
  // at its end (launcher/job_usage.h samples it while it runs).
  int wstatus = 0;
  struct rusage ru {};
  pid_t got = Wait4(pid, &wstatus, WNOHANG, &ru);
  if (got == 0) return true;  // a pidfd is readable only once its process ended; not yet, then
  OnExit on_exit;
  {
    std::lock_guard lock(mu_);
    auto it = watched_.find(pid);
    close(it->second.pidfd);
    on_exit = std::move(it->second.on_exit);
    watched_.erase(it);
    if (stopping_) return false;  // the owner is going: no one to tell
  }
  // ECHILD: reaped by someone else (the process set SIGCHLD to SIG_IGN,
  // or waited for it itself); how it ended is lost, so no one is told.
  if (got < 0) return true;
  ExitStatus status;
  if (WIFEXITED(wstatus)) {
    status.exit_code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    status.signal = WTERMSIG(wstatus);
  }
  status.cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
                  (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
  status.max_rss_bytes = static_cast<int64_t>(ru.ru_maxrss) * 1024;
  on_exit(pid, status);
  return true;
}

}  // namespace tatami
