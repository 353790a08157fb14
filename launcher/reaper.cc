#include "launcher/reaper.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/wait.h>

namespace tatami {

Reaper::Reaper() : thread_([state = state_] { Loop(state); }) {}

Reaper::~Reaper() {
  std::unique_lock lock(state_->mu);
  state_->stopping = true;
  bool children = !state_->watched.empty();
  state_->cv.notify_all();
  // A callback under way may use its owner, which goes next.
  state_->cv.wait(lock, [&] { return !state_->calling; });
  lock.unlock();
  // wait4() cannot be interrupted; with children left it would block.
  if (children) {
    thread_.detach();
  } else {
    thread_.join();
  }
}

Result<pid_t> Reaper::SpawnAndWatch(const std::function<Result<pid_t>()>& spawn, OnExit on_exit) {
  std::lock_guard lock(state_->mu);
  Result<pid_t> pid = spawn();
  if (pid.ok()) state_->watched[*pid] = std::move(on_exit);
  state_->cv.notify_all();
  return pid;
}

void Reaper::Loop(const std::shared_ptr<State>& state) {
  while (true) {
    {
      std::unique_lock lock(state->mu);
      state->cv.wait(lock, [&] { return state->stopping || !state->watched.empty(); });
      if (state->stopping) return;
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
      std::lock_guard lock(state->mu);
      state->watched.clear();
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
      std::lock_guard lock(state->mu);
      if (state->stopping) return;  // the Reaper is gone: no one to tell
      auto it = state->watched.find(pid);
      if (it == state->watched.end()) continue;
      cb = std::move(it->second);
      state->watched.erase(it);
      state->calling = true;
    }
    cb(pid, status);
    {
      std::lock_guard lock(state->mu);
      state->calling = false;
    }
    state->cv.notify_all();
  }
}

}  // namespace tatami
