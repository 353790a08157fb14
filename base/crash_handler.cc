#include "base/crash_handler.h"

#include <execinfo.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <initializer_list>

namespace tatami {
namespace {

const char* g_program = "tatami";

void Write(const char* s) {
  (void)!write(2, s, strlen(s));
}

void OnFatal(int sig) {
  // Only async-signal-safe calls here.
  Write(g_program);
  Write(": fatal signal ");
  Write(sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
  Write(", backtrace:\n");
  void* frames[64];
  int n = backtrace(frames, 64);
  backtrace_symbols_fd(frames, n, 2);
  signal(sig, SIG_DFL);
  raise(sig);
}

}  // namespace

void InstallCrashHandler(const char* program) {
  g_program = program;
  void* warm[1];
  backtrace(warm, 1);  // load libgcc now, not inside the handler
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) signal(sig, OnFatal);
}

}  // namespace tatami
