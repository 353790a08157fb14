// How a job reads in squeue and sacct columns.
#pragma once

#include <string>

#include "base/clock.h"
#include "proto/tatami.pb.h"

namespace tatami {

std::string JobIdText(const v1::JobInfo& job);  // "12" or "12_3"
std::string NodeListText(const v1::JobInfo& job);
uint32_t NodeCount(const v1::JobInfo& job);
// --ntasks, or --ntasks-per-node (at least 1) on each node.
uint32_t TaskCount(const v1::JobInfo& job);
uint32_t CpuCount(const v1::JobInfo& job);
std::string GresText(const v1::JobInfo& job);  // "gpu:h100:8" per node, "" for none
// Slurm's words for `count` devices of a kind: "gpu:h100:8" (gres) and,
// in TRES, "gres/gpu=8"; Dojo tiles and HW4 boards by their own names.
std::string GresOf(const std::string& kind, uint32_t count);
std::string TresGresOf(const std::string& kind, uint64_t count);
DurationMs Elapsed(const v1::JobInfo& job, TimeMs now);
// squeue's START_TIME: a pending job's expected start (the backfill plan's,
// or its --begin if later), else when it started; 0: not known.
TimeMs StartTimeShown(const v1::JobInfo& job);

// What sbatch --wait and tatami wait exit with for the jobs a WaitReply
// holds: the highest of their exit codes (128 + signal for one killed by a
// signal), at least 1 for one that did not complete, at most 255.
int WaitExitStatus(const v1::WaitReply& reply);

// squeue's %-letter fields (see `tatami queue --help`).
std::string QueueField(const v1::JobInfo& job, char field, TimeMs now);
std::string QueueHeader(char field);
// Slurm's %all: every field QueueHeader names, in its order (a, A, b, C,
// ...), '|' between them.
std::string AllQueueFields();

// sacct's -o names, case-insensitive. Empty optional: unknown name.
bool IsAcctField(const std::string& name);
std::string AcctField(const v1::JobInfo& job, const std::string& name, TimeMs now);
std::string AcctHeader(const std::string& name);
int AcctDefaultWidth(const std::string& name);

}  // namespace tatami
