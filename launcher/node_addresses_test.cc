#include "launcher/node_addresses.h"

#include <gtest/gtest.h>

namespace tatami {
namespace {

TEST(NodeAddresses, AgentAddressByNodeName) {
  auto addresses = ParseNodeAddresses("h100-01=127.0.0.1:4001,h100-02=[::1]:4002,junk");
  EXPECT_EQ(addresses.size(), 2u);
  EXPECT_EQ(addresses["h100-01"], "127.0.0.1:4001");
  EXPECT_EQ(addresses["h100-02"], "[::1]:4002");
  EXPECT_TRUE(ParseNodeAddresses("").empty());
}

}  // namespace
}  // namespace tatami
