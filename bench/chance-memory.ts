/**
 * `node dist-bench/bench/chance-memory.js <images> [K=2048] [threads=2] [product MiB]`: the peak memory and CPU of
 * one vector probe's jackknife and chance level at the end of a large run (`chanceFromRows`,
 * src/measure/vector-chance.ts), alone: seeded random rows of v′ and v (K wide, float32) in a
 * per-image store in TMPDIR, null pairs of consecutive rows, then one `chanceFromRows` with
 * onnxruntime's products, RSS and ArrayBuffers sampled every 20 ms. Prints one JSON line: the RSS
 * before, the peaks during, wall and CPU seconds. Its peak should not grow with the images
 * (SPEC §8: flat memory), which the scale benchmark checks for a whole run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mulberry32 } from '../src/images/prng.js';
import { chanceFromRows } from '../src/measure/vector-chance.js';
import { CrossProducts } from '../src/scored-models/metric.js';
import { AppendStore } from '../src/store/append-store.js';

const images = Number(process.argv[2] ?? 1000);
const k = Number(process.argv[3] ?? 2048);
const threads = Number(process.argv[4] ?? 2);
const productMiB = process.argv[5] === undefined ? undefined : Number(process.argv[5]);
const dir = mkdtempSync(path.join(tmpdir(), 'equiprobe-chance-memory-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const store = await AppendStore.create(dir, [
  { name: 'moved', type: 'float32', width: k },
  { name: 'original', type: 'float32', width: k },
  { name: 'pair', type: 'int32', width: 1 },
]);
const rand = mulberry32(1);
const BATCH = 256;
for (let done = 0; done < images; done += BATCH) {
  const n = Math.min(BATCH, images - done);
  const original = Float32Array.from({ length: n * k }, () => rand());
  await store.append({
    moved: original.map((v) => 0.5 * v + rand()),
    original,
    pair: Int32Array.from({ length: n }, (_, i) => Math.floor((done + i) / 2)),
  });
}

const MiB = 2 ** 20;
const before = process.memoryUsage().rss / MiB;
const peak = { rss: 0, arrayBuffers: 0 };
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peak.rss = Math.max(peak.rss, m.rss / MiB);
  peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers / MiB);
}, 20);
const products = new CrossProducts({ threads });
const start = performance.now();
const cpu0 = process.cpuUsage();
const chance = await chanceFromRows([store], { moved: 'moved', original: 'original', pair: 'pair' }, k, true, Math.floor(images / 2), products.product, { productBytes: productMiB === undefined ? undefined : productMiB * 2 ** 20 });
const cpu = process.cpuUsage(cpu0);
clearInterval(sampler);
await products.release();
process.stdout.write(
  `${JSON.stringify({
    images,
    k,
    productMiB,
    rssBeforeMiB: Math.round(before),
    peakRssMiB: Math.round(peak.rss),
    peakArrayBuffersMiB: Math.round(peak.arrayBuffers),
    seconds: Number(((performance.now() - start) / 1000).toFixed(1)),
    cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(1)),
    nullInv: chance.null.inv.sum / chance.null.inv.n,
  })}\n`,
);
