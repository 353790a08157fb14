#include "scheduler/cli/client.h"

#include <cstdlib>
#include <fstream>

#include "base/strings.h"

namespace tatami {

std::string DefaultStateDir() {
  if (const char* d = getenv("TATAMI_STATE_DIR"); d && *d) return d;
  const char* home = getenv("HOME");
  return std::string(home && *home ? home : "/tmp") + "/.local/state/tatami";
}

Result<std::string> FindControllerAddress(const std::string& explicit_address) {
  if (!explicit_address.empty()) return explicit_address;
  if (const char* a = getenv("TATAMI_CONTROLLER"); a && *a) return std::string(a);
  std::string file = DefaultStateDir() + "/controller.addr";
  std::ifstream in(file);
  std::string address;
  if (in >> address && !address.empty()) return address;
  return MakeError(
      "no controller found: start a local cluster with `tatami local up`, or set "
      "TATAMI_CONTROLLER=host:port (looked for " +
      file + ")");
}

Result<ControllerClient> ControllerClient::Connect(const std::string& explicit_address) {
  auto address = FindControllerAddress(explicit_address);
  if (!address) return address.error();
  ControllerClient c;
  c.address_ = *address;
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);  // a queue of 100,000 jobs is a large reply
  c.stub_ = v1::Controller::NewStub(
      grpc::CreateCustomChannel(c.address_, grpc::InsecureChannelCredentials(), args));
  return c;
}

std::unique_ptr<grpc::ClientContext> ControllerClient::Context(int seconds) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (seconds > 0)
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return ctx;
}

Error ControllerClient::Describe(const grpc::Status& s) const {
  if (s.error_code() == grpc::StatusCode::UNAVAILABLE ||
      s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return MakeError("cannot reach the controller at " + address_ + " (" + s.error_message() +
                     "); is the cluster up? (`tatami local up`)");
  }
  return MakeError(s.error_message());
}

}  // namespace tatami
