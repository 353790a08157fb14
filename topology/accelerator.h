// The accelerator kinds Tatami schedules. See DESIGN.md "Accelerator kinds".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tatami {

enum class AcceleratorKind {
  kNone,
  kH100,  // NVIDIA H100 SXM GPU; 8 per HGX node on one NVSwitch domain
  kD1,    // Tesla Dojo training tile (25 D1 chips); 6 per tray
  kHw4,   // Tesla HW4 inference board (2 SoCs)
};
// How many values AcceleratorKind has (kNone included): size of per-kind arrays.
inline constexpr size_t kAcceleratorKinds = 4;

std::string_view AcceleratorName(AcceleratorKind k);  // "h100", "d1", "hw4", ""

// Accepts the names above. "gpu" is not a kind: requests may say "gpu" to
// mean "any GPU kind" (see MatchesRequest).
std::optional<AcceleratorKind> ParseAcceleratorKind(std::string_view name);

// Whether a node of kind `k` satisfies a request for `requested` ("gpu",
// "h100", ...). An empty request matches every node.
bool MatchesRequest(AcceleratorKind k, std::string_view requested);

bool IsGpu(AcceleratorKind k);

// H100s one Dojo tile stands for: the work of an HGX node's eight (an
// assumption argued in sim/speeds.h). Capacity is counted in these
// H100-equivalents wherever kinds are added up: fair-share usage, the
// job-size factor, the simulator's load.
inline constexpr uint32_t kH100PerTile = 8;
inline double H100Equivalents(AcceleratorKind k) {
  return k == AcceleratorKind::kD1 ? kH100PerTile : 1.0;
}

}  // namespace tatami
