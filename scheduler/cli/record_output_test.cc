#include "scheduler/cli/record_output.h"

#include <gtest/gtest.h>

namespace tatami {
namespace {

RecordTable Sample() {
  return {{"JobID", "Account", "Elapsed"},
          {5, 8, 8},
          {{"12", "acme, inc", "00:01:02"}, {"12_3", "say \"hi\"", "0.5"}}};
}

TEST(RecordOutput, TableRightAlignsAndCutsWithAPlus) {
  EXPECT_EQ(RenderRecords(Sample(), {}),
            "JobID  Account  Elapsed\n"
            "----- -------- --------\n"
            "   12 acme, i+ 00:01:02\n"
            " 12_3 say \"hi\"      0.5\n");
}

TEST(RecordOutput, ANegativeWidthLeftAligns) {
  RecordTable t = Sample();
  t.widths[1] = -8;
  EXPECT_EQ(RenderRecords(t, {}),
            "JobID Account   Elapsed\n"
            "----- -------- --------\n"
            "   12 acme, i+ 00:01:02\n"
            " 12_3 say \"hi\"      0.5\n");
  t.rows[0][1] = " ab";
  EXPECT_EQ(RenderRecords(t, {.no_header = true}),
            "   12  ab      00:01:02\n 12_3 say \"hi\"      0.5\n");
}

TEST(RecordOutput, ParsableLikeSacct) {
  EXPECT_EQ(RenderRecords(Sample(), {RecordFormat::kParsable, true, true}),
            "12|acme, inc|00:01:02|\n12_3|say \"hi\"|0.5|\n");
}

TEST(RecordOutput, CsvQuotesWhatNeedsIt) {
  EXPECT_EQ(RenderRecords(Sample(), {RecordFormat::kCsv}),
            "JobID,Account,Elapsed\n12,\"acme, inc\",00:01:02\n12_3,\"say \"\"hi\"\"\",0.5\n");
}

TEST(RecordOutput, JsonNumbersStayNumbersAndStringsAreEscaped) {
  EXPECT_EQ(RenderRecords(Sample(), {RecordFormat::kJson}),
            "[\n {\"JobID\": 12, \"Account\": \"acme, inc\", \"Elapsed\": \"00:01:02\"},\n"
            " {\"JobID\": \"12_3\", \"Account\": \"say \\\"hi\\\"\", \"Elapsed\": 0.5}\n]\n");
  EXPECT_EQ(RenderRecords({{"A"}, {}, {}}, {RecordFormat::kJson}), "[]\n");
  EXPECT_EQ(RenderRecords({{"A"}, {}, {{"007"}, {"1."}, {"-3"}}}, {RecordFormat::kJson}),
            "[\n {\"A\": \"007\"},\n {\"A\": \"1.\"},\n {\"A\": -3}\n]\n");
}

}  // namespace
}  // namespace tatami
