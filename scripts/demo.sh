#!/usr/bin/env bash
# From nothing to a finished MPI job: installs what is needed, builds,
# starts a local Tatami cluster (controller + agents emulating two HGX H100
# nodes, a Dojo tray and an HW4 rack on this machine) and runs the demo job.
#
#   scripts/demo.sh            # leaves the cluster running; stop it with:
#   build/bin/tatami local down
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

scripts/install-deps.sh
export CCACHE_DIR=${CCACHE_DIR:-${HOME:-/tmp}/.cache/tatami-ccache}
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"
export PATH=$ROOT/build/bin:$PATH

tatami local up --config configs/local.yaml
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
if [ "$status" -eq 0 ]; then
  echo "Demo job $job COMPLETED. The cluster is still up: try squeue, sinfo, sbatch --wrap='hostname'."
  echo "Stop it with: $ROOT/build/bin/tatami local down"
else
  echo "Demo job $job did not complete (exit $status); logs are in ${TATAMI_STATE_DIR:-${HOME:-/tmp}/.local/state/tatami}/logs"
fi
exit "$status"
