/**
 * Do a run's appends get slower as its store grows? `npx tsc -p bench/tsconfig.json && node dist-bench/bench/append-scale.js [images] [pauseMs] [elements]`
 * appends batches of 32 rows shaped as the scale benchmark's rows (file, pair, SHA-256, map score
 * and null rows, and Pool 2048 / Final 1000 float32 vectors of the original and `elements` group
 * elements: 3 as rot90, 1.56 MB per batch; 31 as translate, 12.5 MB) to a fresh store, pausing `pauseMs` between batches as a run's
 * measuring does, and prints one JSON line: wall milliseconds per append, of which on the CPU and
 * waiting for one (the main thread's /proc schedstat), and of the appends' writes in the background
 * (until the next append waits for them), over the first and the last 1,000 images
 * and over all, the median CPU per append in each tenth of the run, and the most Dirty and Writeback memory of /proc/meminfo seen while it ran
 * (appends that wait for the disk's writeback show as wall time beyond those two).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppendStore, type ColumnSpec } from '../src/store/append-store.js';
import { timeBackgroundWrites } from './background-writes.js';

// Each append's writes, apart from the append, whose wall time is then only what the loop waits.
const backgroundWrites = timeBackgroundWrites();

const images = Number(process.argv[2] ?? 20_000);
const pauseMs = Number(process.argv[3] ?? 150);
const BATCH = 32;
const dir = mkdtempSync(path.join(tmpdir(), 'equiprobe-append-scale-'));
const elements = Number(process.argv[4] ?? 3);
const vectors: ColumnSpec[] = ['original', ...Array.from({ length: elements }, (_, i) => `k${i + 1}`)].flatMap((id) => [
  { name: `pool:${id}`, type: 'float32', width: 2048 },
  { name: `final:${id}`, type: 'float32', width: 1000 },
]);
const columns: ColumnSpec[] = [
  { name: 'file', type: 'text', width: 1 },
  { name: 'pair', type: 'int32', width: 1 },
  { name: 'sha256', type: 'text', width: 1 },
  { name: 'scores', type: 'float64', width: 12 },
  { name: 'nulls', type: 'float64', width: 12 },
  ...vectors,
];
/** The main thread's nanoseconds on a CPU and waiting on a run queue (/proc schedstat). */
const schedstat = () => readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ').slice(0, 2).map(Number);
const meminfo = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? NaN) / 1024;
const mean = (v: readonly number[]) => v.reduce((s, x) => s + x, 0) / v.length;
const median = (v: readonly number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
try {
  const store = await AppendStore.create(path.join(dir, 'rows'), columns);
  const wall: number[] = [];
  const cpu: number[] = [];
  const queued: number[] = [];
  let dirty = 0;
  let writeback = 0;
  for (let start = 0; start < images; start += BATCH) {
    const rows = Math.min(BATCH, images - start);
    const ids = Array.from({ length: rows }, (_, i) => start + i);
    const values: Record<string, Float32Array | Float64Array | Int32Array | string[]> = {
      file: ids.map((j) => `synthetic/${j}`),
      pair: Int32Array.from(ids, (j) => j >> 1),
      sha256: ids.map((j) => j.toString(16).padStart(64, '0')),
      scores: new Float64Array(rows * 12).fill(0.5),
      nulls: new Float64Array(rows * 12).fill(0.25),
    };
    for (const c of vectors) values[c.name] = new Float32Array(rows * c.width).fill(start);
    const [cpu0, queue0] = schedstat();
    const w0 = performance.now();
    await store.append(values);
    wall.push(performance.now() - w0);
    const [cpu1, queue1] = schedstat();
    cpu.push((cpu1 - cpu0) / 1e6);
    queued.push((queue1 - queue0) / 1e6);
    dirty = Math.max(dirty, meminfo('Dirty'));
    writeback = Math.max(writeback, meminfo('Writeback'));
    await sleep(pauseMs);
  }
  const per = Math.ceil(1000 / BATCH);
  const part = (v: number[], from: number, to: number) => ({ medianMs: median(v.slice(from, to)), meanMs: mean(v.slice(from, to)) });
  process.stdout.write(
    `${JSON.stringify({
      images,
      pauseMs,
      storeMiB: (await store.diskBytes()) / 2 ** 20,
      wallFirst1000: part(wall, 0, per),
      wallLast1000: part(wall, wall.length - per, wall.length),
      wallAll: part(wall, 0, wall.length),
      backgroundWritesFirst1000: part(backgroundWrites, 0, per),
      backgroundWritesLast1000: part(backgroundWrites, backgroundWrites.length - per, backgroundWrites.length),
      cpuFirst1000: part(cpu, 0, per),
      cpuLast1000: part(cpu, cpu.length - per, cpu.length),
      cpuAll: part(cpu, 0, cpu.length),
      runQueueFirst1000: part(queued, 0, per),
      runQueueLast1000: part(queued, queued.length - per, queued.length),
      runQueueAll: part(queued, 0, queued.length),
      // Median CPU ms per append over each tenth of the run, to see where a change happens.
      cpuByTenth: Array.from({ length: 10 }, (_, i) => +part(cpu, Math.floor((i * cpu.length) / 10), Math.floor(((i + 1) * cpu.length) / 10)).medianMs.toFixed(2)),
      mostDirtyMiB: dirty,
      mostWritebackMiB: writeback,
    })}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
