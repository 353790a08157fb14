// Collects the children it spawned, and only those, with one thread, and
// calls back with how each ended. Children are registered atomically with
// their spawn, so a child that exits at once is never missed.
//
// Each child is watched through a pidfd (pidfd_open) and reaped by its own
// pid, never with wait4(-1): two Reapers in one process (an agent's tests
// make one per Agent), or a caller that waits for a child of its own, never
// take each other's children.
//
// Thread-safe. Callbacks run on the reaper thread and must not call back in.
// Destroying the Reaper waits for a callback under way; none runs after.
// Children still running then are reaped, as they end, by a detached
// thread that calls no one, so they do not stay zombies.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "base/result.h"

namespace tatami {

struct ExitStatus {
  int exit_code = 0;          // valid when signal == 0
  int signal = 0;             // the signal that killed it, else 0
  int64_t cpu_ms = 0;         // user + system CPU of it and the descendants it reaped
  int64_t max_rss_bytes = 0;  // largest resident set of it or one such descendant
};

class Reaper {
 public:
  using OnExit = std::function<void(pid_t, ExitStatus)>;
  Reaper();
  ~Reaper();
  Reaper(const Reaper&) = delete;
  Reaper& operator=(const Reaper&) = delete;

  // Calls `spawn` and registers `on_exit` for the pid it returns, under one
  // lock. A child that cannot be watched (no pidfd: too many open files)
  // is killed and reaped, and the error says so.
  Result<pid_t> SpawnAndWatch(const std::function<Result<pid_t>()>& spawn, OnExit on_exit);

 private:
  struct Watched {
    int pidfd;
    OnExit on_exit;
  };
  void Loop();
  // Reaps the ended child `pid`, if it has ended, and calls back for it.
  // Returns false once the Reaper is stopping.
  bool Collect(pid_t pid);
  void Wake() const;

  std::mutex mu_;
  std::map<pid_t, Watched> watched_;  // guarded by mu_
  bool stopping_ = false;             // guarded by mu_; no callback starts once set
  int wake_fd_;  // an eventfd: the watched set changed, or stop (-1: none; poll every 100 ms)
  std::thread thread_;
};

}  // namespace tatami
