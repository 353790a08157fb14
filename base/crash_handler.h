// On SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT: write the signal and a
// backtrace to stderr (the daemon's log), then die with the same signal.
// Daemons install it first thing in main().
#pragma once

namespace tatami {

void InstallCrashHandler(const char* program);

}  // namespace tatami
