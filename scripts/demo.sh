#!/usr/bin/env bash
# From nothing to a finished MPI job: installs what is needed, builds,
# starts a local Tatami cluster (controller + agents emulating two HGX H100
# nodes, a Dojo tray and an HW4 rack on this machine) and runs the demo job.
#
#   scripts/demo.sh               # leaves the cluster running; stop it with:
#   build/bin/tatami local down
#   scripts/demo.sh --prometheus  # also starts Debian's Prometheus on
#                                 # 127.0.0.1:9090, scraping the cluster
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
with_prometheus=0
for arg in "$@"; do
  case "$arg" in
    --prometheus) with_prometheus=1 ;;
    *) echo "usage: $0 [--prometheus]" >&2; exit 2 ;;
  esac
done

scripts/install-deps.sh
export CCACHE_DIR=${CCACHE_DIR:-${HOME:-/tmp}/.cache/tatami-ccache}
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"
export PATH=$ROOT/build/bin:$PATH

tatami local up --config configs/local.yaml
STATE=${TATAMI_STATE_DIR:-${HOME:-/tmp}/.local/state/tatami}
if [ "$with_prometheus" -eq 1 ]; then
  # The shipped scrape config reads STATE/scrape-targets.json, which tatamid
  # keeps current; relative paths resolve against the config's folder.
  cp metrics/prometheus.yml "$STATE/prometheus.yml"
  if ! curl -sf http://127.0.0.1:9090/-/ready >/dev/null 2>&1; then
    (cd "$STATE" && setsid prometheus --config.file=prometheus.yml \
      --storage.tsdb.path=prometheus-data --web.listen-address=127.0.0.1:9090 \
      >"$STATE/logs/prometheus.log" 2>&1 &)
  fi
  echo "Prometheus: http://127.0.0.1:9090 (targets in $STATE/scrape-targets.json);"
  echo "Grafana dashboards to import: $ROOT/metrics/dashboards/*.json"
fi
echo
sinfo -o '%#P %.5a %.10l %.6D %.6t %10G %N'
echo
mkdir -p "$ROOT/build/demo" && cd "$ROOT/build/demo"
job=$(sbatch --parsable "$ROOT/examples/allreduce.sbatch")
echo "Submitted batch job $job; waiting for it to finish..."
squeue
status=0
tatami wait "$job" >/dev/null || status=$?
echo
cat "allreduce-demo-$job.out"
echo
sacct -j "$job" -o JobID,JobName,Partition,State,ExitCode,Elapsed,NodeList,AllocTRES%45
echo
tatami explain "$job"
echo
tatami report --by account,kind
echo
echo "Billing counters (tatamid /metrics at $(cat "$STATE/metrics.addr")):"
curl -s "http://$(cat "$STATE/metrics.addr")/metrics" | grep '^tatami_accelerator_seconds_total' || true
echo
if [ "$status" -eq 0 ]; then
  echo "Demo job $job COMPLETED. The cluster is still up: try squeue, sinfo, sbatch --wrap='hostname'."
  echo "Stop it with: $ROOT/build/bin/tatami local down"
else
  echo "Demo job $job did not complete (exit $status); logs are in $STATE/logs"
fi
exit "$status"
