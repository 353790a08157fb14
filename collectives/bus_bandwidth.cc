#include "collectives/bus_bandwidth.h"

#include <cstdint>
#include <cstring>

namespace tatami::collectives {
namespace {

// Rank r's element i: (r + 1) + (i % 17). Small enough for exact float sums.
int64_t Input(int rank, size_t i) {
  return rank + 1 + static_cast<int64_t>(i % 17);
}

void Store(DataType t, char* at, int64_t v) {
  switch (t) {
    case DataType::kInt32: {
      auto x = static_cast<int32_t>(v);
      std::memcpy(at, &x, sizeof x);
      break;
    }
    case DataType::kInt64:
      std::memcpy(at, &v, sizeof v);
      break;
    case DataType::kFloat32: {
      auto x = static_cast<float>(v);
      std::memcpy(at, &x, sizeof x);
      break;
    }
    case DataType::kFloat64: {
      auto x = static_cast<double>(v);
      std::memcpy(at, &x, sizeof x);
      break;
    }
  }
}

bool Equals(DataType t, const char* at, int64_t want) {
  switch (t) {
    case DataType::kInt32: {
      int32_t x;
      std::memcpy(&x, at, sizeof x);
      return x == want;
    }
    case DataType::kInt64: {
      int64_t x;
      std::memcpy(&x, at, sizeof x);
      return x == want;
    }
    case DataType::kFloat32: {
      float x;
      std::memcpy(&x, at, sizeof x);
      return x == static_cast<float>(want);
    }
    case DataType::kFloat64: {
      double x;
      std::memcpy(&x, at, sizeof x);
      return x == static_cast<double>(want);
    }
  }
  return false;
}

}  // namespace

double BusBandwidthFactor(Collective c, int ranks) {
  if (ranks <= 1) return c == Collective::kBroadcast ? 1.0 : 0.0;
  double n = ranks;
  switch (c) {
    case Collective::kAllReduce:
      return 2 * (n - 1) / n;
    case Collective::kAllGather:
      return (n - 1) / n;
    case Collective::kBroadcast:
      return 1;
  }
  return 0;
}

void FillPattern(Collective, DataType type, int rank, size_t count, std::vector<char>& out) {
  size_t w = SizeOf(type);
  out.resize(count * w);
  for (size_t i = 0; i < count; ++i) Store(type, out.data() + i * w, Input(rank, i));
}

size_t CountWrong(Collective c, DataType type, int ranks, int root, size_t count,
                  const std::vector<char>& result) {
  size_t w = SizeOf(type), wrong = 0;
  switch (c) {
    case Collective::kAllReduce:
      for (size_t i = 0; i < count; ++i) {
        int64_t want = 0;
        for (int r = 0; r < ranks; ++r) want += Input(r, i);
        wrong += !Equals(type, result.data() + i * w, want);
      }
      break;
    case Collective::kBroadcast:
      for (size_t i = 0; i < count; ++i)
        wrong += !Equals(type, result.data() + i * w, Input(root, i));
      break;
    case Collective::kAllGather:
      for (int r = 0; r < ranks; ++r)
        for (size_t i = 0; i < count; ++i)
          wrong +=
              !Equals(type, result.data() + (static_cast<size_t>(r) * count + i) * w, Input(r, i));
      break;
  }
  return wrong;
}

}  // namespace tatami::collectives
