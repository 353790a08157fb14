#!/usr/bin/env bash
# Installs every Debian package Tatami needs to build, test and run its demo.
# Idempotent: packages already present are left alone, and apt-get is not
# called at all when nothing is missing (so repeated CI runs cost nothing).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config ccache clang-format
  # control plane: gRPC + protobuf (Debian 12 ships no CMake package for gRPC)
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  # configuration, state, CLI
  libyaml-cpp-dev libsqlite3-dev sqlite3
  # topology and MPI
  libhwloc-dev hwloc libopenmpi-dev openmpi-bin
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev python3
  # metrics: the exporter library; Prometheus itself (promtool, and the
  # integration test's scraper), curl and a JSON parser for its API
  prometheus-cpp-dev prometheus curl nlohmann-json3-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
