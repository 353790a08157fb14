#!/usr/bin/env bash
# Collectives bandwidth on this machine, nccl-tests style (algbw, busbw):
# MPI over shared memory and over TCP loopback, and NCCL when a GPU is here.
#
#   scripts/bench/collectives.sh [--np 2] [--max-bytes 64M] [--op allreduce]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$ROOT/build/bin}
NP=2 MAX=64M OP=allreduce
while [ $# -gt 0 ]; do
  case "$1" in
    --np) NP=$2; shift ;;
    --max-bytes) MAX=$2; shift ;;
    --op) OP=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ -x "$BIN/tatami-collbench" ] || { echo "build first (needs MPI): cmake --build build" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 PMIX_MCA_gds=hash
for btl in self,vader self,tcp; do
  echo "## MPI, btl $btl"
  mpirun --oversubscribe --mca btl "$btl" --mca btl_tcp_if_include lo -np "$NP" \
    "$BIN/tatami-collbench" --op "$OP" --check --max-bytes "$MAX"
done
if command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; then
  GPUS=$(nvidia-smi -L | wc -l)
  echo "## NCCL, $GPUS GPU(s)"
  mpirun --oversubscribe -np "$GPUS" "$BIN/tatami-collbench" --backend nccl --op "$OP" --check \
    --max-bytes "$MAX"
fi
