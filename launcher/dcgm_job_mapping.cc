#include "launcher/dcgm_job_mapping.h"

#include <filesystem>
#include <fstream>

namespace tatami {

std::string JobMappingDir(const std::string& configured, const std::string& node) {
  std::string out;
  for (size_t i = 0; i < configured.size(); ++i) {
    if (configured[i] == '%' && i + 1 < configured.size() && configured[i + 1] == 'n') {
      out += node;
      ++i;
    } else {
      out += configured[i];
    }
  }
  return out;
}

Status WriteJobMapping(const std::string& dir, const std::vector<uint32_t>& devices,
                       const std::string& job) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return MakeError("dcgm job mapping: cannot create " + dir + ": " + ec.message());
  for (uint32_t d : devices) {
    std::string path = dir + "/" + std::to_string(d);
    std::string tmp = path + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << job << "\n";
      if (!out) return MakeError("dcgm job mapping: cannot write " + tmp);
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) return MakeError("dcgm job mapping: cannot write " + path + ": " + ec.message());
  }
  return {};
}

void RemoveJobMapping(const std::string& dir, const std::vector<uint32_t>& devices,
                      const std::string& job) {
  for (uint32_t d : devices) {
    std::string path = dir + "/" + std::to_string(d), named;
    std::ifstream in(path);
    if (!std::getline(in, named) || named != job) continue;
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
}

}  // namespace tatami
