#!/usr/bin/env bash
# ctest: tatami-collbench under real mpirun on this machine. Every collective
# and type is checked for several rank counts over shared memory and TCP
# loopback; bad arguments and the NCCL backend without a GPU fail clearly.
#   collbench_test.sh PATH/TO/tatami-collbench
set -uo pipefail
BENCH=$1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 PMIX_MCA_gds=hash
export OMPI_MCA_rtc_hwloc_vmhole=none
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

run() {  # btl ranks args...
  local btl=$1 np=$2; shift 2
  mpirun --oversubscribe --mca btl "$btl" --mca btl_tcp_if_include lo --mca oob_tcp_if_include lo \
    -np "$np" "$BENCH" "$@" 2>&1
}

for btl in self,vader self,tcp; do
  nps="1 2 3 4"
  [ $btl = self,tcp ] && nps="2 4"
  for np in $nps; do
    for op in allreduce broadcast allgather; do
      types="float int64"
      [ $op = allreduce ] && types="float double int32 int64"
      for type in $types; do
        out=$(run "$btl" "$np" --op "$op" --type "$type" --check --min-bytes 8 --max-bytes 256K \
          --factor 8 --iters 2 --warmup 1)
        rc=$?
        if [ $rc -ne 0 ] || ! grep -q "all results correct" <<< "$out"; then
          fail "$btl np=$np $op $type (rc=$rc)"
          echo "$out" | tail -5
        fi
      done
    done
  done
done

# A size that is not a multiple of the element size or rank count still checks.
out=$(run self,vader 3 --op allgather --type double --check --min-bytes 100 --max-bytes 100 --iters 1)
grep -q "all results correct" <<< "$out" || fail "odd-size allgather: $out"

out=$(run self,vader 1 --bogus 1); rc=$?
[ $rc -ne 0 ] && grep -q "unknown option --bogus" <<< "$out" || fail "bad option accepted: $out"
out=$(run self,vader 1 --max-bytes lots); rc=$?
[ $rc -ne 0 ] && grep -q "\-\-max-bytes: want a size" <<< "$out" || fail "bad size accepted: $out"

# Health check: an impossible threshold fails, and says so.
out=$(run self,vader 2 --max-bytes 1K --min-busbw 1e9 --iters 1); rc=$?
[ $rc -ne 0 ] && grep -q "BELOW THRESHOLD" <<< "$out" || fail "health threshold not enforced: $out"

# NCCL: with a GPU it must be right; without one (or without NCCL in the
# build) it must fail with a message naming the cause, not crash or hang.
out=$(timeout 120 bash -c "$(declare -f run); BENCH=$BENCH; run self,vader 2 --backend nccl --check --max-bytes 1M")
rc=$?
if grep -q "all results correct" <<< "$out"; then
  echo "NCCL backend ran on a GPU:"; echo "$out" | grep -v "^#" | tail -3
elif [ $rc -eq 124 ] || ! grep -qi "nccl" <<< "$out"; then
  fail "NCCL backend without a GPU: rc=$rc, no clear error: $out"
else
  echo "NCCL backend, no GPU here: $(grep -m1 "nccl" <<< "$out")"
fi

[ $failures -eq 0 ] && echo "collbench: all checks passed"
exit $((failures > 0))
