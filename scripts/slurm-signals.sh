#!/usr/bin/env bash
# Which job-script forms let Slurm's SIGTERM reach equiprobe (docs/cluster.md, "Signals"), on a
# one-node cluster on localhost (scripts/slurm-cluster.sh). For each form of the launch line
# (`exec node`, `node` without exec, `npx --no-install`) and each way Slurm stops a job
# (`scontrol requeue`, as a pre-emption does; `scancel --batch --signal=TERM`, the batch-shell
# signal that `sbatch --signal=B:TERM@…` sends before the time limit), it starts a measurement,
# stops it after its first checkpoint and reports what equiprobe did. Needs root.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
say() { echo "slurm-signals: $*"; }
fail() { echo "slurm-signals: FAILED: $*" >&2; exit 1; }
[[ $EUID -eq 0 ]] || fail "run as root (slurmd must run as root)"
source "$ROOT/scripts/slurm-cluster.sh"

ARGS="$ROOT/examples/zoo/cnn7.onnx --images $ROOT/examples/zoo/images --preset fmnist -t rot90 -t translate --batch 1 --threads 1 --no-plots -q"
declare -A FORMS=(
  [exec node]="exec node $ROOT/bin/equiprobe.js measure"
  [node, no exec]="node $ROOT/bin/equiprobe.js measure"
  [npx --no-install]="cd $ROOT && npx --no-install equiprobe measure"
)
state() { scontrol show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -1 | cut -d= -f2; }

printf '| job script runs | stopped by | equiprobe |\n| --- | --- | --- |\n'
n=0
for form in "exec node" "node, no exec" "npx --no-install"; do
  for action in "scontrol requeue" "scancel --batch --signal=TERM"; do
    n=$((n + 1))
    out=$TMP/results/$n
    mkdir -p "$TMP/results"
    printf '#!/bin/bash\n#SBATCH --requeue\n#SBATCH --open-mode=append\n%s %s --out %s --resume-if-possible\n' "${FORMS[$form]}" "$ARGS" "$out" >"$TMP/job$n.sh"
    id=$(sbatch --parsable --cpus-per-task=1 --mem=1G --output="$TMP/results/$n.log" "$TMP/job$n.sh")
    for _ in $(seq 600); do [[ $(node "$ROOT/scripts/saved-images.mjs" "$out") -gt 0 ]] && break; sleep 0.1; done
    [[ $(node "$ROOT/scripts/saved-images.mjs" "$out") -gt 0 ]] || fail "job $n wrote no checkpoint: $(cat "$TMP/results/$n.log")"
    if [[ $action == "scontrol requeue" ]]; then scontrol requeue "$id"; else scancel --batch --signal=TERM "$id"; fi
    # Let the job end (a requeued one is held so that it does not start again here).
    [[ $action == "scontrol requeue" ]] && scontrol hold "$id" 2>/dev/null || true
    for _ in $(seq 600); do [[ $(state "$id") == RUNNING || $(state "$id") == COMPLETING ]] || break; sleep 0.1; done
    ended=$(state "$id")
    # Whatever of this measurement still runs has left the job.
    for _ in $(seq 1200); do pgrep -f -- "--out $out " >/dev/null || break; sleep 0.1; done
    if grep -q 'Interrupted by SIGTERM; [0-9]* image(s) are saved' "$TMP/results/$n.log"; then
      what="gets SIGTERM, stops at a checkpoint (exit 143)"
    elif [[ -f $out/result.json ]]; then
      what="no signal: runs on to the end after the job is $ended"
    else
      what="no signal, killed: $(grep -v '^slurmstepd' "$TMP/results/$n.log" | tail -n 1)"
    fi
    printf '| `%s` | `%s` | %s |\n' "$form" "$action" "$what"
    scancel "$id" 2>/dev/null || true
  done
done
