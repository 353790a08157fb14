#include "collectives/bus_bandwidth.h"

#include <gtest/gtest.h>

#include <cstring>

namespace tatami::collectives {
namespace {

TEST(BusBandwidth, FactorsAsNcclTests) {
  EXPECT_DOUBLE_EQ(BusBandwidthFactor(Collective::kAllReduce, 8), 2.0 * 7 / 8);
  EXPECT_DOUBLE_EQ(BusBandwidthFactor(Collective::kAllReduce, 2), 1.0);
  EXPECT_DOUBLE_EQ(BusBandwidthFactor(Collective::kAllGather, 4), 0.75);
  EXPECT_DOUBLE_EQ(BusBandwidthFactor(Collective::kBroadcast, 16), 1.0);
  EXPECT_DOUBLE_EQ(BusBandwidthFactor(Collective::kAllReduce, 1), 0.0);
}

// Simulates the collective on host memory, the way a correct backend must.
std::vector<char> Reference(Collective c, DataType t, int ranks, size_t count) {
  std::vector<std::vector<char>> in(static_cast<size_t>(ranks));
  for (int r = 0; r < ranks; ++r) FillPattern(c, t, r, count, in[static_cast<size_t>(r)]);
  if (c == Collective::kBroadcast) return in[0];
  if (c == Collective::kAllGather) {
    std::vector<char> out;
    for (const auto& v : in) out.insert(out.end(), v.begin(), v.end());
    return out;
  }
  std::vector<char> out = in[0];
  size_t w = SizeOf(t);
  for (size_t i = 0; i < count; ++i) {
    double sum = 0;
    for (const auto& v : in) {
      if (t == DataType::kFloat32) {
        float x;
        std::memcpy(&x, v.data() + i * w, w);
        sum += x;
      } else if (t == DataType::kFloat64) {
        double x;
        std::memcpy(&x, v.data() + i * w, w);
        sum += x;
      } else if (t == DataType::kInt32) {
        int32_t x;
        std::memcpy(&x, v.data() + i * w, w);
        sum += x;
      } else {
        int64_t x;
        std::memcpy(&x, v.data() + i * w, w);
        sum += static_cast<double>(x);
      }
    }
    if (t == DataType::kFloat32) {
      auto x = static_cast<float>(sum);
      std::memcpy(out.data() + i * w, &x, w);
    } else if (t == DataType::kFloat64) {
      std::memcpy(out.data() + i * w, &sum, w);
    } else if (t == DataType::kInt32) {
      auto x = static_cast<int32_t>(sum);
      std::memcpy(out.data() + i * w, &x, w);
    } else {
      auto x = static_cast<int64_t>(sum);
      std::memcpy(out.data() + i * w, &x, w);
    }
  }
  return out;
}

TEST(BusBandwidth, CheckAcceptsRightAndCountsWrongResults) {
  for (Collective c : {Collective::kAllReduce, Collective::kBroadcast, Collective::kAllGather}) {
    for (DataType t :
         {DataType::kInt32, DataType::kInt64, DataType::kFloat32, DataType::kFloat64}) {
      for (int ranks : {1, 3, 8}) {
        std::vector<char> out = Reference(c, t, ranks, 100);
        EXPECT_EQ(CountWrong(c, t, ranks, 0, 100, out), 0u) << Name(c) << " " << Name(t);
        out[SizeOf(t) * 5] ^= 0x40;  // corrupt one element
        out[SizeOf(t) * 7] ^= 0x40;
        EXPECT_EQ(CountWrong(c, t, ranks, 0, 100, out), 2u) << Name(c) << " " << Name(t);
      }
    }
  }
}

TEST(BusBandwidth, NamesRoundTrip) {
  EXPECT_EQ(ParseDataType("double"), DataType::kFloat64);
  EXPECT_EQ(ParseCollective("allgather"), Collective::kAllGather);
  EXPECT_FALSE(ParseDataType("bf16"));
  EXPECT_FALSE(ParseCollective("reduce_scatter"));
}

}  // namespace
}  // namespace tatami::collectives
