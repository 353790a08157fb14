// The gRPC channel one daemon keeps open to another: an agent's to the
// controller, and the controller's to each agent.
//
// gRPC's default reconnect backoff grows to two minutes. Between daemons
// that is wrong: an agent that tried to reach a controller restarting after
// a crash would not look again for longer than the controller's node_timeout,
// and the restarted controller would declare the node dead and fail the jobs
// running there. These channels retry at least once a second instead; a
// connection attempt to one peer costs nothing worth saving.
//
// Thread-safe: a channel may be shared by any number of stubs and threads.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace tatami {

// How long a daemon channel waits, at most, before it tries to connect again.
inline constexpr int kDaemonReconnectBackoffMaxMs = 1000;

std::shared_ptr<grpc::Channel> DaemonChannel(const std::string& address);

}  // namespace tatami
