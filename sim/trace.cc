#include "sim/trace.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <fstream>
#include <sstream>

#include "base/files.h"
#include "base/strings.h"
#include "scheduler/job_state.h"
#include "scheduler/store/job_store.h"
#include "sim/speeds.h"

namespace tatami::sim {
namespace {

// One CSV row's fields, for errors that name the line and the column.
class Row {
 public:
  Row(const std::string& origin, size_t line, std::vector<std::string> header,
      std::vector<std::string> fields)
      : origin_(origin), line_(line), header_(std::move(header)), fields_(std::move(fields)) {}

  Status CheckWidth() const {
    if (fields_.size() == header_.size()) return {};
    return MakeError(Where() + ": wanted " + std::to_string(header_.size()) + " fields (" +
                     Join(header_, ",") + "), got " + std::to_string(fields_.size()));
  }
  const std::string& Text(size_t i) const { return fields_[i]; }
  Result<double> Number(size_t i, double min, const std::string& wanted) const {
    const std::string& s = fields_[i];
    char* end = nullptr;
    double v = s.empty() ? NAN : std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0' || !std::isfinite(v) || v < min) return Bad(i, wanted);
    return v;
  }
  Result<uint32_t> Count(size_t i) const {
    auto v = Number(i, 1, "a whole number >= 1");
    if (!v) return v.error();
    if (*v != std::floor(*v) || *v > 1e6) return Bad(i, "a whole number >= 1");
    return static_cast<uint32_t>(*v);
  }
  Error Bad(size_t i, const std::string& wanted) const {
    return Error{Where() + ": " + header_[i] + ": wanted " + wanted + ", got '" + fields_[i] + "'"};
  }
  std::string Where() const { return origin_ + ":" + std::to_string(line_); }

 private:
  const std::string& origin_;
  size_t line_;
  std::vector<std::string> header_;
  std::vector<std::string> fields_;
};

// Calls `row` for every data line under a header that must be `expected`.
template <typename Fn>
Status ForEachRow(std::string_view text, const std::string& origin,
                  const std::vector<std::string>& expected, Fn row) {
  std::istringstream in{std::string(text)};
  std::string line;
  std::vector<std::string> header;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (Trim(line).empty()) continue;
    std::vector<std::string> fields = Split(line, ',');
    if (header.empty()) {
      for (auto& f : fields) f = std::string(Trim(f));
      if (fields != expected) {
        return MakeError(origin + ":" + std::to_string(number) + ": wanted the header '" +
                         Join(expected, ",") + "', got '" + line + "'");
      }
      header = fields;
      continue;
    }
    Row r(origin, number, header, std::move(fields));
    if (Status s = r.CheckWidth(); !s.ok()) return s;
    if (Status s = row(r, number); !s.ok()) return s;
  }
  if (header.empty()) return MakeError(origin + ": empty, wanted a header line");
  return {};
}

// "2017-10-09 07:01:55", UTC.
Result<TimeMs> PhillyTime(const Row& row, size_t i) {
  int y, mo, d, h, mi, s;
  char tail;
  if (std::sscanf(row.Text(i).c_str(), "%4d-%2d-%2d %2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s,
                  &tail) != 6 ||
      mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
    return row.Bad(i, "a time like 2017-10-09 07:01:55");
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<TimeMs>(timegm(&tm)) * 1000;
}

// Submit order, ids 1.., submit times from 0.
void Normalize(std::vector<TraceJob>& jobs) {
  std::stable_sort(jobs.begin(), jobs.end(),
                   [](const TraceJob& a, const TraceJob& b) { return a.submit < b.submit; });
  TimeMs first = jobs.empty() ? 0 : jobs.front().submit;
  for (size_t i = 0; i < jobs.size(); ++i) {
    jobs[i].id = i + 1;
    jobs[i].submit -= first;
  }
}

Result<std::vector<TraceJob>> ReadTatamiDatabase(const std::string& path) {
  if (!std::ifstream(path)) return MakeError(path + ": cannot read it");  // Open would create it
  auto store = JobStore::Open(path);
  if (!store) return MakeError(path + ": " + store.error().message);
  auto jobs = (*store)->LoadAll();
  if (!jobs) return MakeError(path + ": " + jobs.error().message);
  std::vector<TraceJob> out;
  for (const v1::JobInfo& job : *jobs) {
    // Replays what ran: finished jobs that held accelerators.
    if (!IsTerminal(job.state()) || job.runs().empty()) continue;
    const v1::RunRecord& last = job.runs(job.runs_size() - 1);
    if (last.accelerators() == 0) continue;
    TraceJob t;
    t.submit = job.submit_time();
    for (const v1::RunRecord& r : job.runs())
      t.run_time += std::max<TimeMs>(0, r.end_time() - r.start_time());
    t.gpus = last.accelerators();
    t.account = job.spec().account();
    t.user = job.spec().user();
    t.qos = job.spec().qos();
    t.kind = last.accelerator_kind();
    t.time_limit = job.time_limit_ms();
    out.push_back(std::move(t));
  }
  Normalize(out);
  return out;
}

}  // namespace

Result<TraceFormat> ParseTraceFormat(std::string_view name) {
  if (name == "philly") return TraceFormat::kPhilly;
  if (name == "sia") return TraceFormat::kSia;
  if (name == "tatami") return TraceFormat::kTatami;
  return MakeError("--trace-format: wanted philly, sia or tatami, got '" + std::string(name) + "'");
}

Result<TraceFormat> DetectTraceFormat(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(path + ": cannot read it");
  std::string first;
  std::getline(in, first);
  if (first.rfind("SQLite format 3", 0) == 0) return TraceFormat::kTatami;
  if (first.rfind("timestamp,duration,num_gpus", 0) == 0) return TraceFormat::kPhilly;
  if (first.rfind("name,time,application", 0) == 0) return TraceFormat::kSia;
  return MakeError(path +
                   ":1: not a trace tatami-sim knows (a Philly or Sia CSV header, or a tatamid "
                   "SQLite database); say which with --trace-format");
}

Result<std::vector<TraceJob>> ParsePhillyCsv(std::string_view text, const std::string& origin) {
  std::vector<TraceJob> jobs;
  Status s = ForEachRow(text, origin, {"timestamp", "duration", "num_gpus", "gpu_time", "cluster"},
                        [&](const Row& row, size_t line) -> Status {
                          auto submit = PhillyTime(row, 0);
                          auto duration = row.Number(1, 0, "seconds (a number >= 0)");
                          auto gpus = row.Count(2);
                          if (!submit) return submit.error();
                          if (!duration) return duration.error();
                          if (!gpus) return gpus.error();
                          if (row.Text(4).empty()) return row.Bad(4, "a virtual cluster name");
                          TraceJob j;
                          j.line = line;
                          j.submit = *submit;
                          j.run_time = static_cast<DurationMs>(*duration * 1000);
                          j.gpus = *gpus;
                          j.account = row.Text(4);
                          j.job_class =
                              std::string(ClassForGpuHours(*duration * *gpus / 3600, line));
                          jobs.push_back(std::move(j));
                          return {};
                        });
  if (!s.ok()) return s.error();
  Normalize(jobs);
  return jobs;
}

Result<std::vector<TraceJob>> ParseSiaCsv(std::string_view text, const std::string& origin) {
  std::vector<TraceJob> jobs;
  Status s = ForEachRow(text, origin, {"name", "time", "application", "num_replicas", "batch_size"},
                        [&](const Row& row, size_t line) -> Status {
                          auto submit = row.Number(1, 0, "seconds after the start (a number >= 0)");
                          auto gpus = row.Count(3);
                          if (!submit) return submit.error();
                          if (!gpus) return gpus.error();
                          if (auto bsz = row.Count(4); !bsz) return bsz.error();
                          const ClassProfile* profile = FindClass(row.Text(2));
                          if (!profile) return row.Bad(2, "one of " + Join(ClassNames(), ", "));
                          TraceJob j;
                          j.line = line;
                          j.submit = static_cast<TimeMs>(*submit * 1000);
                          j.gpus = *gpus;
                          j.run_time =
                              static_cast<DurationMs>(profile->gpu_hours * 3600 * 1000 / *gpus);
                          j.account = "sia";
                          j.user = row.Text(0);
                          j.job_class = row.Text(2);
                          jobs.push_back(std::move(j));
                          return {};
                        });
  if (!s.ok()) return s.error();
  Normalize(jobs);
  return jobs;
}

Result<std::vector<TraceJob>> ReadTrace(const std::string& path, TraceFormat format) {
  if (format == TraceFormat::kTatami) return ReadTatamiDatabase(path);
  auto text = ReadFileContents(path);
  if (!text) return text.error();
  return format == TraceFormat::kPhilly ? ParsePhillyCsv(*text, path) : ParseSiaCsv(*text, path);
}

Result<std::vector<TraceJob>> ReadTrace(const std::string& path) {
  auto format = DetectTraceFormat(path);
  if (!format) return format.error();
  return ReadTrace(path, *format);
}

void ShapeTrace(std::vector<TraceJob>& jobs, size_t count, double compress) {
  // Longer than the trace: it plays again after its last submission.
  size_t original = jobs.size();
  TimeMs span = original ? jobs.back().submit + 1 : 0;
  for (size_t i = original; original > 0 && i < count; ++i) {
    TraceJob j = jobs[i % original];
    j.id = i + 1;
    j.submit += span * static_cast<TimeMs>(i / original);
    jobs.push_back(std::move(j));
  }
  if (count > 0 && jobs.size() > count) jobs.resize(count);
  if (compress > 0 && compress != 1) {
    for (TraceJob& j : jobs) j.submit = static_cast<TimeMs>(j.submit / compress);
  }
}

void WidenJobs(std::vector<TraceJob>& jobs, uint32_t factor) {
  if (factor <= 1) return;
  for (TraceJob& j : jobs) {
    if (j.job_class.empty())
      j.job_class = std::string(ClassForGpuHours(double(j.run_time) * j.gpus / 3.6e6, j.id));
    j.gpus *= factor;
  }
}

double OfferedLoad(const std::vector<TraceJob>& jobs, double device_h100_equivalents) {
  if (jobs.empty() || device_h100_equivalents <= 0) return 0;
  double work = 0;
  TimeMs first = jobs.front().submit, last = first;
  for (const TraceJob& j : jobs) {
    work += double(j.gpus) * double(j.run_time);
    first = std::min(first, j.submit);
    last = std::max(last, j.submit);
  }
  return work / (device_h100_equivalents * double(std::max<TimeMs>(1, last - first)));
}

}  // namespace tatami::sim
