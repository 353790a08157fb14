#include "base/signals.h"

#include <signal.h>

#include <cctype>
#include <cstring>
#include <string>

#include "base/strings.h"

namespace tatami {

int ParseSignal(std::string_view text) {
  if (auto n = ParseInt(text)) return *n > 0 && *n < NSIG ? static_cast<int>(*n) : 0;
  std::string name(text);
  for (char& c : name) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  if (StartsWith(name, "SIG")) name.erase(0, 3);
  for (int i = 1; i < NSIG; ++i) {
    const char* abbrev = sigabbrev_np(i);
    if (abbrev && name == abbrev) return i;
  }
  return 0;
}

}  // namespace tatami
