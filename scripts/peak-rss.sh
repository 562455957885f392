#!/usr/bin/env bash
# Peak memory (RSS) of `equiprobe measure` at two image counts, and the straight line through
# them, for sizing a cluster job's memory (docs/cluster.md, "Memory").
#
# Usage: scripts/peak-rss.sh N1 N2 MODEL [measure options...]
#   e.g. scripts/peak-rss.sh 32 64 resnet50.onnx --preset imagenet -t rot90 --threads 8
# With --images DIR the counts are --max-images; otherwise --synthetic. Needs GNU time
# (/usr/bin/time, Debian package `time`) and a built project (npm run build).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[[ $# -ge 3 ]] || { echo "usage: $0 N1 N2 MODEL [measure options...]" >&2; exit 2; }
n1=$1 n2=$2
shift 2
[[ -x /usr/bin/time ]] || { echo "$0: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 1; }
count_flag=--synthetic
for arg in "$@"; do [[ $arg == --images ]] && count_flag=--max-images; done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# The count goes last so that it overrides one given in the options.
run() { # N MEASURE-ARGS -> peak RSS in MiB of one run over N images
  local n=$1
  shift
  /usr/bin/time -o "$out/time" -f '%M' node "$ROOT/bin/equiprobe.js" measure "$@" "$count_flag" "$n" \
    --out "$out/run" --force --no-plots --quiet >/dev/null || { echo "$0: measure failed" >&2; exit 1; }
  echo $(($(tail -n 1 "$out/time") / 1024))
}
m1=$(run "$n1" "$@")
m2=$(run "$n2" "$@")
per=$(node -e "console.log((($m2 - $m1) / ($n2 - $n1)).toFixed(2))")
echo "peak RSS: $n1 images $m1 MiB, $n2 images $m2 MiB: about $m1 MiB + $per MiB per image beyond $n1"
