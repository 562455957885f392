#!/usr/bin/env bash
# Which launchers pass SIGTERM on to equiprobe (docs/cluster.md, "Signals"). Starts a measurement
# under each launcher in a process group of its own, sends SIGTERM after the first checkpoint
# either to the launcher's process alone (what a scheduler that signals one process does) or to the
# whole process group (what a terminal or `kill -- -PGID` does), and reports what equiprobe did.
# Usage: scripts/launchers.sh   (from anywhere; needs a built project)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ARGS="measure $ROOT/examples/zoo/cnn7.onnx --images $ROOT/examples/zoo/images --preset fmnist -t rot90 -t translate --batch 1 --threads 1 --no-plots -q"

launchers=(
  "node|node $ROOT/bin/equiprobe.js"
  "npx --no-install (npm exec)|npx --no-install equiprobe"
  "bash script, no exec|bash -c 'node $ROOT/bin/equiprobe.js \"\$@\"; echo done' -"
  "bash script, exec|bash -c 'exec node $ROOT/bin/equiprobe.js \"\$@\"' -"
)

echo "node $(node --version), npm $(npm --version)"
printf '| launcher | SIGTERM to | launcher | equiprobe |\n| --- | --- | --- | --- |\n'
case_no=0
for entry in "${launchers[@]}"; do
  name=${entry%%|*}
  cmd=${entry#*|}
  for target in launcher group; do
    case_no=$((case_no + 1))
    out=$TMP/$case_no
    # setsid: a process group of its own, led by the launcher.
    (cd "$ROOT" && eval "exec setsid $cmd $ARGS --out $out" >"$TMP/$case_no.log" 2>&1) &
    pid=$!
    for _ in $(seq 600); do [[ $(node "$ROOT/scripts/saved-images.mjs" "$out") -gt 0 ]] && break; sleep 0.1; done
    if [[ $target == launcher ]]; then kill -TERM "$pid"; else kill -TERM -- "-$pid"; fi
    set +e
    wait "$pid"
    launcher_status=$?
    set -e
    # equiprobe may outlive its launcher: wait until nothing of the group is left.
    for _ in $(seq 1200); do pgrep -g "$pid" >/dev/null || break; sleep 0.05; done
    if grep -q 'Interrupted by SIGTERM; [0-9]* image(s) are saved' "$TMP/$case_no.log"; then
      what="stopped at a checkpoint (exit 143)"
    elif [[ -f $out/result.json ]]; then
      what="no signal: ran on without its launcher to the end"
    else
      what="ended without a checkpoint: $(tail -n 1 "$TMP/$case_no.log")"
    fi
    printf '| %s | %s | exit %s | %s |\n' "$name" "$target" "$launcher_status" "$what"
  done
done
