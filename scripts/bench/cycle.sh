#!/usr/bin/env bash
# One full scheduling cycle (priority order, placement, backfill) with
# 100,000 pending jobs on the GigaTexas site, ~95% busy, per policy.
#
#   scripts/bench/cycle.sh [extra Google Benchmark flags]
#
# Time per cycle (real time); counters: pending, running, starts and
# reservations of the last cycle. Peak memory from GNU time.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$ROOT/build/bin}
[ -x "$BIN/cycle_benchmark" ] || { echo "build first: cmake -S . -B build -G Ninja && cmake --build build" >&2; exit 1; }
/usr/bin/time -f "cycle_benchmark: wall %e s, peak RSS %M KiB" \
  "$BIN/cycle_benchmark" --benchmark_counters_tabular=true "$@"
