// Rows of named fields printed the ways accounting commands offer: an
// aligned table, '|'-separated (--parsable, like sacct -P), JSON (an array
// of objects; cells that are plain numbers become JSON numbers) or CSV
// (RFC 4180 quoting).
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace tatami {

enum class RecordFormat { kTable, kParsable, kJson, kCsv };

struct RecordTable {
  std::vector<std::string> headers;
  // kTable only: right-aligned, or left-aligned where negative (a tree's
  // indented names); values longer than a width are cut with '+'.
  std::vector<int> widths;
  std::vector<std::vector<std::string>> rows;
};

struct RecordOptions {
  RecordFormat format = RecordFormat::kTable;
  bool no_header = false;           // table, parsable and CSV
  bool trailing_delimiter = false;  // parsable: sacct -p ends lines with '|'
};

std::string RenderRecords(const RecordTable& table, const RecordOptions& options);

}  // namespace tatami
