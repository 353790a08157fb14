// The controller's connection to one tatami-agent.
//
// Launches and terminations are queued and sent by the link's own thread, so
// the controller never waits on the network while it holds its lock. Every
// launch queued since the last send goes out in one LaunchRequest: a cycle
// that starts 500 jobs on one agent costs one RPC, not 500.
//
// A termination the agent did not take (unreachable, timed out) is sent
// again, in order, with a backoff, until it is taken or fails after
// `give_up_after`: a cancel, a preemption's SIGTERM or a new time limit
// must not be lost to a moment's network trouble. (An agent away for
// longer is marked down; its jobs end as NODE_FAIL, and when it registers
// again the controller tells it which to kill.) A message may then arrive
// twice (sent, but the reply lost): a second terminate or time limit
// changes nothing, a signal is sent twice, and the agent ignores one meant
// for an earlier run of the job (TerminateRequest.run_start_time).
//
// Thread-safe. Launch failures and terminates given up are reported through
// the callbacks given at construction, from the link's thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "proto/tatami.grpc.pb.h"

namespace tatami {

class AgentLink {
 public:
  struct Callbacks {
    // A launch the agent did not take: the job must be requeued or failed.
    std::function<void(uint64_t job_id, const std::string& node, const std::string& why)>
        launch_failed;
    // A terminate still not taken after give_up_after: the job may run on
    // until its node is marked down. Optional.
    std::function<void(const v1::TerminateRequest& request, const std::string& why)>
        terminate_given_up;
  };

  struct Retry {
    std::chrono::milliseconds first_backoff{500};
    std::chrono::milliseconds max_backoff{30'000};
    std::chrono::milliseconds give_up_after{10 * 60'000};
  };

  AgentLink(std::string address, Callbacks callbacks, Retry retry);
  // (Not `Retry retry = {}`: g++ 12 cannot use a nested struct's member
  // initializers in a default argument of the enclosing class.)
  AgentLink(std::string address, Callbacks callbacks)
      : AgentLink(std::move(address), std::move(callbacks), Retry{}) {}
  ~AgentLink();

  void Launch(v1::JobLaunch launch);
  void Terminate(v1::TerminateRequest request);
  const std::string& address() const { return address_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct QueuedTerminate {
    v1::TerminateRequest request;
    Clock::time_point queued;
  };

  void Loop();
  void SendLaunches(std::vector<v1::JobLaunch>& launches);
  // Sends them in order, until one fails that is younger than
  // give_up_after; returns it and those behind it.
  std::deque<QueuedTerminate> SendTerminates(std::deque<QueuedTerminate> terminates);

  const std::string address_;
  const Callbacks callbacks_;
  const Retry retry_;
  std::unique_ptr<v1::Agent::Stub> stub_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<v1::JobLaunch> launches_;
  std::deque<QueuedTerminate> terminates_;
  Clock::time_point terminates_due_{};  // after a failure: when to try again
  std::chrono::milliseconds backoff_{0};
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tatami
