#include "scheduler/cli/record_output.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "base/strings.h"

namespace tatami {
namespace {

bool IsNumber(const std::string& s) {
  if (s.empty()) return false;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  if (s[i] == '0' && i + 1 < s.size() && s[i + 1] != '.') return false;  // "007" stays text
  bool dot = false;
  for (; i < s.size(); ++i) {
    if (s[i] == '.' && !dot && i + 1 < s.size()) {
      dot = true;
    } else if (!std::isdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

std::string CsvCell(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Delimited(const RecordTable& t, const RecordOptions& o, char sep,
                      std::string (*cell)(const std::string&)) {
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) out += sep;
      out += cell(cells[i]);
    }
    if (o.trailing_delimiter) out += sep;
    out += "\n";
  };
  if (!o.no_header) line(t.headers);
  for (const auto& row : t.rows) line(row);
  return out;
}

std::string Same(const std::string& s) {
  return s;
}

}  // namespace

std::string RenderRecords(const RecordTable& t, const RecordOptions& o) {
  switch (o.format) {
    case RecordFormat::kParsable:
      return Delimited(t, o, '|', Same);
    case RecordFormat::kCsv:
      return Delimited(t, {o.format, o.no_header, false}, ',', CsvCell);
    case RecordFormat::kJson: {
      std::string out = "[";
      for (size_t r = 0; r < t.rows.size(); ++r) {
        out += r ? ",\n {" : "\n {";
        for (size_t i = 0; i < t.headers.size() && i < t.rows[r].size(); ++i) {
          const std::string& v = t.rows[r][i];
          out +=
              (i ? ", " : "") + JsonQuote(t.headers[i]) + ": " + (IsNumber(v) ? v : JsonQuote(v));
        }
        out += "}";
      }
      return out + (t.rows.empty() ? "]\n" : "\n]\n");
    }
    case RecordFormat::kTable:
      break;
  }
  auto width = [&](size_t i) { return i < t.widths.size() ? t.widths[i] : 10; };
  auto cell = [&](std::string v, int w) {
    bool left = w < 0;
    w = std::abs(w);
    if (static_cast<int>(v.size()) > w)
      v = v.substr(0, static_cast<size_t>(std::max(0, w - 1))) + "+";
    std::string pad(static_cast<size_t>(std::max(0, w - static_cast<int>(v.size()))), ' ');
    return left ? v + pad : pad + v;
  };
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) out += " ";
      out += cell(cells[i], width(i));
    }
    out += "\n";
  };
  if (!o.no_header) {
    line(t.headers);
    std::vector<std::string> rule;
    for (size_t i = 0; i < t.headers.size(); ++i)
      rule.emplace_back(static_cast<size_t>(std::abs(width(i))), '-');
    line(rule);
  }
  for (const auto& row : t.rows) line(row);
  return out;
}

}  // namespace tatami
