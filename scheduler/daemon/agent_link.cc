#include "scheduler/daemon/agent_link.h"

#include <grpcpp/grpcpp.h>

#include <chrono>

#include "proto/daemon_channel.h"

namespace tatami {
namespace {

constexpr size_t kMaxRequestBytes = 1 << 20;

}  // namespace

AgentLink::AgentLink(std::string address, LaunchFailed on_failure)
    : address_(std::move(address)), on_failure_(std::move(on_failure)) {
  stub_ = v1::Agent::NewStub(DaemonChannel(address_));
  thread_ = std::thread([this] { Loop(); });
}

AgentLink::~AgentLink() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void AgentLink::Launch(v1::JobLaunch launch) {
  {
    std::lock_guard lock(mu_);
    launches_.push_back(std::move(launch));
  }
  cv_.notify_one();
}

void AgentLink::Terminate(v1::TerminateRequest request) {
  {
    std::lock_guard lock(mu_);
    terminates_.push_back(std::move(request));
  }
  cv_.notify_one();
}

void AgentLink::Loop() {
  while (true) {
    std::vector<v1::JobLaunch> launches;
    std::deque<v1::TerminateRequest> terminates;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !launches_.empty() || !terminates_.empty(); });
      if (stopping_) return;
      launches.swap(launches_);
      terminates.swap(terminates_);
    }
    // One request per ~1 MB of launches: a 2,000-task array started in one
    // cycle must not exceed any message size limit.
    size_t next = 0;
    while (next < launches.size()) {
      v1::LaunchRequest req;
      size_t bytes = 0;
      while (next < launches.size() && (req.launches_size() == 0 || bytes < kMaxRequestBytes)) {
        bytes += launches[next].ByteSizeLong();
        *req.add_launches() = std::move(launches[next++]);
      }
      v1::LaunchReply reply;
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
      grpc::Status s = stub_->Launch(&ctx, req, &reply);
      if (!s.ok()) {
        for (const auto& l : req.launches()) {
          on_failure_(l.job().job_id(), l.node(),
                      "agent " + address_ + " unreachable: " + s.error_message());
        }
      }
    }
    for (const auto& t : terminates) {
      v1::TerminateReply reply;
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      // A node that is gone cannot run the job any more; nothing to retry.
      (void)stub_->Terminate(&ctx, t, &reply);
    }
  }
}

}  // namespace tatami
