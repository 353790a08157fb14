// squeue -S: the order jobs are listed in.
#pragma once

#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "proto/tatami.pb.h"

namespace tatami {

// One key of a sort list: a squeue format letter, ascending unless `descending`.
struct SortKey {
  char field;
  bool descending = false;
};

// Slurm's default for squeue: partition, then state (pending before
// running), then priority, highest first.
inline constexpr std::string_view kDefaultQueueSort = "P,t,-p";

// "P,t,-p", "-S,+i": comma-separated letters, each after an optional '+'
// (ascending, the default) or '-'. The error names the key and the
// letters that sort.
Result<std::vector<SortKey>> ParseSortKeys(std::string_view text);

// Orders `jobs` by `keys`; jobs alike on every key stay in the order they
// came in (by id, from the controller). Numbers and times compare as
// numbers; a start not yet known (S) and an unlimited time (l) sort last.
void SortJobs(std::vector<const v1::JobInfo*>& jobs, const std::vector<SortKey>& keys, TimeMs now);

}  // namespace tatami
