#include "scheduler/array_spec.h"

#include <algorithm>
#include <string>

#include "base/strings.h"

namespace tatami {

Result<ArraySpec> ParseArraySpec(std::string_view text, uint32_t max_size) {
  ArraySpec spec;
  std::string body(text);
  if (size_t pct = body.find('%'); pct != std::string::npos) {
    auto limit = ParseInt(std::string_view(body).substr(pct + 1));
    if (!limit || *limit == 0)
      return MakeError("--array: '%" + body.substr(pct + 1) + "' is not a task limit");
    spec.max_running = static_cast<uint32_t>(*limit);
    body.resize(pct);
  }
  auto bad = [&](const std::string& piece) {
    return MakeError("--array: '" + piece +
                     "' is not an index, range (a-b) or stepped range (a-b:s)");
  };
  for (const std::string& piece : Split(body, ',')) {
    std::string range = piece;
    int64_t step = 1;
    if (size_t colon = range.find(':'); colon != std::string::npos) {
      auto s = ParseInt(std::string_view(range).substr(colon + 1));
      if (!s || *s == 0) return bad(piece);
      step = *s;
      range.resize(colon);
    }
    size_t dash = range.find('-');
    auto lo = ParseInt(std::string_view(range).substr(0, dash));
    auto hi = dash == std::string::npos ? lo : ParseInt(std::string_view(range).substr(dash + 1));
    if (!lo || !hi || *hi < *lo) return bad(piece);
    if (*hi >= max_size) {
      return MakeError("--array: index " + std::to_string(*hi) +
                       " is not below the cluster's max_array_size " + std::to_string(max_size));
    }
    for (int64_t i = *lo; i <= *hi; i += step) spec.indices.push_back(static_cast<int32_t>(i));
  }
  std::sort(spec.indices.begin(), spec.indices.end());
  spec.indices.erase(std::unique(spec.indices.begin(), spec.indices.end()), spec.indices.end());
  if (spec.indices.empty()) return MakeError("--array: no indices");
  return spec;
}

ArrayShape ShapeOf(const ArraySpec& spec) {
  ArrayShape shape;
  const auto& ix = spec.indices;
  shape.count = static_cast<uint32_t>(ix.size());
  shape.max_running = spec.max_running;
  if (ix.empty()) return shape;
  shape.min = ix.front();
  shape.max = ix.back();
  shape.step = ix.size() > 1 ? ix[1] - ix[0] : 1;
  for (size_t k = 2; k < ix.size(); ++k) {
    if (ix[k] - ix[k - 1] != shape.step) shape.step = 1;
  }
  return shape;
}

}  // namespace tatami
