#!/usr/bin/env bash
# Installs what is needed, builds Tatami with AddressSanitizer and
# UndefinedBehaviorSanitizer, and runs the whole test suite (unit tests and
# integration tests that start real daemons on 127.0.0.1).
#
#   scripts/test.sh              # what CI runs (.ci/run)
#   BUILD_DIR=build-x SANITIZE= scripts/test.sh   # a plain build instead
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

BUILD_DIR=${BUILD_DIR:-build-asan}
SANITIZE=${SANITIZE-address,undefined}
export CCACHE_DIR=${CCACHE_DIR:-${HOME:-/tmp}/.cache/tatami-ccache}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTATAMI_SANITIZE="$SANITIZE" >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"

# Fail on any sanitizer report; keep leak checking on for our code.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/scripts/lsan.supp}
cd "$BUILD_DIR"
ctest --output-on-failure -j "$(nproc)" --timeout 300
