#include "launcher/agent_service.h"

#include <poll.h>
#include <unistd.h>

namespace tatami {

grpc::Status AgentService::Launch(grpc::ServerContext*, const v1::LaunchRequest* req,
                                  v1::LaunchReply* reply) {
  for (auto& e : agent_.Launch(*req)) reply->add_errors(std::move(e));
  return grpc::Status::OK;
}

grpc::Status AgentService::Terminate(grpc::ServerContext*, const v1::TerminateRequest* req,
                                     v1::TerminateReply*) {
  agent_.Terminate(*req);
  return grpc::Status::OK;
}

grpc::Status AgentService::Exec(grpc::ServerContext* ctx, const v1::ExecRequest* req,
                                grpc::ServerWriter<v1::ExecChunk>* writer) {
  auto proc = agent_.StartExec(*req, /*wait_ms=*/10000);
  if (!proc) {
    v1::ExecChunk chunk;
    chunk.set_exited(true);
    chunk.set_exit_code(127);
    chunk.set_error(proc.error().message);
    writer->Write(chunk);
    return grpc::Status::OK;
  }
  pollfd fds[2] = {{proc->stdout_fd, POLLIN, 0}, {proc->stderr_fd, POLLIN, 0}};
  int open_fds = 2;
  char buf[16384];
  while (open_fds > 0) {
    if (ctx->IsCancelled()) {
      // tatami-rsh went away (mpirun is tearing down): the command goes too.
      agent_.KillExec(proc->pid);
      break;
    }
    if (poll(fds, 2, 200) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      v1::ExecChunk chunk;
      (i == 0 ? chunk.mutable_stdout() : chunk.mutable_stderr())
          ->assign(buf, static_cast<size_t>(n));
      writer->Write(chunk);
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  std::unique_lock lock(proc->exit->mu);
  proc->exit->cv.wait(lock, [&] { return proc->exit->done; });
  v1::ExecChunk last;
  last.set_exited(true);
  const ExitStatus& st = proc->exit->status;
  last.set_exit_code(st.signal ? 128 + st.signal : st.exit_code);
  writer->Write(last);
  return grpc::Status::OK;
}

}  // namespace tatami
