// How a job reads in `scontrol show job`: Slurm's KEY=VALUE record, so that
// scripts that pick a field out of it (JobState=, NodeList=, ExitCode=) work
// unchanged.
#pragma once

#include <string>
#include <vector>

#include "base/clock.h"
#include "proto/tatami.pb.h"

namespace tatami {

// The record as Slurm lays it out: "JobId=12 JobName=train" and then one
// indented line per group of fields, each line ending in '\n'; with
// `one_line` (scontrol -o), every field on one line. `now` gives a running
// job's RunTime. Fields tatami does not keep (MCS_label, Reboot, ...) are
// left out rather than made up; user and group read as "name(id)".
std::string ScontrolJobRecord(const v1::JobInfo& job, TimeMs now, bool one_line);

// scontrol's layout of any record (jobs here, nodes and partitions in
// node_record.h): the first line, then each other indented by three
// spaces; with `one_line`, all of them joined by spaces. Ends in '\n'.
std::string LayOutRecord(const std::vector<std::string>& lines, bool one_line);

}  // namespace tatami
