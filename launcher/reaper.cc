#include "launcher/reaper.h"

#include <errno.h>
#include <sys/wait.h>

namespace tatami {

Reaper::Reaper() : thread_([this] { Loop(); }) {}

Reaper::~Reaper() {
  std::unique_lock lock(mu_);
  stopping_ = true;
  bool children = !watched_.empty();
  lock.unlock();
  cv_.notify_all();
  // waitid() cannot be interrupted; with children left it would block.
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
    siginfo_t info{};
    if (waitid(P_ALL, 0, &info, WEXITED) != 0) {
      if (errno == EINTR) continue;
      // ECHILD: every watched child is already gone (reaped by someone else).
      std::lock_guard lock(mu_);
      watched_.clear();
      continue;
    }
    ExitStatus status;
    if (info.si_code == CLD_EXITED) {
      status.exit_code = info.si_status;
    } else {
      status.signal = info.si_status;
    }
    OnExit cb;
    {
      std::lock_guard lock(mu_);
      auto it = watched_.find(info.si_pid);
      if (it == watched_.end()) continue;
      cb = std::move(it->second);
      watched_.erase(it);
    }
    cb(info.si_pid, status);
  }
}

}  // namespace tatami
