// --dependency: parsing and evaluation against the job table.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "proto/tatami.pb.h"
#include "scheduler/job_state.h"

namespace tatami {

// "afterok:12:13,afterany:14", "singleton", "afterok:5?afternotok:6".
// Fills spec->dependencies and spec->dependency_any.
Status ParseDependency(std::string_view text, v1::JobSpec* spec);

// The canonical text back ("afterok:12,afterok:13").
std::string FormatDependency(const v1::JobSpec& spec);

enum class DependencyStatus { kSatisfied, kWaiting, kNeverSatisfied };

// `states_of(X)` returns the state of every job X names: the job itself,
// or all tasks of array X (none: no such job). `earlier_same_name_active` answers singleton: does
// another job of this user and name, submitted before, still hold or wait for resources?
struct DependencyLookup {
  std::function<std::vector<JobState>(uint64_t)> states_of;
  std::function<bool(const v1::JobInfo&)> earlier_same_name_active;
};

DependencyStatus EvaluateDependencies(const v1::JobInfo& job, const DependencyLookup& lookup);

// Each term's status, in the order of job.spec().dependencies(): what a
// listing sends in JobInfo.dependency_states.
std::vector<v1::DependencyState> EachDependencyState(const v1::JobInfo& job,
                                                     const DependencyLookup& lookup);

// squeue's %E, Slurm's "dependencies remaining": a pending job's terms
// not yet met, each with its state ("afterok:12(unfulfilled),
// afternotok:13(failed)", a job array's "afterok:12_*(unfulfilled)"); ""
// when none remain (all met; under '?', one) or the job is not pending.
// Without states, the terms as given.
std::string FormatRemainingDependencies(const v1::JobInfo& job);

}  // namespace tatami
