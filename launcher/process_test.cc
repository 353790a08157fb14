#include "launcher/process.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <future>

#include "launcher/reaper.h"

namespace tatami {
namespace {

TEST(Process, SpawnsInItsOwnSessionAndReportsExitCode) {
  Reaper reaper;
  std::promise<ExitStatus> done;
  auto pid = reaper.SpawnAndWatch(
      [] {
        SpawnOptions o;
        o.argv = {"/bin/sh", "-c", "test \"$(ps -o sid= -p $$ | tr -d ' ')\" = \"$$\" && exit 7"};
        o.env = {"PATH=/usr/bin:/bin"};
        return Spawn(o);
      },
      [&](pid_t, ExitStatus s) { done.set_value(s); });
  ASSERT_TRUE(pid.ok()) << pid.error().message;
  ExitStatus s = done.get_future().get();
  EXPECT_EQ(s.signal, 0);
  EXPECT_EQ(s.exit_code, 7);  // 7 only if it was its own session leader
}

TEST(Process, ReportsTheKillingSignal) {
  Reaper reaper;
  std::promise<ExitStatus> done;
  auto pid = reaper.SpawnAndWatch(
      [] {
        SpawnOptions o;
        o.argv = {"/bin/sh", "-c", "kill -9 $$"};
        return Spawn(o);
      },
      [&](pid_t, ExitStatus s) { done.set_value(s); });
  ASSERT_TRUE(pid.ok());
  EXPECT_EQ(done.get_future().get().signal, 9);
}

TEST(Process, MissingProgramOrDirectoryIsAnError) {
  SpawnOptions o;
  o.argv = {"/nonexistent/program"};
  auto r = Spawn(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("cannot start /nonexistent/program"), std::string::npos);
  o.argv = {"/bin/true"};
  o.cwd = "/nonexistent-dir";
  EXPECT_FALSE(Spawn(o).ok());
  auto f = OpenOutputFile("/nonexistent-dir/out", false);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().message.find("/nonexistent-dir/out"), std::string::npos);
}

}  // namespace
}  // namespace tatami
