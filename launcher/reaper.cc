#include "launcher/reaper.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/wait.h>

namespace tatami {

Reaper::Reaper() : thread_([this] { Loop(); }) {}

Reaper::~Reaper() {
  std::unique_lock lock(mu_);
  stopping_ = true;
  bool children = !watched_.empty();
  lock.unlock();
  cv_.notify_all();
  // wait4() cannot be interrupted; with children left it would block.
  if (children) {
    thread_.detach();
  } else {
    thread_.join();
  }
}

Result<pid_t> Reaper::SpawnAndWatch(const std::function<Result<pid_t>()>& spawn, OnExit on_exit) {
  std::lock_guard lock(mu_);
  Result<pid_t> pid = spawn();
  if (pid.ok()) watched_[*pid] = std::move(on_exit);
  cv_.notify_all();
  return pid;
}

void Reaper::Loop() {
  while (true) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !watched_.empty(); });
      if (stopping_) return;
    }
    // wait4, for the rusage: the CPU time of the child and of every
    // descendant it reaped, which is how a job's CPU time is known exactly
    // at its end (launcher/job_usage.h samples it while it runs).
    int wstatus = 0;
    struct rusage ru {};
    pid_t pid = wait4(-1, &wstatus, 0, &ru);
    if (pid < 0) {
      if (errno == EINTR) continue;
      // ECHILD: every watched child is already gone (reaped by someone else).
      std::lock_guard lock(mu_);
      watched_.clear();
      continue;
    }
    ExitStatus status;
    if (WIFEXITED(wstatus)) {
      status.exit_code = WEXITSTATUS(wstatus);
    } else if (WIFSIGNALED(wstatus)) {
      status.signal = WTERMSIG(wstatus);
    }
    status.cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
                    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
    status.max_rss_bytes = static_cast<int64_t>(ru.ru_maxrss) * 1024;
    OnExit cb;
    {
      std::lock_guard lock(mu_);
      auto it = watched_.find(pid);
      if (it == watched_.end()) continue;
      cb = std::move(it->second);
      watched_.erase(it);
    }
    cb(pid, status);
  }
}

}  // namespace tatami
