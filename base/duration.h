// Time limits and elapsed times as Slurm users write and read them.
#pragma once

#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"

namespace tatami {

// Parses a Slurm time limit: "min", "min:sec", "h:m:s", "d-h", "d-h:m",
// "d-h:m:s", or "0"/"infinite"/"unlimited" for none (returns 0).
Result<DurationMs> ParseTimeLimit(std::string_view s, std::string_view what);

// Durations in the config, Go style: "500ms", "2s", "5m", "1h".
Result<DurationMs> ParseConfigDuration(std::string_view s, std::string_view what);

// "[days-]hh:mm:ss" as squeue's TIME and sacct's Elapsed print it; minutes
// and seconds only ("0:05") below an hour, like squeue.
std::string FormatElapsed(DurationMs d, bool squeue_style = false);

// "infinite" for 0, else FormatElapsed.
std::string FormatTimeLimit(DurationMs d);

// ISO-8601 local time "2026-11-22T02:29:36", or "Unknown" for 0.
std::string FormatTimestamp(TimeMs t);

// Local midnight of the day `t` falls in (sacct's and sreport's default start).
TimeMs StartOfDay(TimeMs t);

// Accepts "2026-11-22", "2026-11-22T10:00[:00]", "now", "now-N[unit]" and
// "now+N[unit]" (seconds unless a unit follows: s, m, h, d or w and their
// long forms, as Slurm's sacct -S now-1day), and "@SECONDS[.FFF]" (Unix
// time, as `date +@%s` prints it); errors say what is accepted.
Result<TimeMs> ParseTimestamp(std::string_view s, std::string_view what, TimeMs now);

// sbatch --begin: ParseTimestamp's forms but "now-N", and "HH:MM[:SS]",
// the next time the local clock shows it.
Result<TimeMs> ParseBeginTime(std::string_view s, std::string_view what, TimeMs now);

}  // namespace tatami
