#include "scheduler/resources.h"

#include <algorithm>

namespace tatami {

uint32_t NodeResources::DevicesFree() const {
  return static_cast<uint32_t>(std::count(device_free.begin(), device_free.end(), true));
}

bool NodeResources::InPartition(const std::string& partition) const {
  return std::find(partitions.begin(), partitions.end(), partition) != partitions.end();
}

bool NodeResources::HasFeatures(const std::vector<std::string>& wanted) const {
  for (const auto& w : wanted) {
    if (std::find(features.begin(), features.end(), w) == features.end()) return false;
  }
  return true;
}

}  // namespace tatami
