#include "launcher/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <unistd.h>

namespace tatami {

Result<int> OpenOutputFile(const std::string& path, bool append) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0644);
  if (fd < 0) return MakeError("cannot open output file " + path + ": " + strerror(errno));
  return fd;
}

Result<pid_t> Spawn(const SpawnOptions& opts) {
  if (opts.argv.empty()) return MakeError("spawn: empty command");
  std::vector<char*> argv, envp;
  for (const auto& a : opts.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : opts.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (opts.stdin_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, opts.stdin_fd, 0);
  } else {
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  }
  if (opts.stdout_fd >= 0) posix_spawn_file_actions_adddup2(&actions, opts.stdout_fd, 1);
  if (opts.stderr_fd >= 0) posix_spawn_file_actions_adddup2(&actions, opts.stderr_fd, 2);
  if (!opts.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, opts.cwd.c_str());

  // The agent blocks its stop signals for sigwait and may ignore SIGPIPE:
  // the job must start with a clean mask and default dispositions.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigfillset(&defaults);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    std::string where = opts.cwd.empty() ? "" : " in " + opts.cwd;
    return MakeError("cannot start " + opts.argv[0] + where + ": " + strerror(rc));
  }
  return pid;
}

}  // namespace tatami
