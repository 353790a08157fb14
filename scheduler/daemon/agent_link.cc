#include "scheduler/daemon/agent_link.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>

#include "proto/daemon_channel.h"

namespace tatami {
namespace {

constexpr size_t kMaxRequestBytes = 1 << 20;

}  // namespace

AgentLink::AgentLink(std::string address, Callbacks callbacks, Retry retry)
    : address_(std::move(address)), callbacks_(std::move(callbacks)), retry_(retry) {
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
    terminates_.push_back({std::move(request), Clock::now()});
  }
  cv_.notify_one();
}

void AgentLink::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    auto work = [&] {
      return stopping_ || !launches_.empty() ||
             (!terminates_.empty() && Clock::now() >= terminates_due_);
    };
    if (terminates_.empty()) {
      cv_.wait(lock, work);
    } else {
      cv_.wait_until(lock, terminates_due_, work);
    }
    if (stopping_) return;
    std::vector<v1::JobLaunch> launches;
    launches.swap(launches_);
    std::deque<QueuedTerminate> terminates;
    if (Clock::now() >= terminates_due_) terminates.swap(terminates_);
    bool sends_terminates = !terminates.empty();
    lock.unlock();
    SendLaunches(launches);
    std::deque<QueuedTerminate> failed = SendTerminates(std::move(terminates));
    lock.lock();
    if (failed.empty()) {
      if (sends_terminates) backoff_ = std::chrono::milliseconds(0);
      continue;
    }
    // Before any queued since: an agent sees a job's messages in order.
    terminates_.insert(terminates_.begin(), std::make_move_iterator(failed.begin()),
                       std::make_move_iterator(failed.end()));
    backoff_ = std::clamp(backoff_ * 2, retry_.first_backoff, retry_.max_backoff);
    terminates_due_ = Clock::now() + backoff_;
  }
}

void AgentLink::SendLaunches(std::vector<v1::JobLaunch>& launches) {
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
        callbacks_.launch_failed(l.job().job_id(), l.node(),
                                 "agent " + address_ + " unreachable: " + s.error_message());
      }
    }
  }
}

std::deque<AgentLink::QueuedTerminate> AgentLink::SendTerminates(
    std::deque<QueuedTerminate> terminates) {
  while (!terminates.empty()) {
    QueuedTerminate& t = terminates.front();
    v1::TerminateReply reply;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Status s = stub_->Terminate(&ctx, t.request, &reply);
    if (!s.ok() && Clock::now() - t.queued < retry_.give_up_after) break;
    if (!s.ok() && callbacks_.terminate_given_up) {
      callbacks_.terminate_given_up(t.request,
                                    "agent " + address_ + " unreachable: " + s.error_message());
    }
    terminates.pop_front();
  }
  return terminates;
}

}  // namespace tatami
