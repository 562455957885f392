/**
 * One row of `npm run bench -- scale` in its own process, so that its peak RSS is its own:
 * `node dist-bench/bench/scale-one.js <model.onnx> <images> <transform> <stateDir>` measures seeded
 * synthetic 64×64 images into `stateDir` and prints one JSON line: total seconds, peak RSS, bytes
 * of the state folder on disk, mean seconds per batch of the measuring loop and of its checkpoint
 * work per batch that the loop waits for (appending the batch's rows, and the commits it waits for
 * or starts in the background: their mean, spread over the batches, and the median batch's), the
 * median commit (whole, in the background or not; the first, of the empty state at the start, left
 * out), images per second, and CPU seconds (user + system, all threads) per image; and of the
 * checkpoint work per batch, the seconds the main thread spent on a CPU and waiting for one (its
 * /proc schedstat), so that a shared machine's load can be told apart from work that grows with N;
 * and the seconds per batch the appends' writes took in the background (after the loop moved on).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Checkpoints } from '../src/measure/checkpoints.js';
import { RunState } from '../src/measure/run-state.js';
import { measure } from '../src/pipeline.js';
import type { TransformName } from '../src/types.js';
import { timeBackgroundWrites } from './background-writes.js';

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

/** The main thread's seconds on a CPU and waiting on a run queue (/proc schedstat, nanoseconds). */
const schedstat = () => readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ').slice(0, 2).map((ns) => Number(ns) / 1e9);

// Time the checkpoint work the measuring loop waits for: every batch's append of its per-image rows
// and what follows it (`Checkpoints.afterBatch`: a commit the loop waits for, or the start of one in
// the background), and the last commit (`finish`). Commits are counted and timed whole apart.
const appends: number[] = [];
const afterBatches: number[] = [];
const commits: number[] = [];
const checkpointMainThread = { cpu: 0, queued: 0 };
function timed<T extends object>(prototype: T, name: string, times: number[], mainThread: boolean): void {
  const target = prototype as unknown as Record<string, (...args: unknown[]) => Promise<void>>;
  const original = target[name];
  target[name] = async function (this: unknown, ...args: unknown[]) {
    const t0 = performance.now();
    const [cpu0, queued0] = schedstat();
    await original.apply(this, args);
    times.push((performance.now() - t0) / 1000);
    const [cpu1, queued1] = schedstat();
    if (mainThread) {
      checkpointMainThread.cpu += cpu1 - cpu0;
      checkpointMainThread.queued += queued1 - queued0;
    }
  };
}
timed(RunState.prototype, 'append', appends, true);
timed(Checkpoints.prototype, 'afterBatch', afterBatches, true);
timed(Checkpoints.prototype, 'finish', afterBatches, true);
timed(RunState.prototype, 'commit', commits, false);

// Each append's writes, which run while the next batch is measured: off the loop's path, not part of its checkpoint seconds.
const backgroundWrites = timeBackgroundWrites();

const sum = (v: number[]) => v.reduce((s, x) => s + x, 0);
const cpu0 = process.cpuUsage();
const start = performance.now();
let loopEnd = start;
await measure({
  model,
  synthetic: images,
  transforms: [transform as TransformName],
  shiftMode: 'roll',
  batch: 32,
  stateDir,
  onCheckpoint: () => {
    loopEnd = performance.now();
  },
});
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpu0);
const checkpointSeconds = sum(appends) + sum(afterBatches);
const batches = appends.length;
// Each batch's wait: its append and the `afterBatch` after it; the last batch's also `finish`.
const perBatch = appends.map((a, i) => a + afterBatches[i] + (i === batches - 1 ? sum(afterBatches.slice(batches)) : 0));
const loopSeconds = (loopEnd - start) / 1000;
process.stdout.write(
  `${JSON.stringify({
    seconds,
    loopSeconds,
    maxRssMiB: peakRssMiB(),
    diskBytes: diskBytes(stateDir),
    batches,
    commits: commits.length - 1,
    batchSeconds: loopSeconds / batches,
    checkpointSeconds: checkpointSeconds / batches,
    checkpointMedianSeconds: median(perBatch),
    checkpointCpuSeconds: checkpointMainThread.cpu / batches,
    checkpointQueuedSeconds: checkpointMainThread.queued / batches,
    backgroundWriteSeconds: sum(backgroundWrites) / 1000 / batches,
    commitSeconds: median(commits.slice(1)),
    imagesPerSecond: images / seconds,
    cpuSecondsPerImage: (cpu.user + cpu.system) / 1e6 / images,
  })}\n`,
);
