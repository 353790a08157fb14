// The arithmetic nccl-tests uses to report collectives, and the patterns our
// benchmark checks results with. Pure functions; thread-safe.
//
// algbw = bytes / time, where bytes is one rank's buffer (all-gather: the
// whole gathered buffer). busbw = algbw * factor, the factor making numbers
// comparable with the hardware's link bandwidth:
//   all-reduce 2(n-1)/n, all-gather (n-1)/n, broadcast 1.
#pragma once

#include <cstddef>
#include <vector>

#include "collectives/communicator.h"

namespace tatami::collectives {

double BusBandwidthFactor(Collective c, int ranks);

// Fills `out` (count elements of `type`) with rank `rank`'s input for the
// check. Values are small integers, so sums are exact in every type.
void FillPattern(Collective c, DataType type, int rank, size_t count, std::vector<char>& out);

// Counts the elements of `result` that differ from what `ranks` ranks must
// produce (all-reduce sum, broadcast from `root`, all-gather).
size_t CountWrong(Collective c, DataType type, int ranks, int root, size_t count,
                  const std::vector<char>& result);

}  // namespace tatami::collectives
