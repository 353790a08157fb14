#include "scheduler/cli/table.h"

#include <cctype>

namespace tatami {

std::vector<Column> ParseFormat(const std::string& format) {
  std::vector<Column> cols;
  Column cur;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 == format.size()) {
      cur.before += format[i];
      continue;
    }
    size_t j = i + 1;
    Column c;
    c.before = cur.before;
    for (; j < format.size(); ++j) {
      if (format[j] == '.') {
        c.right = true;
      } else if (format[j] == '#') {
        c.auto_width = true;
      } else if (format[j] == '-') {
        c.right = false;
      } else {
        break;
      }
    }
    while (j < format.size() && std::isdigit(static_cast<unsigned char>(format[j]))) {
      c.width = c.width * 10 + (format[j++] - '0');
    }
    if (j == format.size()) {
      cur.before += format.substr(i);
      break;
    }
    c.field = format[j];
    cols.push_back(c);
    cur = Column();
    i = j;
  }
  if (!cur.before.empty()) cols.push_back(cur);
  return cols;
}

std::string RenderTable(const std::vector<Column>& columns, size_t rows,
                        const std::function<std::string(size_t, char)>& value,
                        const std::function<std::string(char)>& header, bool no_header) {
  std::vector<std::vector<std::string>> cells(rows + 1, std::vector<std::string>(columns.size()));
  std::vector<size_t> widths(columns.size(), 0);
  for (size_t c = 0; c < columns.size(); ++c) {
    if (!columns[c].field) continue;
    cells[0][c] = header(columns[c].field);
    for (size_t r = 0; r < rows; ++r) cells[r + 1][c] = value(r, columns[c].field);
    if (columns[c].auto_width) {
      for (size_t r = no_header ? 1 : 0; r <= rows; ++r)
        widths[c] = std::max(widths[c], cells[r][c].size());
    } else {
      widths[c] = static_cast<size_t>(columns[c].width);
    }
  }
  std::string out;
  for (size_t r = no_header ? 1 : 0; r <= rows; ++r) {
    std::string line;
    for (size_t c = 0; c < columns.size(); ++c) {
      line += columns[c].before;
      if (!columns[c].field) continue;
      std::string cell = cells[r][c];
      size_t w = widths[c];
      if (w > 0) {
        if (cell.size() > w) cell.resize(w);
        std::string pad(w - cell.size(), ' ');
        cell = columns[c].right ? pad + cell : cell + pad;
      }
      line += cell;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace tatami
