#!/usr/bin/env bash
# Sourced by scripts/slurm-e2e.sh and scripts/slurm-signals.sh: installs Debian's slurm-wlm and
# munge when missing, and starts a one-node Slurm cluster on localhost from a minimal slurm.conf in
# a temporary folder $TMP (no systemd: munged, slurmctld and slurmd are started here and stopped
# by their process ids when the sourcing script exits). Needs root; expects say() and fail().
# Afterwards SLURM_CONF points at the cluster, and $TMP/results is free for the caller.
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

