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

// What the scheduler and a task's environment need of an array (the
// SLURM_ARRAY_TASK_* values and the %N limit), without the index list.
struct ArrayShape {
  uint32_t count = 0;
  int32_t min = 0;
  int32_t max = 0;
  int32_t step = 1;  // 1 unless the indices are evenly spaced
  uint32_t max_running = 0;
};
ArrayShape ShapeOf(const ArraySpec& spec);

}  // namespace tatami
