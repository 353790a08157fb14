// How the CLI finds and talks to the controller.
//
// Address, first found wins: --controller, $TATAMI_CONTROLLER (set inside
// every job), the controller.addr file in $TATAMI_STATE_DIR, then in the
// default state dir that `tatami local up` uses.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "base/result.h"
#include "proto/tatami.grpc.pb.h"

namespace tatami {

// $TATAMI_STATE_DIR, else $HOME/.local/state/tatami.
std::string DefaultStateDir();

Result<std::string> FindControllerAddress(const std::string& explicit_address);

class ControllerClient {
 public:
  static Result<ControllerClient> Connect(const std::string& explicit_address);
  v1::Controller::Stub& stub() { return *stub_; }
  const std::string& address() const { return address_; }
  // A context with a deadline (seconds; 0 = none).
  static std::unique_ptr<grpc::ClientContext> Context(int seconds = 30);
  // "cannot reach the controller at ...", or the controller's own message.
  Error Describe(const grpc::Status& s) const;

  // Connects (Connect("")) and makes one call: what most commands need.
  // Errors: the connection's, or the call's as Describe words them.
  template <class Request, class Reply>
  static Status CallOnce(grpc::Status (v1::Controller::Stub::*method)(grpc::ClientContext*,
                                                                      const Request&, Reply*),
                         const Request& request, Reply* reply, int timeout_seconds = 30) {
    auto client = Connect("");
    if (!client) return client.error();
    return client->Call(method, request, reply, timeout_seconds);
  }

  // One RPC with a deadline (seconds; 0 = none); errors as Describe words them.
  template <class Request, class Reply>
  Status Call(grpc::Status (v1::Controller::Stub::*method)(grpc::ClientContext*, const Request&,
                                                           Reply*),
              const Request& request, Reply* reply, int timeout_seconds = 30) {
    auto ctx = Context(timeout_seconds);
    grpc::Status s = ((*stub_).*method)(ctx.get(), request, reply);
    if (!s.ok()) return Describe(s);
    return {};
  }

 private:
  std::string address_;
  std::shared_ptr<v1::Controller::Stub> stub_;
};

}  // namespace tatami
