/**
 * One row of `npm run bench -- scale` in its own process, so that its peak RSS is its own:
 * `node dist-bench/bench/scale-one.js <model.onnx> <images> <transform> <stateDir>` measures seeded
 * synthetic 64×64 images into `stateDir` and prints one JSON line: total seconds, peak RSS, bytes
 * of the state folder on disk, per-batch seconds and checkpoint (commit) seconds, images per second.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { RunState } from '../src/measure/run-state.js';
import { measure } from '../src/pipeline.js';
import type { TransformName } from '../src/types.js';

const [model, imagesArg, transform, stateDir] = process.argv.slice(2);
const images = Number(imagesArg);

/** This process's peak RSS (VmHWM; see bench/one.ts). */
function peakRssMiB(): number {
  const kib = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return kib ? Number(kib[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

function diskBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((s, e) => s + (e.isDirectory() ? diskBytes(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).size), 0);
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// Time every commit: the checkpoint work of a batch (append rows, rewrite the fixed-size state).
const commits: number[] = [];
const commit = RunState.prototype.commit;
RunState.prototype.commit = async function (this: RunState, ...args: Parameters<typeof commit>) {
  const t0 = performance.now();
  await commit.apply(this, args);
  commits.push((performance.now() - t0) / 1000);
};

const batches: number[] = [];
const start = performance.now();
let last = start;
let loopEnd = start;
await measure({
  model,
  synthetic: images,
  transforms: [transform as TransformName],
  shiftMode: 'roll',
  batch: 32,
  stateDir,
  onCheckpoint: () => {
    const now = performance.now();
    batches.push((now - last) / 1000);
    last = loopEnd = now;
  },
});
const seconds = (performance.now() - start) / 1000;
process.stdout.write(
  `${JSON.stringify({
    seconds,
    loopSeconds: (loopEnd - start) / 1000,
    maxRssMiB: peakRssMiB(),
    diskBytes: diskBytes(stateDir),
    batchSeconds: median(batches.slice(1)),
    // The first commit is the empty state written at the start.
    checkpointSeconds: median(commits.slice(1)),
    imagesPerSecond: images / seconds,
  })}\n`,
);
