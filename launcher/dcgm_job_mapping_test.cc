#include "launcher/dcgm_job_mapping.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace tatami {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  return s;
}

TEST(DcgmJobMapping, NodeNameReplacesPercentN) {
  EXPECT_EQ(JobMappingDir("/run/tatami/dcgm/%n", "h100-01"), "/run/tatami/dcgm/h100-01");
  EXPECT_EQ(JobMappingDir("/run/dcgm", "h100-01"), "/run/dcgm");
}

TEST(DcgmJobMapping, OneFilePerGpuNamingTheJobRemovedOnlyByItsJob) {
  std::string dir = ::testing::TempDir() + "/dcgm-" + std::to_string(getpid());
  ASSERT_TRUE(WriteJobMapping(dir, {2, 3}, "41").ok());
  EXPECT_EQ(Read(dir + "/2"), "41");
  EXPECT_EQ(Read(dir + "/3"), "41");
  EXPECT_FALSE(std::filesystem::exists(dir + "/0"));
  // GPU 3 passes to job 42 before job 41's end is processed.
  ASSERT_TRUE(WriteJobMapping(dir, {3}, "42").ok());
  RemoveJobMapping(dir, {2, 3}, "41");
  EXPECT_FALSE(std::filesystem::exists(dir + "/2"));
  EXPECT_EQ(Read(dir + "/3"), "42");
  std::filesystem::remove_all(dir);
}

TEST(DcgmJobMapping, UnwritableFolderIsAnErrorNamingIt) {
  std::string file = ::testing::TempDir() + "/dcgm-file-" + std::to_string(getpid());
  std::ofstream(file) << "x";
  auto s = WriteJobMapping(file + "/sub", {0}, "1");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find(file + "/sub"), std::string::npos);
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace tatami
