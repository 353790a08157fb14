#include "base/files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

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

// More than a pipe holds: write() returns short, and WriteAll goes on.
TEST(WriteAll, WritesEveryByteThroughShortWrites) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::string data(1 << 20, 'x');
  for (size_t i = 0; i < data.size(); i += 4096) data[i] = static_cast<char>('a' + i % 26);
  std::string read_back;
  std::thread reader([&] {
    char buf[8192];
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) read_back.append(buf, size_t(n));
  });
  EXPECT_TRUE(WriteAll(fds[1], data));
  close(fds[1]);
  reader.join();
  close(fds[0]);
  EXPECT_EQ(read_back, data);
  EXPECT_FALSE(WriteAll(-1, "x"));  // a bad descriptor: false, not a loop
}

}  // namespace
}  // namespace tatami
