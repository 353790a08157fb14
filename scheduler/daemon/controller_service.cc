#include "scheduler/daemon/controller_service.h"

namespace tatami {
namespace {

grpc::Status Invalid(const Error& e) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, e.message);
}

}  // namespace

grpc::Status ControllerService::Submit(grpc::ServerContext*, const v1::SubmitRequest* req,
                                       v1::SubmitReply* reply) {
  auto r = c_.Submit(req->spec());
  if (!r) return Invalid(r.error());
  *reply = std::move(r).value();
  return grpc::Status::OK;
}

grpc::Status ControllerService::ListJobs(grpc::ServerContext*, const v1::ListJobsRequest* req,
                                         v1::ListJobsReply* reply) {
  *reply = c_.ListJobs(*req);
  return grpc::Status::OK;
}

grpc::Status ControllerService::Cancel(grpc::ServerContext*, const v1::CancelRequest* req,
                                       v1::CancelReply* reply) {
  *reply = c_.Cancel(*req);
  return grpc::Status::OK;
}

grpc::Status ControllerService::ClusterInfo(grpc::ServerContext*, const v1::ClusterInfoRequest*,
                                            v1::ClusterInfoReply* reply) {
  *reply = c_.ClusterInfo();
  return grpc::Status::OK;
}

grpc::Status ControllerService::Acct(grpc::ServerContext*, const v1::AcctRequest* req,
                                     v1::AcctReply* reply) {
  auto r = c_.Acct(*req);
  if (!r) return grpc::Status(grpc::StatusCode::INTERNAL, r.error().message);
  *reply = std::move(r).value();
  return grpc::Status::OK;
}

grpc::Status ControllerService::Wait(grpc::ServerContext*, const v1::WaitRequest* req,
                                     v1::WaitReply* reply) {
  *reply = c_.Wait(*req);
  return grpc::Status::OK;
}

grpc::Status ControllerService::RegisterNode(grpc::ServerContext*,
                                             const v1::RegisterNodeRequest* req,
                                             v1::RegisterNodeReply* reply) {
  *reply = c_.RegisterNode(*req);
  return grpc::Status::OK;
}

grpc::Status ControllerService::Heartbeat(grpc::ServerContext*, const v1::HeartbeatRequest* req,
                                          v1::HeartbeatReply* reply) {
  *reply = c_.Heartbeat(*req);
  return grpc::Status::OK;
}

grpc::Status ControllerService::ReportJobs(grpc::ServerContext*, const v1::ReportJobsRequest* req,
                                           v1::ReportJobsReply*) {
  Status s = c_.ReportJobs(*req);
  if (!s.ok()) return grpc::Status(grpc::StatusCode::UNAVAILABLE, s.error().message);
  return grpc::Status::OK;
}

}  // namespace tatami
