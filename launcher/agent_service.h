// gRPC front of the Agent. Exec streams a command's output back to
// tatami-rsh (which is how mpirun's orted runs on this node).
#pragma once

#include "launcher/agent.h"
#include "proto/tatami.grpc.pb.h"

namespace tatami {

class AgentService final : public v1::Agent::Service {
 public:
  explicit AgentService(Agent& agent) : agent_(agent) {}
  grpc::Status Launch(grpc::ServerContext*, const v1::LaunchRequest*, v1::LaunchReply*) override;
  grpc::Status Terminate(grpc::ServerContext*, const v1::TerminateRequest*,
                         v1::TerminateReply*) override;
  grpc::Status Exec(grpc::ServerContext*, const v1::ExecRequest*,
                    grpc::ServerWriter<v1::ExecChunk>*) override;

 private:
  Agent& agent_;
};

}  // namespace tatami
