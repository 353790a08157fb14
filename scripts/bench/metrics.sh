#!/usr/bin/env bash
# What one Prometheus scrape of tatamid costs on a large cluster: 10,000
# nodes (80,000 H100), 100,000 jobs (half running), 50 accounts.
#
#   scripts/bench/metrics.sh [extra Google Benchmark flags]
#
# BM_ScrapeController: collect + serialize, what /metrics does per scrape
# (bytes = size of the text, series = samples). BM_CollectStateUnderLock:
# the part that reads the controller's tables (holds its shared lock for
# the counting, not the string building). CPU share at a 15 s scrape
# interval = time / 15 s.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$ROOT/build/bin}
[ -x "$BIN/metrics_benchmark" ] || { echo "build first: cmake -S . -B build -G Ninja && cmake --build build" >&2; exit 1; }
"$BIN/metrics_benchmark" --benchmark_counters_tabular=true "$@"
