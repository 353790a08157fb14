#include "topology/accelerator.h"

namespace tatami {

std::string_view AcceleratorName(AcceleratorKind k) {
  switch (k) {
    case AcceleratorKind::kH100:
      return "h100";
    case AcceleratorKind::kD1:
      return "d1";
    case AcceleratorKind::kHw4:
      return "hw4";
    case AcceleratorKind::kNone:
      break;
  }
  return "";
}

std::optional<AcceleratorKind> ParseAcceleratorKind(std::string_view name) {
  if (name == "h100") return AcceleratorKind::kH100;
  if (name == "d1") return AcceleratorKind::kD1;
  if (name == "hw4") return AcceleratorKind::kHw4;
  return std::nullopt;
}

bool IsGpu(AcceleratorKind k) {
  return k == AcceleratorKind::kH100;
}

bool MatchesRequest(AcceleratorKind k, std::string_view requested) {
  if (requested.empty()) return true;
  if (requested == "gpu") return IsGpu(k);
  return AcceleratorName(k) == requested;
}

}  // namespace tatami
