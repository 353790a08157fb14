#include "scheduler/cli/queue_sort.h"

#include <algorithm>
#include <limits>
#include <string>
#include <variant>

#include "base/strings.h"
#include "scheduler/cli/job_fields.h"
#include "scheduler/job_options.h"

namespace tatami {
namespace {

constexpr std::string_view kSortable = "iAjPuaqtTpQySVeDCMl";
constexpr int64_t kLast = std::numeric_limits<int64_t>::max();

using SortValue = std::variant<int64_t, std::string>;

// What `field` sorts `job` by. Letters as squeue's -o; p and Q are both
// the priority (Slurm's %p is it normalized).
SortValue ValueOf(const v1::JobInfo& job, char field, TimeMs now) {
  switch (field) {
    case 'i':
      return static_cast<int64_t>(job.job_id());
    case 'A':
      return static_cast<int64_t>(job.array_task_id() >= 0 ? job.array_job_id() : job.job_id());
    case 'j':
      return job.spec().name();
    case 'P':
      return PartitionsOf(job);
    case 'u':
      return job.spec().user();
    case 'a':
      return job.spec().account();
    case 'q':
      return QueueField(job, 'q', now);
    case 't':
    case 'T':
      return static_cast<int64_t>(job.state());  // PENDING, RUNNING, COMPLETING, as Slurm's
    case 'p':
    case 'Q':
      return job.priority();
    case 'y':
      return static_cast<int64_t>(job.spec().nice());
    case 'S': {
      TimeMs at = StartTimeShown(job);
      return at > 0 ? at : kLast;
    }
    case 'V':
      return job.submit_time();
    case 'e':
      return job.end_time() > 0 ? job.end_time() : kLast;
    case 'D':
      return static_cast<int64_t>(NodeCount(job));
    case 'C':
      return static_cast<int64_t>(CpuCount(job));
    case 'M':
      return Elapsed(job, now);
    case 'l':
      return job.time_limit_ms() > 0 ? job.time_limit_ms() : kLast;
    default:
      return int64_t{0};  // ParseSortKeys lets no other letter through
  }
}

}  // namespace

Result<std::vector<SortKey>> ParseSortKeys(std::string_view text) {
  std::vector<SortKey> keys;
  for (const std::string& item : Split(text, ',')) {
    SortKey key;
    std::string_view letter = item;
    if (!letter.empty() && (letter[0] == '-' || letter[0] == '+')) {
      key.descending = letter[0] == '-';
      letter.remove_prefix(1);
    }
    if (letter.size() != 1 || kSortable.find(letter[0]) == std::string_view::npos) {
      return MakeError("-S: cannot sort by '" + item + "' (want a comma-separated list of " +
                       std::string(kSortable) + ", each after an optional + or -)");
    }
    key.field = letter[0];
    keys.push_back(key);
  }
  return keys;
}

void SortJobs(std::vector<const v1::JobInfo*>& jobs, const std::vector<SortKey>& keys, TimeMs now) {
  if (keys.empty()) return;
  // Each job's values, computed once rather than at every comparison.
  std::vector<std::pair<std::vector<SortValue>, const v1::JobInfo*>> keyed;
  keyed.reserve(jobs.size());
  for (const v1::JobInfo* job : jobs) {
    std::vector<SortValue> values;
    for (const SortKey& k : keys) values.push_back(ValueOf(*job, k.field, now));
    keyed.emplace_back(std::move(values), job);
  }
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    for (size_t i = 0; i < keys.size(); ++i) {
      if (a.first[i] == b.first[i]) continue;
      return keys[i].descending ? b.first[i] < a.first[i] : a.first[i] < b.first[i];
    }
    return false;
  });
  for (size_t i = 0; i < jobs.size(); ++i) jobs[i] = keyed[i].second;
}

}  // namespace tatami
