#include "scheduler/daemon/agent_link.h"

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace tatami {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::StartsWith;

// An agent that refuses the first `refuse` terminations, as one behind a
// network hiccup does, and records the ones it takes.
class RefusingAgent final : public v1::Agent::Service {
 public:
  explicit RefusingAgent(int refuse) : refuse_(refuse) {}

  grpc::Status Terminate(grpc::ServerContext*, const v1::TerminateRequest* req,
                         v1::TerminateReply*) override {
    std::lock_guard lock(mu_);
    ++calls_;
    if (refuse_ > 0) {
      --refuse_;
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "network hiccup");
    }
    taken_.push_back(req->job_id());
    cv_.notify_all();
    return grpc::Status::OK;
  }

  // The job ids taken, once there are `n` of them (or after 20 s).
  std::vector<uint64_t> AwaitTaken(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(20), [&] { return taken_.size() >= n; });
    return taken_;
  }
  int calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int refuse_;
  int calls_ = 0;
  std::vector<uint64_t> taken_;
};

struct FakeAgentServer {
  explicit FakeAgentServer(int refuse) : agent(refuse) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&agent);
    server = builder.BuildAndStart();
  }
  ~FakeAgentServer() { server->Shutdown(); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port); }

  RefusingAgent agent;
  int port = 0;
  std::unique_ptr<grpc::Server> server;
};

v1::TerminateRequest TerminateJob(uint64_t id) {
  v1::TerminateRequest t;
  t.set_job_id(id);
  t.set_node("n1");
  return t;
}

AgentLink::Callbacks IgnoringFailures() {
  AgentLink::Callbacks c;
  c.launch_failed = [](uint64_t, const std::string&, const std::string&) {};
  return c;
}

AgentLink::Retry FastRetry() {
  AgentLink::Retry r;
  r.first_backoff = milliseconds(1);
  r.max_backoff = milliseconds(4);
  return r;
}

// A cancel refused three times (the agent unreachable for a moment) is
// sent again until the agent takes it, and the ones queued behind it still
// arrive after it: an agent sees a job's messages in the order sent.
TEST(AgentLink, ATerminateTheAgentDidNotTakeIsSentAgainInOrder) {
  FakeAgentServer server(/*refuse=*/3);
  ASSERT_NE(server.port, 0);
  AgentLink link(server.address(), IgnoringFailures(), FastRetry());
  link.Terminate(TerminateJob(1));
  link.Terminate(TerminateJob(2));
  link.Terminate(TerminateJob(3));
  EXPECT_EQ(server.agent.AwaitTaken(3), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(server.agent.calls(), 6);
}

// One that fails after give_up_after is dropped, not sent for ever, and
// reported (tatamid counts it in tatami_agent_terminates_given_up_total):
// with a limit of zero, a refused terminate is never sent again, and the
// next one queued is the next the agent sees.
TEST(AgentLink, ATerminateIsGivenUpAfterItsLimitAndReported) {
  FakeAgentServer server(/*refuse=*/1);
  AgentLink::Retry retry = FastRetry();
  retry.give_up_after = milliseconds(0);
  std::mutex mu;
  std::vector<std::string> given_up;
  AgentLink::Callbacks callbacks = IgnoringFailures();
  callbacks.terminate_given_up = [&](const v1::TerminateRequest& r, const std::string& why) {
    std::lock_guard lock(mu);
    given_up.push_back(std::to_string(r.job_id()) + ": " + why);
  };
  AgentLink link(server.address(), callbacks, retry);
  link.Terminate(TerminateJob(1));
  link.Terminate(TerminateJob(2));
  EXPECT_EQ(server.agent.AwaitTaken(1), (std::vector<uint64_t>{2}));
  EXPECT_EQ(server.agent.calls(), 2);
  std::lock_guard lock(mu);  // reported before job 2 was sent
  EXPECT_THAT(given_up, ElementsAre(StartsWith("1: agent " + server.address() + " unreachable")));
}

}  // namespace
}  // namespace tatami
