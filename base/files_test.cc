#include "base/files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace tatami {
namespace {

TEST(ReadFileContents, ReturnsEveryByteOfAFileLargerThanOneRead) {
  std::string path = ::testing::TempDir() + "/read-file-contents";
  std::string written;
  for (int i = 0; i < 20000; ++i) written += "line " + std::to_string(i) + '\n';
  written += std::string("\0tail", 5);
  std::ofstream(path, std::ios::binary) << written;
  Result<std::string> read = ReadFileContents(path);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(*read, written);
  std::filesystem::remove(path);
}

TEST(ReadFileContents, NamesTheFileItsRoleAndTheSystemsReason) {
  Result<std::string> missing = ReadFileContents("/nonexistent/x.yaml", "the cluster config file");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message,
            "/nonexistent/x.yaml: cannot read the cluster config file: No such file or directory");
  Result<std::string> dir = ReadFileContents(::testing::TempDir());
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.error().message, ::testing::TempDir() + ": cannot read it: Is a directory");
  // A read that fails after the open: /proc/self/mem at address 0 is not
  // mapped, so read() itself says EIO.
  Result<std::string> unreadable = ReadFileContents("/proc/self/mem", "memory");
  ASSERT_FALSE(unreadable.ok());
  EXPECT_EQ(unreadable.error().message, "/proc/self/mem: cannot read memory: Input/output error");
}

}  // namespace
}  // namespace tatami
