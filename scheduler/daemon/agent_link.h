// The controller's connection to one tatami-agent.
//
// Launches and terminations are queued and sent by the link's own thread, so
// the controller never waits on the network while it holds its lock. Every
// launch queued since the last send goes out in one LaunchRequest: a cycle
// that starts 500 jobs on one agent costs one RPC, not 500.
//
// Thread-safe. Failures are reported through the callback given at
// construction (from the link's thread).
#pragma once

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
  using LaunchFailed =
      std::function<void(uint64_t job_id, const std::string& node, const std::string& why)>;

  AgentLink(std::string address, LaunchFailed on_failure);
  ~AgentLink();

  void Launch(v1::JobLaunch launch);
  void Terminate(v1::TerminateRequest request);
  const std::string& address() const { return address_; }

 private:
  void Loop();

  const std::string address_;
  const LaunchFailed on_failure_;
  std::unique_ptr<v1::Agent::Stub> stub_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<v1::JobLaunch> launches_;
  std::deque<v1::TerminateRequest> terminates_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tatami
