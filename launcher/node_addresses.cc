#include "launcher/node_addresses.h"

#include "base/strings.h"

namespace tatami {

std::map<std::string, std::string> ParseNodeAddresses(const std::string& list) {
  std::map<std::string, std::string> out;
  for (const std::string& entry : Split(list, ',')) {
    size_t eq = entry.find('=');
    if (eq != std::string::npos) out[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return out;
}

}  // namespace tatami
