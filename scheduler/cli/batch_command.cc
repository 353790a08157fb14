// tatami batch / sbatch.
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "base/files.h"
#include "scheduler/cli/batch_options.h"
#include "scheduler/cli/client.h"
#include "scheduler/cli/commands.h"
#include "scheduler/cli/job_fields.h"

extern char** environ;

namespace tatami {
namespace {

BatchContext CurrentContext() {
  BatchContext ctx;
  for (char** e = environ; *e; ++e) ctx.environ.emplace_back(*e);
  ctx.uid = getuid();
  ctx.gid = getgid();
  if (passwd* pw = getpwuid(ctx.uid)) ctx.user = pw->pw_name;
  if (ctx.user.empty()) ctx.user = std::to_string(ctx.uid);
  char buf[PATH_MAX] = {};
  if (getcwd(buf, sizeof buf)) ctx.cwd = buf;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  ctx.host = host;
  ctx.now = SystemClock::Get().Now();
  return ctx;
}

Result<std::string> ReadScript(const std::string& path) {
  if (path == "-") {
    std::stringstream ss;
    ss << std::cin.rdbuf();
    return ss.str();
  }
  return ReadFileContents(path, "the batch script");
}

}  // namespace

int RunBatch(const std::string& prog, const Args& args) {
  if (std::find(args.begin(), args.end(), "--help") != args.end() ||
      std::find(args.begin(), args.end(), "-h") != args.end()) {
    fputs(BatchHelp().c_str(), stdout);
    return 0;
  }
  auto req = ParseBatch(args, CurrentContext(), ReadScript);
  if (!req) return Fail(prog, req.error().message);
  for (const auto& w : req->warnings) fprintf(stderr, "%s: warning: %s\n", prog.c_str(), w.c_str());
  auto client = ControllerClient::Connect("");
  if (!client) return Fail(prog, client.error().message);

  v1::SubmitRequest submit;
  *submit.mutable_spec() = req->spec;
  v1::SubmitReply reply;
  if (Status s = client->Call(&v1::Controller::Stub::Submit, submit, &reply); !s.ok()) {
    return Fail(prog, "Batch job submission failed: " + s.error().message);
  }
  if (req->parsable) {
    printf("%llu\n", static_cast<unsigned long long>(reply.job_id()));
  } else if (!req->quiet) {
    printf("Submitted batch job %llu\n", static_cast<unsigned long long>(reply.job_id()));
  }
  fflush(stdout);
  if (!req->wait) return 0;

  v1::WaitRequest wait;
  wait.add_job_ids(reply.job_id());
  wait.set_requester(req->spec.user());
  v1::WaitReply done;
  if (Status s = client->Call(&v1::Controller::Stub::Wait, wait, &done, 0); !s.ok()) {
    return Fail(prog,
                "waiting for job " + std::to_string(reply.job_id()) + ": " + s.error().message);
  }
  // Only a requester the controller does not know as the job's owner gets
  // no job back (private_data); say so rather than exit 0 at once.
  if (done.jobs().empty())
    return Fail(prog, "waiting for job " + std::to_string(reply.job_id()) + ": no such job");
  return WaitExitStatus(done);
}

}  // namespace tatami
