// --array: "0-15", "1,3,5", "0-100:10", any of them with "%4" (at most 4
// tasks running at once).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace tatami {

struct ArraySpec {
  std::vector<int32_t> indices;  // ascending, unique
  uint32_t max_running = 0;      // 0 = no limit
};

// `max_size`: the cluster's max_array_size; indices must be below it.
Result<ArraySpec> ParseArraySpec(std::string_view text, uint32_t max_size);

}  // namespace tatami
