// Slurm-style column formats: "%.18i %.9P %8j" — '.' right-justifies, a
// number is the width (values are cut to it, as squeue does), '#' sizes the
// column to its widest value. Text between fields is kept as written.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace tatami {

struct Column {
  std::string before;  // literal text before the field
  char field = 0;      // 0: trailing literal only
  int width = 0;       // 0: natural width
  bool right = false;
  bool auto_width = false;
};

std::vector<Column> ParseFormat(const std::string& format);

// Renders a header (unless `no_header`) and one line per row; `value(row,
// field)` gives a cell, `header(field)` a title. Lines end in '\n'.
std::string RenderTable(const std::vector<Column>& columns, size_t rows,
                        const std::function<std::string(size_t, char)>& value,
                        const std::function<std::string(char)>& header, bool no_header);

}  // namespace tatami
