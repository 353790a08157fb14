#include "launcher/output_path.h"

#include <cctype>

namespace tatami {
namespace {

std::string Padded(uint64_t v, int width) {
  std::string s = std::to_string(v);
  if (static_cast<int>(s.size()) < width) s.insert(0, static_cast<size_t>(width) - s.size(), '0');
  return s;
}

}  // namespace

std::string ResolveOutputPath(const std::string& pattern, const v1::JobInfo& job,
                              const std::string& node, int node_index) {
  bool array = job.array_task_id() >= 0;
  std::string p = pattern.empty() ? (array ? "slurm-%A_%a.out" : "slurm-%j.out") : pattern;
  std::string out;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] != '%' || i + 1 == p.size()) {
      out += p[i];
      continue;
    }
    size_t j = i + 1;
    int width = 0;
    while (j < p.size() && std::isdigit(static_cast<unsigned char>(p[j])))
      width = width * 10 + (p[j++] - '0');
    if (j == p.size()) {
      out += p.substr(i);
      break;
    }
    switch (p[j]) {
      case '%':
        out += '%';
        break;
      case 'j':
        out += Padded(job.job_id(), width);
        break;
      case 'x':
        out += job.spec().name();
        break;
      case 'A':
        out += Padded(array ? job.array_job_id() : job.job_id(), width);
        break;
      case 'a':
        out += array ? Padded(static_cast<uint64_t>(job.array_task_id()), width) : "4294967294";
        break;
      case 'N':
        out += node;
        break;
      case 'n':
        out += Padded(static_cast<uint64_t>(node_index), width);
        break;
      case 'u':
        out += job.spec().user();
        break;
      case 'J':
        out += std::to_string(job.job_id()) + ".batch";
        break;
      default:
        out += p.substr(i, j - i + 1);
        break;  // unknown: keep as written
    }
    i = j;
  }
  if (!out.empty() && out[0] != '/' && !job.spec().work_dir().empty())
    out = job.spec().work_dir() + "/" + out;
  return out;
}

}  // namespace tatami
