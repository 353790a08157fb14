#!/usr/bin/env bash
# tatami-sim's command line: bad options and bad traces exit non-zero with a
# message naming what was wrong; a good run prints the table and writes the
# JSON and plots. Usage: tatami_sim_cli_test.sh BIN_DIR SOURCE_DIR
set -uo pipefail
bin=$1/tatami-sim
cluster=$2/configs/sim-small-hetero.yaml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# expect CODE SUBSTRING -- ARGS...: exit code and a line of stderr+stdout.
expect() {
  local code=$1 want=$2
  shift 3
  local out rc
  out=$("$bin" "$@" 2>&1)
  rc=$?
  if [ "$rc" != "$code" ] || [[ "$out" != *"$want"* ]]; then
    echo "FAIL: tatami-sim $*: wanted exit $code and '$want', got exit $rc:"
    echo "$out" | sed 's/^/    /'
    failures=$((failures + 1))
  fi
}

printf 'timestamp,duration,num_gpus,gpu_time,cluster\n2017-10-09 07:00:00,600,8,4800,a\n2017-10-09 07:00:10,300,4,1200,b\n2017-10-09 07:00:20,60,1,60,a\n' > "$tmp/ok.csv"
printf 'timestamp,duration,num_gpus,gpu_time,cluster\n2017-10-09 07:00:00,600,8,4800,a\n2017-10-09 07:00:10,soon,4,1200,b\n' > "$tmp/bad.csv"

expect 2 "usage: tatami-sim" -- 
expect 2 "--cluster and --trace are required" -- --trace "$tmp/ok.csv"
expect 2 "unknown option --speed" -- --speed 2
expect 2 "--jobs: wanted a value after it" -- --cluster "$cluster" --jobs
expect 2 "--compress: wanted a number > 0, got '0'" -- --cluster "$cluster" --trace "$tmp/ok.csv" --compress 0
expect 2 "--time-min-share: wanted a share from 0 to 1, got '1.5'" -- \
  --cluster "$cluster" --trace "$tmp/ok.csv" --time-min-share 1.5
expect 2 "--policy: unknown scheduling policy 'lottery' (known: fifo, fifo-backfill, tatami-blind, tatami)" -- \
  --cluster "$cluster" --trace "$tmp/ok.csv" --policy fifo,lottery
expect 1 "--trace-format: wanted philly, sia or tatami, got 'swf'" -- \
  --cluster "$cluster" --trace "$tmp/ok.csv" --trace-format swf
expect 1 "$tmp/missing.csv: cannot read it" -- --cluster "$cluster" --trace "$tmp/missing.csv"
expect 1 "$tmp/bad.csv:3: duration: wanted seconds (a number >= 0), got 'soon'" -- \
  --cluster "$cluster" --trace "$tmp/bad.csv"
expect 1 "$tmp/nope.yaml" -- --cluster "$tmp/nope.yaml" --trace "$tmp/ok.csv"
expect 0 "mean JCT (h)" -- --cluster "$cluster" --trace "$tmp/ok.csv" --out "$tmp/out"
for f in results.json jct-cdf.svg utilisation-fifo.svg utilisation-fifo-backfill.svg utilisation-tatami-blind.svg utilisation-tatami.svg jobs-tatami.csv; do
  [ -s "$tmp/out/$f" ] || { echo "FAIL: --out wrote no $f"; failures=$((failures + 1)); }
done
grep -q '"finished": 3' "$tmp/out/results.json" || { echo "FAIL: results.json lacks 3 finished jobs"; failures=$((failures + 1)); }
[ "$(grep -c ',finished,' "$tmp/out/jobs-fifo.csv")" = 3 ] || { echo "FAIL: jobs-fifo.csv lacks 3 finished rows"; failures=$((failures + 1)); }

# scripts/bench/sim-classes.py reads two of those CSVs: every finished job
# counted once, per class; a CSV without the class column is named.
classes=$2/scripts/bench/sim-classes.py
out=$("$classes" "$tmp/out/jobs-fifo.csv" "$tmp/out/jobs-tatami.csv" 2>&1)
if [ $? != 0 ] || ! grep -Eq '^all +3 ' <<<"$out" || ! grep -Eq '^  h100 ' <<<"$out"; then
  echo "FAIL: sim-classes.py did not count 3 jobs and the H100 hours:"; echo "$out" | sed 's/^/    /'
  failures=$((failures + 1))
fi
cut -d, -f1-13 "$tmp/out/jobs-fifo.csv" > "$tmp/old.csv"
out=$("$classes" "$tmp/old.csv" "$tmp/out/jobs-tatami.csv" 2>&1)
if [ $? = 0 ] || [[ "$out" != *"$tmp/old.csv: no 'class' column"* ]]; then
  echo "FAIL: sim-classes.py on a CSV without classes: $out"; failures=$((failures + 1))
fi
[ "$failures" = 0 ] && echo "tatami-sim CLI: all checks passed"
exit "$failures"
