/**
 * Where a scale run's memory goes: `npx tsc -p bench/tsconfig.json && node dist-bench/bench/phase-memory.js <images>`
 * measures the scale benchmark's model (bench/scale-model.ts, Final 1000) on seeded synthetic
 * images under rot90, sampling `process.memoryUsage()` every 50 ms, and prints the peaks of the
 * measuring loop and of the final scoring apart: RSS, V8 heap, and the ArrayBuffers that hold the
 * co-moments and row chunks. Whatever RSS has beyond them is native (onnxruntime, malloc).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { measure } from '../src/pipeline.js';
import { buildScaleModel } from './scale-model.js';

const images = Number(process.argv[2] ?? 1000);
const dir = mkdtempSync(path.join(tmpdir(), 'equiprobe-phase-memory-'));
const model = path.join(dir, 'scale.onnx');
writeFileSync(model, buildScaleModel(1000));
type Peaks = { rss: number; heapUsed: number; arrayBuffers: number };
const peaks: Record<'loop' | 'final', Peaks> = { loop: { rss: 0, heapUsed: 0, arrayBuffers: 0 }, final: { rss: 0, heapUsed: 0, arrayBuffers: 0 } };
let phase: 'loop' | 'final' = 'loop';
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  const p = peaks[phase];
  p.rss = Math.max(p.rss, m.rss);
  p.heapUsed = Math.max(p.heapUsed, m.heapUsed);
  p.arrayBuffers = Math.max(p.arrayBuffers, m.arrayBuffers);
}, 50);
try {
  await measure({
    model,
    synthetic: images,
    transforms: ['rot90'],
    shiftMode: 'roll',
    batch: 32,
    stateDir: path.join(dir, 'state'),
    onProgress: (done, total) => {
      if (done >= total) phase = 'final';
    },
  });
} finally {
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
}
const mib = (b: number) => (b / 2 ** 20).toFixed(0);
for (const [name, p] of Object.entries(peaks)) {
  process.stdout.write(`${images} images, ${name}: peak RSS ${mib(p.rss)} MiB, V8 heap ${mib(p.heapUsed)} MiB, ArrayBuffers ${mib(p.arrayBuffers)} MiB\n`);
}
