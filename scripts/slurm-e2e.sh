#!/usr/bin/env bash
# End-to-end test of docs/cluster.md on a real one-node Slurm cluster on localhost.
#
# Installs Debian's slurm-wlm and munge when missing, starts munged, slurmctld and slurmd by hand
# from a minimal slurm.conf in a temporary folder (no systemd; stopped by their process ids on
# exit), submits the documented array (docs/cluster/measure-array.sbatch) and merge job
# (docs/cluster/merge.sbatch, --dependency=afterany) on a zoo model, requeues one task after its
# first checkpoint (as a pre-emption does), and checks that the task resumed and that the merge
# equals a single run in every CSV cell. Needs root (slurmd runs as root), Debian/Ubuntu and a
# built project (npm run build). Prints the wall time at the end.
#
# Usage: sudo scripts/slurm-e2e.sh            (MODEL=..., SHARDS=..., KEEP=1 to keep the folder)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODEL=${MODEL:-$ROOT/examples/zoo/resnet_w32.onnx}
SHARDS=${SHARDS:-4}
REQUEUED_TASK=${REQUEUED_TASK:-1}
MEASURE_ARGS=("$MODEL" --images "$ROOT/examples/zoo/images" --preset fmnist -t rot90 -t translate --batch 8)
start=$(date +%s)

say() { echo "slurm-e2e: $*"; }
fail() { echo "slurm-e2e: FAILED: $*" >&2; exit 1; }

[[ $EUID -eq 0 ]] || fail "run as root (slurmd must run as root)"
[[ -f $ROOT/dist/cli/main.js ]] || fail "dist/ is missing: run npm run build first"

# The cluster: $TMP, SLURM_CONF, stopped on exit.
source "$ROOT/scripts/slurm-cluster.sh"

# --- The documented submission (docs/cluster.md, "Slurm"), with this machine's paths and sizes.
export EQUIPROBE_HOME=$ROOT
export RESULTS=$TMP/results
export SHARDS
mkdir -p "$RESULTS/logs"
array=$(sbatch --parsable --array=0-$((SHARDS - 1)) --cpus-per-task=1 --mem=1G \
  --output="$RESULTS/logs/measure-%a.out" \
  "$ROOT/docs/cluster/measure-array.sbatch" "${MEASURE_ARGS[@]}")
merge=$(sbatch --parsable --dependency=afterany:"$array" --cpus-per-task=1 --mem=1G \
  --output="$RESULTS/logs/merge.out" "$ROOT/docs/cluster/merge.sbatch")
say "submitted array $array (shards 0-$((SHARDS - 1))) and merge $merge"

# --- Pre-empt one task after its first checkpoint: requeue it (SIGTERM, then it runs again).
shard=$RESULTS/shards/$REQUEUED_TASK
for _ in $(seq 600); do [[ $(node "$ROOT/scripts/saved-images.mjs" "$shard") -gt 0 ]] && break; sleep 0.2; done
[[ $(node "$ROOT/scripts/saved-images.mjs" "$shard") -gt 0 ]] || fail "task $REQUEUED_TASK wrote no checkpoint"
scontrol requeue "${array}_$REQUEUED_TASK"
say "requeued task $REQUEUED_TASK after its first checkpoint"

state() { scontrol show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -1 | cut -d= -f2; }
for _ in $(seq 900); do
  case $(state "$merge") in COMPLETED | FAILED | CANCELLED | TIMEOUT | OUT_OF_MEMORY | NODE_FAIL) break ;; esac
  sleep 1
done
[[ $(state "$merge") == COMPLETED ]] || fail "merge job ended $(state "$merge"): $(cat "$RESULTS/logs/merge.out" 2>/dev/null)"
for ((t = 0; t < SHARDS; t++)); do
  [[ $(state "${array}_$t") == COMPLETED ]] || fail "task $t ended $(state "${array}_$t")"
done
log=$RESULTS/logs/measure-$REQUEUED_TASK.out
restarts=$(scontrol show job "${array}_$REQUEUED_TASK" | grep -o 'Restarts=[0-9]*' | cut -d= -f2)
[[ $restarts -ge 1 ]] || fail "task $REQUEUED_TASK was not restarted (Restarts=$restarts)"
grep -q 'Interrupted by SIGTERM; [0-9]* image(s) are saved' "$log" || fail "task $REQUEUED_TASK did not stop at a checkpoint on SIGTERM: $(cat "$log")"
grep -q "resuming from '.*checkpoint" "$log" || fail "task $REQUEUED_TASK did not resume: $(cat "$log")"
say "task $REQUEUED_TASK: $(grep -o 'Interrupted by SIGTERM; [0-9]* image(s)' "$log"), then $(grep -o 'resuming from .*' "$log")"

# A task requeued once more (its shard finished) must exit 0 without measuring again.
again=$(EQUIPROBE_HOME=$ROOT SLURM_ARRAY_TASK_ID=$REQUEUED_TASK SLURM_CPUS_PER_TASK=1 bash "$ROOT/docs/cluster/measure-array.sbatch" "${MEASURE_ARGS[@]}")
grep -q 'already holds the finished result' <<<"$again" || fail "a finished shard was measured again: $again"

# --- The merge equals a single run, every CSV cell.
node "$ROOT/bin/equiprobe.js" measure "${MEASURE_ARGS[@]}" --threads 1 --out "$RESULTS/single" --no-plots --quiet >/dev/null
for table in layers.csv parts.csv elements.csv; do
  cmp -s "$RESULTS/merged/$table" "$RESULTS/single/$table" || fail "$table of the merge differs from the single run: $(diff "$RESULTS/merged/$table" "$RESULTS/single/$table" | head -5)"
done
say "merge of $SHARDS shards = single run in every cell of layers.csv, parts.csv, elements.csv"
say "PASSED in $(($(date +%s) - start)) s"
