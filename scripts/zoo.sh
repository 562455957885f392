#!/usr/bin/env bash
# The ten-model Fashion-MNIST study of results/zoo/ (`npm run zoo`, from the repository root).
#
# Every model is measured for rot90 and translate on the 200 bundled images, as two disjoint
# halves (--shard 0/2, 1/2) that are merged into the exact single-run result; the halves are
# kept long enough to write a stability table (results/zoo/stability.csv).
#
# Translation: the zoo images are 28x28 objects centred on black, so `roll` (circular shift)
# moves the object without cropping it or inventing content, and shifts 1..8 (< H/2 = 14)
# cover cnn7_shift's training range (random circular shifts <= 4 px) and twice that.
set -euo pipefail

cd "$(dirname "$0")/.."
EP=(node bin/equiprobe.js)
ZOO=examples/zoo
IMAGES=$ZOO/images
OUT=results/zoo
MODELS=(cnn7 cnn7_rot cnn7_shift resnet_w8 resnet_w16 resnet_w32 resnet_w64 p4cnn vit mixer)
MEASURE_FLAGS=(--images "$IMAGES" --preset fmnist -t rot90 -t translate --shift-mode roll --shifts 1..8 --quiet)

start=$SECONDS
log() { printf '[zoo %4ds] %s\n' "$((SECONDS - start))" "$*"; }

# Build first (as `npm run bench` does), so the numbers come from the current sources.
log "building dist/ (npx tsc -p tsconfig.json)"
npx tsc -p tsconfig.json

# Start from a clean slate, but keep the hand-written notes (FINDINGS.md, README-section.md).
mkdir -p "$OUT"
rm -rf "$OUT/shards" "$OUT/correlate" "$OUT/correlate-c4" "$OUT"/compare-* "$OUT/report.html" "$OUT/stability.csv"
for m in "${MODELS[@]}"; do rm -rf "${OUT:?}/$m"; done

n=${#MODELS[@]}
k=0
for m in "${MODELS[@]}"; do
  k=$((k + 1))
  for i in 0 1; do
    log "[$k/$n] measure $m shard $i/2"
    "${EP[@]}" measure "$ZOO/$m.onnx" "${MEASURE_FLAGS[@]}" --shard "$i/2" --no-plots --force \
      --out "$OUT/shards/$m-$i" > /dev/null
  done
  log "[$k/$n] merge $m -> $OUT/$m/"
  "${EP[@]}" merge "$OUT/shards/$m-0" "$OUT/shards/$m-1" --out "$OUT/$m" > /dev/null
done

RESULTS=()
for m in "${MODELS[@]}"; do RESULTS+=("$OUT/$m"); done

log "correlate (10k-test accuracy) -> $OUT/correlate/"
"${EP[@]}" correlate "${RESULTS[@]}" --accuracy "$ZOO/accuracy.csv" --out "$OUT/correlate" > /dev/null
log "correlate (C4-avg accuracy) -> $OUT/correlate-c4/"
"${EP[@]}" correlate "${RESULTS[@]}" --accuracy "$ZOO/accuracy.csv" --column c4_avg_accuracy \
  --out "$OUT/correlate-c4" --no-plots > /dev/null

compare() {
  local group=$1; shift
  local dirs=()
  for m in "$@"; do dirs+=("$OUT/$m"); done
  log "compare $group: $* -> $OUT/compare-$group/"
  "${EP[@]}" compare "${dirs[@]}" --out "$OUT/compare-$group" > /dev/null
}
compare architectures cnn7 resnet_w16 vit mixer
compare augmentation cnn7 cnn7_rot cnn7_shift
compare capacity resnet_w8 resnet_w16 resnet_w32 resnet_w64
compare enforced p4cnn cnn7 cnn7_rot resnet_w16

log "report -> $OUT/report.html"
"${EP[@]}" report "${RESULTS[@]}" --accuracy "$ZOO/accuracy.csv" --title "equiprobe: Fashion-MNIST zoo" \
  --out "$OUT/report.html" > /dev/null

log "stability -> $OUT/stability.csv"
node scripts/zoo-stability.mjs "$OUT" "${MODELS[@]}"

# Keep results/zoo small enough to commit: the states (state/, with the per-image rows that
# intervals and paired comparisons need) are only needed to merge and compare; the shard halves
# are summarised in stability.csv. ZOO_KEEP_SHARDS=1 keeps the shard folders (without their state).
if [[ "${ZOO_KEEP_SHARDS:-0}" == 1 ]]; then
  log "removing the states (keeping the shard folders: ZOO_KEEP_SHARDS=1)"
  rm -rf "$OUT"/shards/*/state "$OUT"/shards/*/state.json
else
  log "removing the states and the shard folders"
  rm -rf "$OUT/shards"
fi
for m in "${MODELS[@]}"; do rm -rf "$OUT/$m/state" "$OUT/$m/state.json"; done

log "done in $((SECONDS - start)) s: $OUT/ ($(du -sh "$OUT" | cut -f1))"
