#include "scheduler/cli/table.h"

#include <gtest/gtest.h>

namespace tatami {
namespace {

TEST(Table, SqueueStyleWidthsJustifyAndTruncate) {
  auto cols = ParseFormat("%.5i %-4j|%#P");
  std::vector<std::vector<std::string>> rows = {{"7", "training", "h100"},
                                                {"12345", "x", "dojo-long"}};
  auto field = [&](size_t r, char f) { return rows[r][f == 'i' ? 0 : f == 'j' ? 1 : 2]; };
  auto header = [](char f) {
    return std::string(f == 'i' ? "JOBID" : f == 'j' ? "NAME" : "PARTITION");
  };
  EXPECT_EQ(RenderTable(cols, 2, field, header, false),
            "JOBID NAME|PARTITION\n"
            "    7 trai|h100\n"
            "12345 x   |dojo-long\n");
  EXPECT_EQ(RenderTable(cols, 2, field, header, true), "    7 trai|h100\n12345 x   |dojo-long\n");
}

TEST(Table, LiteralTextAndUnknownTrailingPercent) {
  auto cols = ParseFormat("id=%i;%");
  EXPECT_EQ(RenderTable(
                cols, 1, [](size_t, char) { return std::string("3"); },
                [](char) { return std::string("I"); }, true),
            "id=3;%\n");
}

}  // namespace
}  // namespace tatami
