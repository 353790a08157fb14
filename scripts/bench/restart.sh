#!/usr/bin/env bash
# What a tatamid restart costs once history has piled up: Controller::Load
# over a store of 200,000 finished jobs plus 12,000 pending and running.
#
#   scripts/bench/restart.sh [extra Google Benchmark flags]
#
# Time: one Load. peak_rss_growth_mib: how far the process's peak RSS rose
# during the first Load (the memory a restart needs beyond what it keeps).
# jobs_in_memory: jobs kept whole; finished ones older than min_job_age
# are kept only as their state and exit code.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$ROOT/build/bin}
[ -x "$BIN/restart_benchmark" ] || { echo "build first: cmake -S . -B build -G Ninja && cmake --build build" >&2; exit 1; }
"$BIN/restart_benchmark" --benchmark_counters_tabular=true "$@"
