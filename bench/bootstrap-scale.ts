/**
 * The map-layer bootstrap at ImageNet scale (SPEC §4b: B = 1000 replicates over N images):
 * `npm run build && npx tsc -p bench/tsconfig.json && node dist-bench/bench/bootstrap-scale.js [images] [layers]` times
 * `bootstrapReplicates` over `layers` layer × transform entries (inv and eqv each: 2·layers series)
 * of seeded per-image sums, and prints one JSON line: CPU seconds (and wall seconds), of which
 * drawing the replicates, CPU nanoseconds per (replicate, series, image) after the draws, and the bytes the per-image sums take in memory
 * (`readMapImageSums`: scores and nulls, sum and count, float64).
 */
import { bootstrapReplicates, REPLICATES, type PerImageSums } from '../src/stats/bootstrap.js';
import { replicateDraws } from '../src/stats/splitmix64.js';
import { mulberry32 } from '../src/images/prng.js';

const images = Number(process.argv[2] ?? 50_000);
const layers = Number(process.argv[3] ?? 100);
const random = mulberry32(1);
const series: PerImageSums[] = Array.from({ length: 2 * layers }, () => ({
  sum: Float64Array.from({ length: images }, () => random() * 40),
  count: Float64Array.from({ length: images }, () => 64),
}));

// CPU seconds of this (single-threaded) process: on a shared machine wall-clock time moves with the load.
const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
};
const c0 = process.cpuUsage();
const draws = new Uint32Array(images);
for (let b = 0; b < REPLICATES; b++) replicateDraws(b, images, draws);
const drawSeconds = cpuSeconds(c0);
const c1 = process.cpuUsage();
const w1 = performance.now();
bootstrapReplicates(series);
const seconds = cpuSeconds(c1);
const wallSeconds = (performance.now() - w1) / 1000;
process.stdout.write(
  `${JSON.stringify({
    images,
    layers,
    replicates: REPLICATES,
    cpuSeconds: seconds,
    wallSeconds,
    drawCpuSeconds: drawSeconds,
    nsPerReplicateSeriesImage: ((seconds - drawSeconds) * 1e9) / (REPLICATES * 2 * layers * images),
    perImageSumsMiB: (images * layers * 8 * 8) / 2 ** 20,
  })}\n`,
);
