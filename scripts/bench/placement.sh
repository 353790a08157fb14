#!/usr/bin/env bash
# Placement speed at GigaTexas size (50,000 H100, 10 Dojo ExaPODs, 20,000
# HW4 boards; half busy) and Dojo mesh fragmentation per strategy.
#
#   scripts/bench/placement.sh [extra Google Benchmark flags]
#
# p50_us / p99_us: per Place() call. waited_fragmented_ratio: requests that
# could not start although enough free tiles existed (random arrivals and
# departures on the 10 ExaPODs), per strategy.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$ROOT/build/bin}
[ -x "$BIN/placement_benchmark" ] || { echo "build first: cmake -S . -B build -G Ninja && cmake --build build" >&2; exit 1; }
exec "$BIN/placement_benchmark" --benchmark_counters_tabular=true "$@"
