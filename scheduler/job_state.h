// Job states, their Slurm spellings, and which transitions are legal.
//
//   PENDING -> RUNNING -> COMPLETING -> {COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL,
//                                        PREEMPTED}
//   PENDING -> CANCELLED
//   RUNNING -> any terminal state directly (the agent reported the end)
//   RUNNING/COMPLETING -> PENDING (requeue after a node failure, --requeue)
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "proto/tatami.pb.h"

namespace tatami {

using JobState = v1::JobState;

bool IsTerminal(JobState s);
bool IsActive(JobState s);  // RUNNING or COMPLETING: holds resources
bool CanTransition(JobState from, JobState to);

std::string_view StateName(JobState s);     // "PENDING", "NODE_FAIL", ...
std::string_view StateCompact(JobState s);  // "PD", "NF", ...

// Accepts long names and compact codes in any case: "pd", "running", "CA".
std::optional<JobState> ParseState(std::string_view s);

}  // namespace tatami
