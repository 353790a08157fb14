// The shapes a job accepts (issue 6, point 4): its main request, and the
// alternatives it lists (`--gpus='h100:8|d1:1@1.3'`) or that its job class
// brings from the config's throughput table (`--job-class=vision`), each
// with its speed relative to the main request.
//
// ResolveJobOptions runs once, at submission: it gives every alternative a
// partition that has its kind and writes the class's alternatives into the
// spec. The stored spec then says what the job accepts for its whole life,
// whatever the config says later; the scheduling cycle chooses among the
// options (scheduling_cycle.h, OptionChoice), and the job's run records
// which it took (JobInfo.run_option).
//
// Pure functions of their arguments; errors name the option at fault.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "base/result.h"
#include "proto/tatami.pb.h"
#include "topology/cluster_config.h"

namespace tatami {

// Per partition, the most accelerators one node of each kind has (the
// controller's --gpus=N arithmetic reads it too); built once per config, in
// O(nodes), so that submissions never walk the node list.
using LargestNodes = std::map<std::string, std::map<AcceleratorKind, uint32_t>>;
LargestNodes LargestNodesOf(const ClusterConfig& config);

// Fills in the partition of each alternative the user wrote and appends
// the job class's: one per kind the class has a speed for, other than the
// main request's and those the user listed, with the main request's
// devices converted by H100-equivalents (8 H100 -> 1 Dojo tile -> 8 HW4
// boards). Errors: a speed not in (0, 1000], an unknown class, a class with no speed for the main
// request's kind, a class on a job without accelerators, an alternative
// whose kind no partition (of those the job may use) has.
// With several partitions listed (-p a,b), every shape, the request's too,
// also gets a copy at its speed in each other listed partition that has its
// kind (from_partition_list): the job starts where there is room first. A
// job without --time runs there for that partition's default limit.
// `partition` ends as the main partition; `partitions_listed` keeps what it
// was (the -p list, or ""), so that the job can be resolved again.
// `largest` is LargestNodesOf(config).
Status ResolveJobOptions(v1::JobSpec& spec, const ClusterConfig& config,
                         const LargestNodes& largest);

// A resolved spec moved to `partitions` (one, or a -p list), unresolved
// again: the alternatives its job class and its -p list brought are taken
// out and the user's own lose their partition, so that ResolveJobOptions
// resolves it as if it had been submitted there (tatami update -p; with
// its own partitions_listed, tatami update --gpus).
void MoveToPartitions(v1::JobSpec& spec, const std::string& partitions);

// -N / --nodes: "N" or "min-max", of which the minimum is used, as sbatch.
Result<uint32_t> ParseNodeCount(std::string_view text, std::string_view what);

// --constraint / -C: node features joined with & ("hgx&ib"), every one
// required; "" clears them (tatami update). `what` names the option in
// errors (--constraint, Features).
Status ParseConstraint(std::string_view text, std::string_view what, v1::JobSpec& spec);

// The spec as option `option` would run it (0: the spec itself; i: with
// accelerator_options[i - 1]'s accelerators and partition).
v1::JobSpec SpecForOption(const v1::JobSpec& spec, size_t option);

// The partition a job runs (or last ran) in; while pending and never run,
// every partition it may start in, "h100,dojo" (as squeue shows a job
// submitted to several partitions).
std::string PartitionsOf(const v1::JobInfo& job);

// "h100:8", "d1:2 (tiles)", "hw4:1 per node": how a shape is written back.
std::string DescribeShape(const v1::AcceleratorRequest& shape);
std::string FormatSpeed(double speed);  // "1.3x"

// The partition of a job's current (or last) run, else its main request's:
// one name, for metrics labels and accounting.
const std::string& RunPartition(const v1::JobInfo& job);
// Likewise the QoS it runs (or ran) as (JobInfo.qos), else its spec's; ""
// when it names none.
const std::string& RunQos(const v1::JobInfo& job);

}  // namespace tatami
