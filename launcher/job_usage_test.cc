#include "launcher/job_usage.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace tatami {
namespace {

TEST(ParseProcStat, ReadsSessionCpuAndRssAfterACommandWithSpacesAndParens) {
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
  // utime stime cutime cstime priority nice threads itrealvalue starttime vsize rss
  std::string line =
      "4242 (my (odd) job) S 1 4242 4200 0 -1 4194560 10 0 0 0 150 50 30 20 20 0 1 0 999 "
      "1000000 256 18446744073709551615";
  auto u = ParseProcStat(line, /*ticks_per_second=*/100, /*page_bytes=*/4096);
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->pid, 4242);
  EXPECT_EQ(u->session, 4200);
  EXPECT_EQ(u->cpu_ms, (150 + 50 + 30 + 20) * 10);
  EXPECT_EQ(u->rss_bytes, 256 * 4096);
}

TEST(ParseProcStat, RejectsTruncatedLines) {
  auto no_comm = ParseProcStat("4242 S 1", 100, 4096);
  ASSERT_FALSE(no_comm.ok());
  EXPECT_NE(no_comm.error().message.find("(comm)"), std::string::npos);
  auto short_line = ParseProcStat("4242 (sh) S 1 4242 4200 0", 100, 4096);
  ASSERT_FALSE(short_line.ok());
  EXPECT_NE(short_line.error().message.find("fields"), std::string::npos);
}

TEST(ReadSessionUsage, SumsOnlyTheAskedSessionsOfAProcTree) {
  std::string root = ::testing::TempDir() + "/fake-proc-" + std::to_string(getpid());
  auto write = [&](const std::string& pid, const std::string& stat) {
    std::filesystem::create_directories(root + "/" + pid);
    std::ofstream(root + "/" + pid + "/stat") << stat << "\n";
  };
  long tck = sysconf(_SC_CLK_TCK);
  // Two processes in session 100, one in 200, and entries that are not processes.
  write("100",
        "100 (sh) S 1 100 100 0 -1 0 0 0 0 0 " + std::to_string(tck) + " 0 0 0 20 0 1 0 1 0 10");
  write("101", "101 (a.out) R 100 100 100 0 -1 0 0 0 0 0 " + std::to_string(2 * tck) +
                   " 0 0 0 20 0 1 0 1 0 5");
  write("200", "200 (other) S 1 200 200 0 -1 0 0 0 0 0 99 0 0 0 20 0 1 0 1 0 7");
  std::filesystem::create_directories(root + "/self");
  std::filesystem::create_directories(root + "/300");  // vanished: no stat
  auto usage = ReadSessionUsage({100}, root);
  ASSERT_EQ(usage.size(), 1u);
  EXPECT_EQ(usage[100].cpu_ms, 3000);
  EXPECT_EQ(usage[100].rss_bytes, 15 * sysconf(_SC_PAGESIZE));
  std::filesystem::remove_all(root);
}

TEST(ReadSessionUsage, SeesThisProcessOnTheRealProc) {
  volatile double x = 0;  // burn a little CPU so the figure is not zero
  for (int i = 0; i < 20'000'000; ++i) x = x + i * 0.5;
  pid_t session = getsid(0);
  auto usage = ReadSessionUsage({session});
  ASSERT_TRUE(usage.count(session));
  EXPECT_GT(usage[session].rss_bytes, 0);
  EXPECT_GT(usage[session].cpu_ms, 0);
}

}  // namespace
}  // namespace tatami
