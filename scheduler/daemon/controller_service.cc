#include "scheduler/daemon/controller_service.h"

#include <chrono>

namespace tatami {
namespace {

grpc::Status Invalid(const Error& e) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, e.message);
}

}  // namespace

template <typename F>
grpc::Status ControllerService::Timed(const char* method, F handle) {
  auto begin = std::chrono::steady_clock::now();
  grpc::Status status = handle();
  c_.metrics().ObserveRpc(
      method, std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count(),
      status.ok());
  return status;
}

grpc::Status ControllerService::Submit(grpc::ServerContext*, const v1::SubmitRequest* req,
                                       v1::SubmitReply* reply) {
  return Timed("Submit", [&] {
    auto r = c_.Submit(req->spec());
    if (!r) return Invalid(r.error());
    *reply = std::move(r).value();
    return grpc::Status::OK;
  });
}

grpc::Status ControllerService::ListJobs(grpc::ServerContext*, const v1::ListJobsRequest* req,
                                         v1::ListJobsReply* reply) {
  return Timed("ListJobs", [&] {
    *reply = c_.ListJobs(*req);
    return grpc::Status::OK;
  });
}

grpc::Status ControllerService::Cancel(grpc::ServerContext*, const v1::CancelRequest* req,
                                       v1::CancelReply* reply) {
  return Timed("Cancel", [&] {
    *reply = c_.Cancel(*req);
    return grpc::Status::OK;
  });
}

grpc::Status ControllerService::UpdateJobs(grpc::ServerContext*, const v1::UpdateJobsRequest* req,
                                           v1::UpdateJobsReply* reply) {
  return Timed("UpdateJobs", [&] {
    *reply = c_.UpdateJobs(*req);
    return grpc::Status::OK;
  });
}

grpc::Status ControllerService::UpdateNodes(grpc::ServerContext*, const v1::UpdateNodesRequest* req,
                                            v1::UpdateNodesReply* reply) {
  return Timed("UpdateNodes", [&] {
    *reply = c_.UpdateNodes(*req);
    return grpc::Status::OK;
  });
}

grpc::Status ControllerService::ClusterInfo(grpc::ServerContext*, const v1::ClusterInfoRequest*,
                                            v1::ClusterInfoReply* reply) {
  return Timed("ClusterInfo", [&] {
    *reply = c_.ClusterInfo();
    return grpc::Status::OK;
  });
}

grpc::Status ControllerService::Acct(grpc::ServerContext*, const v1::AcctRequest* req,
                                     v1::AcctReply* reply) {
  return Timed("Acct", [&] {
    auto r = c_.Acct(*req);
    if (!r) return grpc::Status(grpc::StatusCode::INTERNAL, r.error().message);
    *reply = std::move(r).value();
    return grpc::Status::OK;
  });
}

grpc::Status ControllerService::Report(grpc::ServerContext*, const v1::ReportRequest* req,
                                       v1::ReportReply* reply) {
  return Timed("Report", [&] {
    auto r = c_.Report(*req);
    if (!r) return Invalid(r.error());
    *reply = std::move(r).value();
    return grpc::Status::OK;
  });
}

grpc::Status ControllerService::Shares(grpc::ServerContext*, const v1::SharesRequest* req,
                                       v1::SharesReply* reply) {
  return Timed("Shares", [&] {
    auto r = c_.Shares(*req);
    if (!r) return Invalid(r.error());
    *reply = std::move(r).value();
    return grpc::Status::OK;
  });
}

grpc::Status ControllerService::Qos(grpc::ServerContext*, const v1::QosRequest* req,
                                    v1::QosReply* reply) {
  return Timed("Qos", [&] {
    *reply = c_.Qos(*req);
    return grpc::Status::OK;
  });
}

grpc::Status ControllerService::Wait(grpc::ServerContext*, const v1::WaitRequest* req,
                                     v1::WaitReply* reply) {
  // Not timed: a wait lasts as long as the jobs do, which says nothing
  // about the controller's health.
  *reply = c_.Wait(*req);
  return grpc::Status::OK;
}

grpc::Status ControllerService::RegisterNode(grpc::ServerContext*,
                                             const v1::RegisterNodeRequest* req,
                                             v1::RegisterNodeReply* reply) {
  return Timed("RegisterNode", [&] {
    *reply = c_.RegisterNode(*req);
    return grpc::Status::OK;
  });
}

grpc::Status ControllerService::Heartbeat(grpc::ServerContext*, const v1::HeartbeatRequest* req,
                                          v1::HeartbeatReply* reply) {
  return Timed("Heartbeat", [&] {
    *reply = c_.Heartbeat(*req);
    return grpc::Status::OK;
  });
}

grpc::Status ControllerService::ReportJobs(grpc::ServerContext*, const v1::ReportJobsRequest* req,
                                           v1::ReportJobsReply*) {
  return Timed("ReportJobs", [&] {
    Status s = c_.ReportJobs(*req);
    if (!s.ok()) return grpc::Status(grpc::StatusCode::UNAVAILABLE, s.error().message);
    return grpc::Status::OK;
  });
}

}  // namespace tatami
