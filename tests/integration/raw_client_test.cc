// Requests from a client that is not our CLI, straight over gRPC: fields
// set as the CLI never sets them (its parsers refuse such input first).
// tatamid trusts no client's checks (Slurm's daemons learned that late):
// each request is refused with a reason that names the field and what was
// wanted, nothing refused is kept, and the daemon goes on running jobs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <functional>

#include "base/strings.h"
#include "scheduler/cli/client.h"
#include "tests/integration/cluster_fixture.h"

namespace tatami::testing {
namespace {

using ::testing::HasSubstr;

// A spec with one field set as the CLI never would, and (a part of) the
// error tatamid must answer with.
struct Case {
  std::function<void(v1::JobSpec&)> change;
  std::string refusal;
};

void AskFor(v1::JobSpec& s, const char* kind, uint32_t total) {
  s.mutable_accelerators()->set_kind(kind);
  s.mutable_accelerators()->set_total(total);
}

v1::AcceleratorOption& Accept(v1::JobSpec& s, const char* kind, double speed) {
  v1::AcceleratorOption& o = *s.add_accelerator_options();
  o.mutable_accelerators()->set_kind(kind);
  o.mutable_accelerators()->set_total(1);
  o.set_speed(speed);
  return o;
}

TEST_F(ClusterTest, RawRequestsAreRefusedWithAReasonAndTheDaemonGoesOn) {
  auto client = ControllerClient::Connect(cluster_.Value("cat $TATAMI_STATE_DIR/controller.addr"));
  ASSERT_TRUE(client.ok()) << client.error().message;
  v1::JobSpec plain;
  plain.set_user("root");
  plain.set_script("#!/bin/sh\ntrue\n");
  plain.set_work_dir(cluster_.dir());
  plain.set_stdout_pattern("/dev/null");
  plain.set_hold(true);
  const std::vector<Case> cases = {
      // An alternative in a partition that does not exist: this one crashed tatamid.
      {[](v1::JobSpec& s) {
         AskFor(s, "h100", 1);
         Accept(s, "d1", 1.3).set_partition("nowhere");
       },
       "alternative d1:1: partition 'nowhere' is not one the job may use (h100,dojo,hw4) that "
       "has d1"},
      {[](v1::JobSpec& s) {
         AskFor(s, "h100", 1);
         Accept(s, "d1", std::nan(""));
       },
       "alternative d1:1: a speed is a number above 0 and at most 1000, not nan"},
      {[](v1::JobSpec& s) { s.add_accelerator_options()->set_speed(2); },
       "--gpus (accelerator_options[0]): an alternative names no accelerator kind"},
      {[](v1::JobSpec& s) { s.clear_user(); }, "the job names no user (JobSpec.user)"},
      {[](v1::JobSpec& s) { s.set_work_dir("relative"); },
       "--chdir (work_dir): 'relative' is not an absolute path"},
      {[](v1::JobSpec& s) { s.set_time_limit_ms(-1000); },
       "--time (time_limit_ms): -1000 is negative"},
      {[](v1::JobSpec& s) { s.set_time_limit_ms(INT64_MAX); }, "exceeds partition h100's limit"},
      {[](v1::JobSpec& s) { s.set_mem_per_node_mib(-5); }, "--mem (mem_per_node_mib): -5 is not"},
      {[](v1::JobSpec& s) { s.set_warn_signal(999); }, "--signal (warn_signal): 999 is not"},
      {[](v1::JobSpec& s) { s.set_open_mode("sideways"); }, "--open-mode (open_mode)"},
      {[](v1::JobSpec& s) { s.add_env("NOEQUALS"); }, "--export (env): 'NOEQUALS'"},
      {[](v1::JobSpec& s) { s.set_nice(INT32_MAX); }, "--nice (nice): 2147483647 is out of range"},
      {[](v1::JobSpec& s) {
         v1::Dependency& d = *s.add_dependencies();
         d.set_type("afterok");  // job 0 would name every job that is not an array task
       },
       "--dependency: '0' in 'afterok:0' is not a job id"},
      {[](v1::JobSpec& s) {
         v1::Dependency& d = *s.add_dependencies();
         d.set_type("later");
         d.set_job_id(1);
       },
       "--dependency: unknown type 'later'"},
      {[](v1::JobSpec& s) { s.set_ntasks(UINT32_MAX); }, "impossible request: "},
      {[](v1::JobSpec& s) { s.set_nodes(UINT32_MAX); }, "impossible request: "},
      {[](v1::JobSpec& s) { AskFor(s, "gpu", UINT32_MAX); }, "impossible request: "},
      {[](v1::JobSpec& s) { s.set_array("0-4294967295"); }, "--array: index 4294967295"},
      // 10^12 names: refused, not expanded until memory runs out.
      {[](v1::JobSpec& s) { s.set_nodelist("n[0-999999]x[0-999999]"); },
       "names more than 1000000 hosts"},
  };
  for (const Case& c : cases) {
    v1::SubmitRequest req;
    *req.mutable_spec() = plain;
    c.change(*req.mutable_spec());
    v1::SubmitReply reply;
    Status s = client->Call(&v1::Controller::Stub::Submit, req, &reply);
    ASSERT_FALSE(s.ok()) << "accepted as job " << reply.job_id() << "; wanted: " << c.refusal;
    EXPECT_THAT(s.error().message, HasSubstr(c.refusal));
  }

  // The same through tatami update, on a job the CLI submitted.
  std::string job = Submit("-H --gpus=h100:1 --wrap=true");
  auto update = [&](const std::function<void(v1::UpdateJobsRequest&)>& change) {
    v1::UpdateJobsRequest req;
    req.add_job_ids(job);
    req.set_requester("root");
    change(req);
    v1::UpdateJobsReply reply;
    Status s = client->Call(&v1::Controller::Stub::UpdateJobs, req, &reply);
    if (!s.ok()) return s.error().message;
    return Join({reply.errors().begin(), reply.errors().end()}, "; ");
  };
  EXPECT_EQ(update([](v1::UpdateJobsRequest& r) { r.set_time_limit_ms(-5); }),
            "Job " + job +
                ": --time (time_limit_ms): -5 is negative (want 0 for the partition's "
                "default, or more)");
  EXPECT_EQ(update([](v1::UpdateJobsRequest& r) {
              v1::AcceleratorChange& c = *r.mutable_accelerators();
              c.mutable_request()->set_kind("h100");
              c.mutable_request()->set_total(1);
              v1::AcceleratorOption& o = *c.add_options();
              o.mutable_accelerators()->set_kind("d1");
              o.mutable_accelerators()->set_total(1);
              o.set_speed(1.3);
              o.set_partition("nowhere");
            }),
            "Job " + job +
                ": alternative d1:1: partition 'nowhere' is not one the job may use "
                "(h100,dojo,hw4) that has d1");
  EXPECT_EQ(cluster_.Value("squeue -h -o '%P %b %l' -j " + job), "h100 gres/gpu:h100:1 1-00:00:00");

  // scancel's array task lists, as no CLI parses them first.
  auto cancel = [&](const std::string& ids) {
    v1::CancelRequest req;
    req.add_job_ids(ids);
    req.set_requester("root");
    v1::CancelReply reply;
    Status s = client->Call(&v1::Controller::Stub::Cancel, req, &reply);
    if (!s.ok()) return s.error().message;
    return Join({reply.errors().begin(), reply.errors().end()}, "; ");
  };
  EXPECT_EQ(cancel(job + "_"), "invalid array task list in " + job + "_");
  EXPECT_EQ(cancel(job + "_[0-999999]"), "Invalid job id specified: " + job + "_[0-999999]");

  // Nothing refused was kept, and the daemon runs jobs as before.
  EXPECT_EQ(cluster_.Value("squeue -h -t all -o %i"), job);
  ASSERT_EQ(cluster_.Run("tatami release " + job).exit_code, 0);
  EXPECT_EQ(Wait(job), 0);
}

}  // namespace
}  // namespace tatami::testing
