// Small string helpers shared by the parsers (config, #SBATCH, CLI formats).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace tatami {

std::vector<std::string> Split(std::string_view s, char sep);
std::string_view Trim(std::string_view s);
bool StartsWith(std::string_view s, std::string_view prefix);
std::string Join(const std::vector<std::string>& parts, std::string_view sep);
std::string ToLower(std::string_view s);          // ASCII
std::string FormatFixed(double v, int decimals);  // printf's %.*f: (0.6125, 3) -> "0.613"
// A JSON string literal of `s`: quoted, with '"', '\\' and control characters escaped.
std::string JsonQuote(std::string_view s);

// Parses a non-negative decimal integer that must span the whole string.
std::optional<int64_t> ParseInt(std::string_view s);

// A count from 1 to 1,000,000 (nodes, tasks, CPUs): the error names
// `what` (the option or field) and the text.
Result<uint32_t> ParseCount(std::string_view s, std::string_view what);

// Memory sizes as Slurm writes them: "512" (MiB by default), "16K", "80G",
// "2T". Returns MiB. `what` names the option or field for the error.
Result<int64_t> ParseMemoryMiB(std::string_view s, std::string_view what);

// "1536" -> "1.50G", for people.
std::string FormatMemoryMiB(int64_t mib);

}  // namespace tatami
