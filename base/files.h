// Reading a whole file: configs, batch scripts, traces, binding files, and
// the files tests poll; writing all of a buffer to a descriptor. Errors come back as values that
// name the file, what the caller wanted it for, and what the system said.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace tatami {

// The file's bytes. Error: "PATH: cannot read WHAT: REASON", REASON as the
// system gives it ("No such file or directory", "Is a directory"); `what`
// names the file's role for the reader ("the cluster config file").
// Thread-safe; blocks on the read.
Result<std::string> ReadFileContents(const std::string& path, std::string_view what = "it");

// Writes all of `data` to `fd`, retrying short writes and EINTR; stops at
// any other error (a closed pipe: the reader went away). Returns whether
// all of it was written.
bool WriteAll(int fd, std::string_view data);

}  // namespace tatami
