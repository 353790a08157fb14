#!/usr/bin/env bash
# Throughput of a local Tatami cluster with many emulated nodes, and (with
# --with-slurm) of Debian's Slurm on the same machine in the same run.
#
#   scripts/bench/throughput.sh [--with-slurm] [--nodes 128] [--jobs 2000] [--agents 1|per-node]
#
# Two tests, each on a fresh cluster:
#   loop   N x `sbatch --parsable -o /dev/null --wrap=true`, one process each
#   array  one `sbatch --array=0-(N-1) -o /dev/null --wrap=true`
# Reported: submission rate (loop), first submission -> last job ended
# (e2e, jobs/s), and CPU per job: tatamid, the agents, the jobs' own
# processes (the agents' reaped children), the whole machine. A 'floor' row
# execs the same job script with no scheduler at all.
# The Slurm anchor (../shared/slurm-anchor, 128 slurmd, 'default' profile)
# runs the same two tests when --with-slurm is given.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NODES=128 JOBS=2000 AGENTS=1 WITH_SLURM=0
while [ $# -gt 0 ]; do
  case "$1" in
    --with-slurm) WITH_SLURM=1 ;;
    --nodes) NODES=$2; shift ;;
    --jobs) JOBS=$2; shift ;;
    --agents) AGENTS=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
BIN=${BIN:-$ROOT/build/bin}
[ -x "$BIN/tatami" ] || { echo "build first: cmake -S . -B build -G Ninja && cmake --build build" >&2; exit 1; }
SYSTEM_PATH=$PATH
export PATH=$BIN:$PATH
WORK=$(mktemp -d /tmp/tatami-bench-XXXXXX)
trap 'tatami local down --state-dir $WORK/state >/dev/null 2>&1 || true' EXIT

# A cluster of $NODES HGX-shaped nodes (224 CPUs, 8 h100 each), emulated
# by one agent process (--agents 1) or one per node (--agents per-node).
{
  echo "cluster_name: bench"
  echo "timing: {heartbeat_interval: 2s, node_timeout: 30s, kill_wait: 5s}"
  echo "max_array_size: 100001"
  echo "nodes:"
  echo "  - name: gpu[001-$(printf %03d "$NODES")]"
  echo "    cpus: 224"
  echo "    memory: 2T"
  echo "    accelerators: {kind: h100, count: 8}"
  [ "$AGENTS" = 1 ] && echo "    agent: bench-agent"
  echo "partitions:"
  echo "  - {name: gpu, nodes: \"gpu[001-$(printf %03d "$NODES")]\", default: true}"
} > "$WORK/bench.yaml"

ticks() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
sum_ticks() { local s=0 p; for p in "$@"; do s=$((s + $(ticks "$p"))); done; echo $s; }
# CPU of the reaped children of the agents: the jobs' own processes.
child_ticks() { local s=0 p; for p in "$@"; do s=$((s + $(awk '{print $16+$17}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo $s; }
machine() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
now() { date +%s.%N; }
HZ=$(getconf CLK_TCK)

run_tatami() {  # test name
  local test=$1 state=$WORK/state
  tatami local down --state-dir "$state" >/dev/null 2>&1 || true
  rm -rf "$state"
  tatami local up --config "$WORK/bench.yaml" --state-dir "$state" >/dev/null
  export TATAMI_STATE_DIR=$state
  local ctl agents c0 a0 j0 m0 t0 t1 t2 c1 a1 j1 m1 ids
  ctl=$(cat "$state/tatamid.pid")
  agents=$(cat "$state"/agent-*.pid | tr '\n' ' ')
  c0=$(ticks "$ctl"); a0=$(sum_ticks $agents); j0=$(child_ticks $agents); m0=$(machine)
  t0=$(now)
  if [ "$test" = loop ]; then
    for _ in $(seq "$JOBS"); do sbatch --parsable -o /dev/null --wrap=true; done > "$WORK/ids"
  else
    sbatch --parsable -o /dev/null --array=0-$((JOBS - 1)) --wrap=true > "$WORK/ids"
  fi
  t1=$(now)
  tatami wait $(cat "$WORK/ids") > "$WORK/wait.out" || { echo "some jobs failed" >&2; sort "$WORK/wait.out" | awk '{print $2}' | uniq -c >&2; }
  t2=$(now)
  c1=$(ticks "$ctl"); a1=$(sum_ticks $agents); j1=$(child_ticks $agents); m1=$(machine)
  local done_count
  done_count=$(grep -c ' COMPLETED ' "$WORK/wait.out" || true)
  awk -v test="$test" -v n="$JOBS" -v done="$done_count" -v t0="$t0" -v t1="$t1" -v t2="$t2" \
      -v c="$((c1 - c0))" -v a="$((a1 - a0))" -v j="$((j1 - j0))" -v m0="$m0" -v m1="$m1" -v hz="$HZ" 'BEGIN {
    split(m0, x, " "); split(m1, y, " ");
    sub_s = t1 - t0; e2e = t2 - t0;
    printf "tatami\t%s\t%d\t%d\t%.2f\t%s\t%.2f\t%.1f\t%.2f\t%.2f\t%.2f\t%.2f\t%.0f\n", test, n, done, sub_s,
      (test == "loop" ? sprintf("%.1f", n / sub_s) : "(1 sbatch)"), e2e, n / e2e,
      c * 1000 / hz / n, a * 1000 / hz / n, j * 1000 / hz / n, (y[1] - x[1]) * 1000 / hz / n,
      100 * (y[1] - x[1]) / (y[2] - x[2]) }'
  tatami local down --state-dir "$state" >/dev/null
}

# The floor no scheduler can beat: the same --wrap script started $JOBS
# times with posix_spawn (as the agent does), one spawner per core, nothing
# else running. On VMs where exec is expensive this bounds the e2e rate.
run_floor() {
  local script=$WORK/wrap.sh m0 m1 t0 t2 cores
  printf '#!/bin/sh\n# This script was created by sbatch --wrap.\n\ntrue\n' > "$script"
  chmod +x "$script"
  cores=$(nproc)
  m0=$(machine); t0=$(now)
  for _ in $(seq "$cores"); do
    python3 -c 'import os, sys
for _ in range(int(sys.argv[2])): os.waitpid(os.posix_spawn(sys.argv[1], [sys.argv[1]], {}), 0)' \
      "$script" $((JOBS / cores)) &
  done
  wait
  t2=$(now); m1=$(machine)
  awk -v n="$JOBS" -v t0="$t0" -v t2="$t2" -v m0="$m0" -v m1="$m1" -v hz="$HZ" 'BEGIN {
    split(m0, x, " "); split(m1, y, " "); e2e = t2 - t0;
    printf "floor\tposix_spawn\t%d\t%d\t-\t-\t%.2f\t%.1f\t-\t-\t-\t%.2f\t%.0f\n", n, n, e2e, n / e2e,
      (y[1] - x[1]) * 1000 / hz / n, 100 * (y[1] - x[1]) / (y[2] - x[2]) }'
}

run_slurm() {
  local anchor=$WORK/slurm-anchor
  # Our bin/ has sbatch, squeue, sinfo links of its own: Slurm's must win here.
  local PATH=$SYSTEM_PATH
  cp -r "$ROOT/../shared/slurm-anchor" "$anchor"
  (cd "$anchor" && ./setup.sh install >/dev/null 2>&1)
  # The first start after installing Slurm sometimes fails (munge/slurmd
  # first-run set-up); one warm-up start and stop makes the runs reliable.
  (cd "$anchor" && NODES=$NODES ./setup.sh start default >/dev/null 2>&1; ./setup.sh stop >/dev/null 2>&1) || true
  (cd "$anchor" && N=$JOBS REPS=1 NODES=$NODES TESTS="loop array" RES=$WORK/slurm-results ./bench.sh default > "$WORK/slurm.log" 2>&1) || true
  [ "$(wc -l < "$WORK/slurm-results/raw.tsv")" -gt 1 ] || { echo "Slurm anchor failed; see $WORK/slurm.log" >&2; }
  # raw.tsv: profile rep test N submit_s submit_rate submit_fail t_last_start_s t_comp_s t_e2e_s e2e_rate
  #          nodes_used max_jobs_one_node ctld_cpu slurmd_cpu machine_cpu busy
  awk -F'\t' 'NR > 1 { printf "slurm\t%s\t%d\t%d\t%.2f\t%s\t%.2f\t%s\t%s\t%s\t-\t%s\t%s\n", $3, $4, $4, $5,
      ($3 == "loop" ? $6 : "(1 sbatch)"), $10, $11, $14, $15, $16, $17 }' "$WORK/slurm-results/raw.tsv"
}

printf 'system\ttest\tjobs\tcompleted\tsubmit_s\tsubmit_jobs_per_s\te2e_s\te2e_jobs_per_s\tcontroller_cpu_ms_per_job\tagents_cpu_ms_per_job\tjob_processes_cpu_ms_per_job\tmachine_cpu_ms_per_job\tmachine_busy_pct\n' > "$WORK/results.tsv"
run_floor >> "$WORK/results.tsv"
for t in loop array; do run_tatami "$t" >> "$WORK/results.tsv"; done
[ "$WITH_SLURM" = 1 ] && run_slurm >> "$WORK/results.tsv"
echo "# $NODES emulated 8-GPU nodes ($AGENTS agent process(es)), $JOBS one-task jobs, $(nproc) cores"
column -t -s $'\t' "$WORK/results.tsv"
if [ "$WITH_SLURM" = 1 ]; then
  awk -F'\t' 'NR > 1 { r[$1 "/" $2] = $8; c[$1 "/" $2] = $12 }
    END { for (t in r) if (t ~ /^tatami/) { s = t; sub("tatami", "slurm", s);
      if (r[s] > 0) printf "%s: e2e %.1fx Slurm, machine CPU per job %.2fx Slurm\n", substr(t, 8), r[t] / r[s], c[t] / c[s] } }' "$WORK/results.tsv"
fi
echo "(raw: $WORK/results.tsv)"
