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
[[ -f $ROOT/dist/src/cli/main.js ]] || fail "dist/ is missing: run npm run build first"

# --- Slurm and munge from Debian, when missing. Another apt-get may hold the dpkg lock: wait and retry.
install_slurm() {
  command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null && return 0
  say "installing slurm-wlm and munge"
  local attempt
  for attempt in 1 2 3 4 5; do
    if apt-get -o DPkg::Lock::Timeout=300 update -q \
      && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends slurm-wlm munge; then
      return 0
    fi
    say "apt-get failed (attempt $attempt; another install may hold the lock); retrying in 20 s"
    sleep 20
  done
  fail "could not install slurm-wlm and munge"
}
install_slurm

# --- A one-node cluster in a temporary folder.
TMP=$(mktemp -d /tmp/equiprobe-slurm.XXXXXX)
chmod 700 "$TMP"
pids=()
cleanup() {
  local status=$?
  # Stop in reverse order of starting, by the process ids this script started.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [[ $status -ne 0 ]]; then
    for log in "$TMP"/slurmctld.log "$TMP"/slurmd.log "$TMP"/results/logs/*; do
      [[ -f $log ]] && { echo "--- $log (last 30 lines)"; tail -n 30 "$log"; }
    done
  fi
  if [[ ${KEEP:-0} == 1 ]]; then say "kept $TMP"; else rm -rf "$TMP"; fi
  exit "$status"
}
trap cleanup EXIT

# Two free TCP ports for slurmctld and slurmd, so a Slurm already on this machine is not disturbed.
read -r CTLD_PORT SLURMD_PORT < <(node -e '
  const net = require("net"); const ports = [];
  const next = () => { const s = net.createServer().listen(0, "127.0.0.1", () => { ports.push(s.address().port); s.close(() => ports.length < 2 ? next() : console.log(ports.join(" "))); }); };
  next();')
HOST=$(hostname -s)
CPUS=$(nproc)
MEM_MB=$(( $(awk '/MemTotal/ { print $2 }' /proc/meminfo) / 1024 - 512 ))

dd if=/dev/urandom of="$TMP/munge.key" bs=1024 count=1 status=none
chmod 400 "$TMP/munge.key"
munged --force --key-file="$TMP/munge.key" --socket="$TMP/munge.socket" --pid-file="$TMP/munged.pid" \
  --log-file="$TMP/munged.log" --seed-file="$TMP/munged.seed"
for _ in $(seq 50); do [[ -s $TMP/munged.pid ]] && break; sleep 0.1; done
pids+=("$(cat "$TMP/munged.pid")")

mkdir -p "$TMP/ctld" "$TMP/slurmd"
cat >"$TMP/slurm.conf" <<EOF
ClusterName=e2e
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$TMP/munge.socket,cred_expire=10
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$TMP/ctld
SlurmdSpoolDir=$TMP/slurmd
SlurmctldPidFile=$TMP/slurmctld.pid
SlurmdPidFile=$TMP/slurmd.pid
SlurmctldLogFile=$TMP/slurmctld.log
SlurmdLogFile=$TMP/slurmd.log
PlugStackConfig=$TMP/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MinJobAge=600
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=e2e Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
: >"$TMP/plugstack.conf"
export SLURM_CONF=$TMP/slurm.conf

slurmctld -i -f "$SLURM_CONF"
for _ in $(seq 100); do [[ -s $TMP/slurmctld.pid ]] && break; sleep 0.1; done
pids+=("$(cat "$TMP/slurmctld.pid")")
slurmd -f "$SLURM_CONF" -N "$HOST"
for _ in $(seq 100); do [[ -s $TMP/slurmd.pid ]] && break; sleep 0.1; done
pids+=("$(cat "$TMP/slurmd.pid")")
for _ in $(seq 100); do sinfo -h -o %t 2>/dev/null | grep -qx idle && break; sleep 0.3; done
sinfo -h -o %t | grep -qx idle || fail "the node did not come up: $(sinfo 2>&1)"
say "cluster up (slurm $(sinfo -V | cut -d' ' -f2), $CPUS CPUs, $MEM_MB MB)"

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
checkpoint=$RESULTS/shards/$REQUEUED_TASK/checkpoint.json
for _ in $(seq 1200); do [[ -f $checkpoint ]] && break; sleep 0.1; done
[[ -f $checkpoint ]] || fail "task $REQUEUED_TASK wrote no checkpoint"
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
grep -q "resuming from '.*checkpoint.json': [1-9][0-9]* image(s) already measured" "$log" || fail "task $REQUEUED_TASK did not resume: $(cat "$log")"
say "task $REQUEUED_TASK: $(grep -o 'Interrupted by SIGTERM; [0-9]* image(s)' "$log"), then $(grep -o 'resuming from .*' "$log" | sed 's/.*: //')"

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
