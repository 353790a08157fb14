// tatami-rsh: what Open MPI's rsh launcher calls instead of ssh inside a
// Tatami job (OMPI_MCA_plm_rsh_agent).
//
//   tatami-rsh NODE COMMAND [ARGS...]
//
// Like ssh, joins COMMAND and ARGS into one shell command and runs it on
// NODE, there through NODE's tatami-agent, inside the job (same environment,
// same cleanup). Relays its stdout/stderr and exits with its exit code.
// Needs SLURM_JOB_ID and TATAMI_NODE_ADDRESSES, which every job has.
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "base/files.h"
#include "launcher/node_addresses.h"
#include "proto/tatami.grpc.pb.h"

namespace {

grpc::ClientContext* g_context = nullptr;

void OnSignal(int) {
  if (g_context) g_context->TryCancel();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: tatami-rsh NODE COMMAND [ARGS...]\n");
    return 255;
  }
  std::string node = argv[1];
  const char* job = getenv("SLURM_JOB_ID");
  const char* addresses = getenv("TATAMI_NODE_ADDRESSES");
  if (!job || !addresses) {
    fprintf(stderr,
            "tatami-rsh: not inside a Tatami job (SLURM_JOB_ID or TATAMI_NODE_ADDRESSES unset)\n");
    return 255;
  }
  std::map<std::string, std::string> address_of = tatami::ParseNodeAddresses(addresses);
  std::string address = address_of.count(node) ? address_of[node] : "";
  if (address.empty()) {
    fprintf(stderr, "tatami-rsh: node %s is not part of job %s (its nodes: %s)\n", node.c_str(),
            job, addresses);
    return 255;
  }
  std::string command;
  for (int i = 2; i < argc; ++i) {
    if (i > 2) command += ' ';
    command += argv[i];
  }
  tatami::v1::ExecRequest req;
  req.set_job_id(std::strtoull(job, nullptr, 10));
  req.set_node(node);
  req.add_argv("/bin/sh");
  req.add_argv("-c");
  req.add_argv(command);

  auto stub =
      tatami::v1::Agent::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  g_context = &ctx;
  signal(SIGTERM, OnSignal);
  signal(SIGINT, OnSignal);
  signal(SIGHUP, OnSignal);
  auto reader = stub->Exec(&ctx, req);
  tatami::v1::ExecChunk chunk;
  int code = 255;
  while (reader->Read(&chunk)) {
    if (!chunk.stdout().empty()) tatami::WriteAll(1, chunk.stdout());
    if (!chunk.stderr().empty()) tatami::WriteAll(2, chunk.stderr());
    if (!chunk.error().empty())
      fprintf(stderr, "tatami-rsh: %s: %s\n", node.c_str(), chunk.error().c_str());
    if (chunk.exited()) code = chunk.exit_code();
  }
  grpc::Status s = reader->Finish();
  if (!s.ok()) {
    fprintf(stderr, "tatami-rsh: %s (%s): %s\n", node.c_str(), address.c_str(),
            s.error_message().c_str());
    return 255;
  }
  return code;
}
