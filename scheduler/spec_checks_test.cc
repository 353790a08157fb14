#include "scheduler/spec_checks.h"

#include <gtest/gtest.h>

#include <functional>

namespace tatami {
namespace {

v1::JobSpec Plain() {
  v1::JobSpec spec;
  spec.set_user("alice");
  spec.set_work_dir("/home/alice");
  return spec;
}

// The error of Plain() changed by `change`; "" if it passes.
std::string ErrorOf(const std::function<void(v1::JobSpec&)>& change) {
  v1::JobSpec spec = Plain();
  change(spec);
  Status s = CheckSpecFields(spec);
  return s.ok() ? "" : s.error().message;
}

TEST(SpecChecks, WhatTheCliSendsPasses) {
  EXPECT_EQ(ErrorOf([](v1::JobSpec&) {}), "");
  EXPECT_EQ(ErrorOf([](v1::JobSpec& s) {
              s.set_mem_per_node_mib(-1);  // the whole node
              s.set_warn_signal(10);
              s.set_warn_seconds(65535);
              s.set_open_mode("append");
              s.add_env("A=");
              s.set_nice(-2147483645);
              auto* d = s.add_dependencies();
              d->set_type("afterok");
              d->set_job_id(12);
              s.add_dependencies()->set_type("singleton");
            }),
            "");
}

TEST(SpecChecks, FieldsOutOfRangeAreRefusedByName) {
  EXPECT_EQ(ErrorOf([](v1::JobSpec& s) { s.clear_user(); }),
            "the job names no user (JobSpec.user)");
  EXPECT_EQ(ErrorOf([](v1::JobSpec& s) { s.set_work_dir("tmp"); }),
            "--chdir (work_dir): 'tmp' is not an absolute path");
  EXPECT_EQ(ErrorOf([](v1::JobSpec& s) { s.set_time_limit_ms(-1); }),
            "--time (time_limit_ms): -1 is negative (want 0 for the partition's default, or more)");
  EXPECT_EQ(ErrorOf([](v1::JobSpec& s) { s.set_time_min_ms(-5); }),
            "--time-min (time_min_ms): -5 is negative (want 0 for none, or more)");
  EXPECT_EQ(ErrorOf([](v1::JobSpec& s) { s.set_begin_time(-5); }),
            "--begin (begin_time): -5 is negative (want 0 for at once, or more)");
  EXPECT_EQ(ErrorOf([](v1::JobSpec& s) { s.set_mem_per_node_mib(-2); }),
            "--mem (mem_per_node_mib): -2 is not a size (want MiB, 0 for the partition's default "
            "or -1 for the whole node)");
  EXPECT_EQ(ErrorOf([](v1::JobSpec& s) { s.set_nice(INT32_MAX); }),
            "--nice (nice): 2147483647 is out of range (want -2147483645 to 2147483645)");
  EXPECT_EQ(ErrorOf([](v1::JobSpec& s) { s.set_warn_signal(999); }),
            "--signal (warn_signal): 999 is not a signal (want 1 to 64, or 0: none)");
  EXPECT_EQ(ErrorOf([](v1::JobSpec& s) { s.set_warn_seconds(-10); }),
            "--signal (warn_seconds): -10 is not a number of seconds from 0 to 65535");
  EXPECT_EQ(ErrorOf([](v1::JobSpec& s) { s.set_open_mode("sideways"); }),
            "--open-mode (open_mode): 'sideways' is neither truncate nor append");
  EXPECT_EQ(ErrorOf([](v1::JobSpec& s) { s.add_env("NOEQUALS"); }),
            "--export (env): 'NOEQUALS' is not KEY=VALUE");
  EXPECT_EQ(ErrorOf([](v1::JobSpec& s) { s.add_accelerator_options()->set_speed(2); }),
            "--gpus (accelerator_options[0]): an alternative names no accelerator kind");
}

TEST(SpecChecks, DependenciesMustBeTermsTheParserWouldMake) {
  auto with = [](const char* type, uint64_t id) {
    return ErrorOf([&](v1::JobSpec& s) {
      auto* d = s.add_dependencies();
      d->set_type(type);
      d->set_job_id(id);
    });
  };
  EXPECT_EQ(with("later", 1),
            "--dependency: unknown type 'later' (want after, afterany, afterok, afternotok or "
            "singleton)");
  // Job 0 would name every job that is not an array task.
  EXPECT_EQ(with("afterok", 0), "--dependency: '0' in 'afterok:0' is not a job id");
  EXPECT_EQ(with("afternotok", 7), "");
}

}  // namespace
}  // namespace tatami
