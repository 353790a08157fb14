// Usage over a period from accounting records, for `tatami report`.
//
// Each run of each job (JobInfo.runs, plus the current run of a job still
// running, counted to `now`) contributes its rates times the part of it
// that lies inside [start, end). The same rates and intervals feed the
// live counters (usage_ledger.h), so a report over [S, E) equals the
// increase of tatami_accelerator_seconds_total between S and E.
//
// Pure function; thread-compatible.
#pragma once

#include <vector>

#include "proto/tatami.pb.h"
#include "scheduler/accounting/usage.h"

namespace tatami {

// One row per (account, user, partition, kind, tier) that used anything.
std::vector<v1::UsageRow> SummarizeUsage(const std::vector<v1::JobInfo>& jobs, TimeMs start,
                                         TimeMs end, TimeMs now);

}  // namespace tatami
