// How nodes and partitions read in `scontrol show node|partition`: Slurm's
// KEY=VALUE records, as job_record.h writes jobs'.
#pragma once

#include <string>
#include <vector>

#include "proto/tatami.pb.h"

namespace tatami {

// "NodeName=h100-01 ..." then indented lines; `one_line`: all on one line.
// State is Slurm's word (IDLE, MIXED, ALLOCATED, IDLE+DRAIN, MIXED+DRAIN,
// DOWN*, ...); Reason only for a node that has one.
std::string ScontrolNodeRecord(const v1::NodeInfo& node, bool one_line);

// "PartitionName=h100 ..."; `nodes`: the cluster's, for the partition's totals.
std::string ScontrolPartitionRecord(const v1::PartitionInfo& partition,
                                    const std::vector<v1::NodeInfo>& nodes, bool one_line);

}  // namespace tatami
