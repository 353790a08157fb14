#include "launcher/binding_files.h"

#include <sstream>

#include "base/strings.h"

namespace tatami {
namespace {

std::string OrDash(const std::string& s) {
  return s.empty() ? "-" : s;
}
std::string OrDash(int32_t v) {
  return v < 0 ? "-" : std::to_string(v);
}

// "-" -> -1 (none); otherwise a non-negative integer.
std::optional<int64_t> IndexOrDash(const std::string& s) {
  return s == "-" ? std::optional<int64_t>(-1) : ParseInt(s);
}

// "0-3,8" -> {0,1,2,3,8}; nullopt on anything else.
std::optional<std::vector<uint32_t>> ParseCpuList(const std::string& s) {
  std::vector<uint32_t> out;
  if (s == "-") return out;
  for (const std::string& part : Split(s, ',')) {
    auto dash = part.find('-');
    auto lo = ParseInt(part.substr(0, dash));
    auto hi = dash == std::string::npos ? lo : ParseInt(part.substr(dash + 1));
    if (!lo || !hi || *lo > *hi || *hi > 1'000'000) return std::nullopt;
    for (int64_t c = *lo; c <= *hi; ++c) out.push_back(static_cast<uint32_t>(c));
  }
  return out;
}

}  // namespace

std::string BuildBindingFile(const v1::JobLaunch& launch) {
  std::string out;
  for (const auto& b : launch.job().binding()) {
    if (b.node() != launch.node()) continue;
    out += std::to_string(b.local_rank()) + " " + std::to_string(b.rank()) + " " +
           OrDash(b.device()) + " " + OrDash(b.numa_node()) + " " + OrDash(b.cpus()) + " " +
           OrDash(b.nic()) + "\n";
  }
  return out;
}

std::string BuildRankfile(const v1::JobInfo& job) {
  std::string out;
  for (const auto& b : job.binding()) {
    if (b.cpus().empty()) return "";
    out += "rank " + std::to_string(b.rank()) + "=" + b.node() + " slot=" + b.cpus() + "\n";
  }
  return out;
}

Result<BindingFileEntry> FindRankBinding(const std::string& text, uint32_t local_rank,
                                         const std::string& origin) {
  BindingFileEntry found;
  bool have = false;
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    auto f = Split(line, ' ');
    auto where = [&] { return origin + ":" + std::to_string(n) + ": "; };
    if (f.size() != 6)
      return MakeError(where() + "expected 6 fields, got " + std::to_string(f.size()));
    auto local = ParseInt(f[0]), rank = ParseInt(f[1]), device = IndexOrDash(f[2]),
         numa = IndexOrDash(f[3]);
    auto cpus = ParseCpuList(f[4]);
    if (!local || !rank || !device || !numa)
      return MakeError(where() + "ranks must be integers, device and NUMA node integers or '-'");
    if (!cpus) return MakeError(where() + "bad cpu list '" + f[4] + "' (want e.g. 0-27,56)");
    ++found.ranks_on_node;
    if (static_cast<uint32_t>(*local) != local_rank) continue;
    have = true;
    found.rank.local_rank = local_rank;
    found.rank.rank = static_cast<uint32_t>(*rank);
    found.rank.device = static_cast<int32_t>(*device);
    found.rank.numa_node = static_cast<int32_t>(*numa);
    found.rank.cpus = *cpus;
    found.rank.nic = f[5] == "-" ? "" : f[5];
  }
  if (!have) {
    return MakeError(origin + ": no entry for local rank " + std::to_string(local_rank) + " (" +
                     std::to_string(found.ranks_on_node) + " ranks on this node)");
  }
  return found;
}

}  // namespace tatami
