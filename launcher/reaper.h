// Collects every child of the agent with one thread (waitid), and calls back
// with how each ended. Children are registered atomically with their spawn,
// so a child that exits at once is never missed.
//
// Thread-safe. Callbacks run on the reaper thread and must not call back in.
// Destroying the Reaper waits for a callback under way; none runs after.
// With children still running, its thread is left blocked in wait4 (it
// cannot be interrupted): it owns its share of the state, so the child
// that wakes it later finds the Reaper gone and the thread just ends.
#pragma once

#include <sys/types.h>

#include <condition_variable>
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

  // Calls `spawn` and registers `on_exit` for the pid it returns, under one lock.
  Result<pid_t> SpawnAndWatch(const std::function<Result<pid_t>()>& spawn, OnExit on_exit);

 private:
  // Shared with the thread, which may outlive the Reaper (above).
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    std::map<pid_t, OnExit> watched;
    bool stopping = false;
    bool calling = false;  // a callback is running
  };
  static void Loop(const std::shared_ptr<State>& state);
  std::shared_ptr<State> state_ = std::make_shared<State>();
  std::thread thread_;
};

}  // namespace tatami
