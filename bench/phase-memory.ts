/**
 * Where a scale run's memory goes: `npx tsc -p bench/tsconfig.json && node dist-bench/bench/phase-memory.js <images> [transform]`
 * measures the scale benchmark's model (bench/scale-model.ts, Final 1000) on seeded synthetic
 * images (rot90 unless told), sampling every 50 ms, and prints the peaks of the measuring loop and
 * of the final scoring apart: RSS, V8 heap, and the ArrayBuffers that hold the co-moments and row
 * chunks; whatever RSS has beyond them is native (onnxruntime, malloc). At each phase's RSS peak it
 * also records /proc/self/smaps_rollup (anonymous against file-backed pages) and the V8 heap by
 * space, and over the whole run the most Dirty and Writeback pages of /proc/meminfo (appends
 * waiting on the disk show as Writeback).
 *
 * Run as `node --expose-gc dist-bench/bench/phase-memory.js …` it also collects all garbage after
 * every forward pass of the measuring loop (slowly) and prints the RSS and V8 heap that are left (live memory)
 * over the loop's first and last tenth: what the loop holds, apart from garbage not yet collected.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { measure } from '../src/pipeline.js';
import type { TransformName } from '../src/types.js';
import { buildScaleModel } from './scale-model.js';

const images = Number(process.argv[2] ?? 1000);
const transform = (process.argv[3] ?? 'rot90') as TransformName;
const dir = mkdtempSync(path.join(tmpdir(), 'equiprobe-phase-memory-'));
const model = path.join(dir, 'scale.onnx');
writeFileSync(model, buildScaleModel(1000));

/** kB fields of a /proc file, in MiB. */
function procMiB(file: string, names: readonly string[]): Record<string, number> {
  const text = readFileSync(file, 'utf8');
  return Object.fromEntries(names.map((n) => [n, Number(new RegExp(`^${n}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) / 1024]));
}
const SMAPS = ['Rss', 'Anonymous', 'Private_Dirty', 'Shared_Clean', 'Private_Clean'];

type Peaks = { rss: number; heapUsed: number; arrayBuffers: number; atRss: Record<string, number> };
const empty = (): Peaks => ({ rss: 0, heapUsed: 0, arrayBuffers: 0, atRss: {} });
const peaks: Record<'loop' | 'final', Peaks> = { loop: empty(), final: empty() };
const disk = { Dirty: 0, Writeback: 0 };
let phase: 'loop' | 'final' = 'loop';
/** Live memory (RSS and V8 heap after a full collection) per forward pass of the loop, with `--expose-gc`. */
const collect = (globalThis as { gc?: () => void }).gc;
const live: { rss: number; heap: number }[] = [];
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  const p = peaks[phase];
  if (m.rss > p.rss) {
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [`heap ${s.space_name}`, s.space_used_size / 2 ** 20]));
    p.atRss = { ...procMiB('/proc/self/smaps_rollup', SMAPS), arrayBuffers: m.arrayBuffers / 2 ** 20, external: m.external / 2 ** 20, ...spaces };
  }
  p.rss = Math.max(p.rss, m.rss);
  p.heapUsed = Math.max(p.heapUsed, m.heapUsed);
  p.arrayBuffers = Math.max(p.arrayBuffers, m.arrayBuffers);
  const mem = procMiB('/proc/meminfo', ['Dirty', 'Writeback']);
  disk.Dirty = Math.max(disk.Dirty, mem.Dirty);
  disk.Writeback = Math.max(disk.Writeback, mem.Writeback);
}, 50);
try {
  await measure({
    model,
    synthetic: images,
    transforms: [transform],
    shiftMode: 'roll',
    batch: 32,
    stateDir: path.join(dir, 'state'),
    onProgress: (done, total) => {
      if (done >= total) phase = 'final';
      else if (collect) {
        collect();
        const m = process.memoryUsage();
        live.push({ rss: m.rss / 2 ** 20, heap: m.heapUsed / 2 ** 20 });
      }
    },
  });
} finally {
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
}
const mib = (b: number) => (b / 2 ** 20).toFixed(0);
for (const [name, p] of Object.entries(peaks)) {
  const at = Object.entries(p.atRss)
    .filter(([, v]) => v >= 0.5)
    .map(([k, v]) => `${k} ${v.toFixed(0)}`)
    .join(', ');
  process.stdout.write(`${images} images ${transform}, ${name}: peak RSS ${mib(p.rss)} MiB, V8 heap ${mib(p.heapUsed)} MiB, ArrayBuffers ${mib(p.arrayBuffers)} MiB; at the RSS peak (MiB): ${at}\n`);
}
process.stdout.write(`${images} images ${transform}, MALLOC_MMAP_THRESHOLD_=${process.env.MALLOC_MMAP_THRESHOLD_ ?? 'unset'}\n`);
process.stdout.write(`${images} images ${transform}, machine: most Dirty ${disk.Dirty.toFixed(0)} MiB, most Writeback ${disk.Writeback.toFixed(0)} MiB\n`);
if (collect && live.length > 0) {
  // A tenth of the passes, at least one.
  const tenth = Math.max(1, Math.ceil(live.length / 10));
  const range = (v: number[]) => `${Math.min(...v).toFixed(0)}–${Math.max(...v).toFixed(0)}`;
  for (const [name, rows] of [['first', live.slice(0, tenth)], ['last', live.slice(-tenth)]] as const) {
    process.stdout.write(`${images} images ${transform}, loop's ${name} tenth after each collection: RSS ${range(rows.map((r) => r.rss))} MiB, V8 heap ${range(rows.map((r) => r.heap))} MiB\n`);
  }
}
