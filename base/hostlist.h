// Slurm hostlist expressions: "gpu[001-004,007],login1" <-> a list of names.
//
// Used for node names in the YAML config, SLURM_JOB_NODELIST, and the
// NODELIST columns of queue/info/acct output.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace tatami {

// Expands a hostlist expression. Zero padding of ranges is kept
// ("n[08-10]" -> n08, n09, n10). Errors name the offending piece.
Result<std::vector<std::string>> ExpandHostlist(std::string_view expr);

// The shortest usual expression for `names`, in their given order, merging
// runs of consecutive numbers that share a prefix and width.
std::string CompressHostlist(const std::vector<std::string>& names);

}  // namespace tatami
