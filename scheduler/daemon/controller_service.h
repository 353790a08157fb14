// gRPC front of the Controller: translates RPCs to Controller calls and
// Results to grpc::Status, and times each (tatami_rpc_duration_seconds).
// No logic of its own.
#pragma once

#include "proto/tatami.grpc.pb.h"
#include "scheduler/daemon/controller.h"

namespace tatami {

class ControllerService final : public v1::Controller::Service {
 public:
  explicit ControllerService(Controller& controller) : c_(controller) {}

  grpc::Status Submit(grpc::ServerContext*, const v1::SubmitRequest*, v1::SubmitReply*) override;
  grpc::Status ListJobs(grpc::ServerContext*, const v1::ListJobsRequest*,
                        v1::ListJobsReply*) override;
  grpc::Status Cancel(grpc::ServerContext*, const v1::CancelRequest*, v1::CancelReply*) override;
  grpc::Status UpdateJobs(grpc::ServerContext*, const v1::UpdateJobsRequest*,
                          v1::UpdateJobsReply*) override;
  grpc::Status UpdateNodes(grpc::ServerContext*, const v1::UpdateNodesRequest*,
                           v1::UpdateNodesReply*) override;
  grpc::Status ClusterInfo(grpc::ServerContext*, const v1::ClusterInfoRequest*,
                           v1::ClusterInfoReply*) override;
  grpc::Status Acct(grpc::ServerContext*, const v1::AcctRequest*, v1::AcctReply*) override;
  grpc::Status Wait(grpc::ServerContext*, const v1::WaitRequest*, v1::WaitReply*) override;
  grpc::Status Report(grpc::ServerContext*, const v1::ReportRequest*, v1::ReportReply*) override;
  grpc::Status Shares(grpc::ServerContext*, const v1::SharesRequest*, v1::SharesReply*) override;
  grpc::Status Qos(grpc::ServerContext*, const v1::QosRequest*, v1::QosReply*) override;
  grpc::Status RegisterNode(grpc::ServerContext*, const v1::RegisterNodeRequest*,
                            v1::RegisterNodeReply*) override;
  grpc::Status Heartbeat(grpc::ServerContext*, const v1::HeartbeatRequest*,
                         v1::HeartbeatReply*) override;
  grpc::Status ReportJobs(grpc::ServerContext*, const v1::ReportJobsRequest*,
                          v1::ReportJobsReply*) override;

 private:
  template <typename F>
  grpc::Status Timed(const char* method, F handle);

  Controller& c_;
};

}  // namespace tatami
