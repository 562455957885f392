/**
 * The map-layer bootstrap at ImageNet scale (SPEC §4b: B = 1000 replicates over N images):
 * `npm run build && npx tsc -p bench/tsconfig.json && node dist-bench/bench/bootstrap-scale.js [images] [layers] [memory|stream]`
 * writes a run's per-image store with seeded map rows for `layers` layer × transform entries
 * (map probes under translate by one shift: one element each), then computes their bootstrap
 * replicates (inv and eqv: 2·layers series) and prints one JSON line: CPU and wall seconds,
 * the peak RSS while computing them above the RSS before, and a SHA-256 of the replicates' bytes
 * (equal across modes when the numbers are equal to the last bit).
 *
 * - `memory`: the per-image sums in memory (`readMapImageSums`, 64 bytes per image per entry) and
 *   `mapReplicates`, as compare does and as runs did before;
 * - `stream` (default): `mapBootstrap`, as runs do: scratch files, one chunk of images at a time.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mulberry32 } from '../src/images/prng.js';
import { NULL_COLUMN, SCORE_COLUMN, SHA256_COLUMN } from '../src/measure/batch.js';
import { mapBootstrap } from '../src/measure/map-bootstrap.js';
import { readMapImageSums } from '../src/measure/per-image-read.js';
import { FILE_COLUMN, PAIR_COLUMN } from '../src/measure/run-state.js';
import { rowLayout } from '../src/stats/per-image.js';
import { mapReplicates } from '../src/stats/uncertainty.js';
import { AppendStore } from '../src/store/append-store.js';
import { groupElements } from '../src/transforms/index.js';
import type { ProbeInfo } from '../src/types.js';

const images = Number(process.argv[2] ?? 50_000);
const layers = Number(process.argv[3] ?? 100);
const mode = process.argv[4] ?? 'stream';
if (mode !== 'memory' && mode !== 'stream') throw new Error(`mode must be memory or stream, not '${mode}'`);

const probes = Array.from({ length: layers }, (_, i) => ({ name: `m${i}`, op: 'Relu', depth: i, kind: 'map', format: 'NCHW', dims: [1, 2, 4, 4], batchAxis: 0, channels: 2, h: 4, w: 4, prefixTokens: 0, part: 'Early' }) as ProbeInfo);
const layout = rowLayout(probes, new Map([['translate', groupElements('translate', { shifts: [1], height: 8 })]]));
const dir = mkdtempSync(path.join(tmpdir(), 'equiprobe-bootstrap-scale-'));
const vmKiB = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN);
try {
  const store = await AppendStore.create(path.join(dir, 'rows'), [
    { name: FILE_COLUMN, type: 'text', width: 1 },
    { name: PAIR_COLUMN, type: 'int32', width: 1 },
    { name: SHA256_COLUMN, type: 'text', width: 1 },
    { name: SCORE_COLUMN, type: 'float64', width: layout.width },
    { name: NULL_COLUMN, type: 'float64', width: layout.width },
  ]);
  const random = mulberry32(1);
  // Seeded rows as a run appends them (null order is not path order): inv/eqv sums in [0, 40), counts 64.
  for (let start = 0; start < images; start += 1000) {
    const ids = Array.from({ length: Math.min(1000, images - start) }, (_, i) => start + i);
    const values = () => Float64Array.from({ length: ids.length * layout.width }, (_, i) => (i % 2 ? 64 : random() * 40));
    await store.append({ [FILE_COLUMN]: ids.map((j) => `img${(j * 7919) % images}.png`), [PAIR_COLUMN]: Int32Array.from(ids, (j) => j >> 1), [SHA256_COLUMN]: ids.map((j) => `${j}`), [SCORE_COLUMN]: values(), [NULL_COLUMN]: values() });
  }
  // Reset the peak RSS (VmHWM) so that it is the bootstrap's own.
  writeFileSync('/proc/self/clear_refs', '5');
  const rssBefore = vmKiB('VmRSS');
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  let replicates: Float64Array[];
  if (mode === 'memory') {
    const sums = await readMapImageSums([store], layout);
    const byKey = mapReplicates(layout, sums.scores);
    replicates = [...byKey.values()].flatMap((r) => [r.inv, r.eqv]);
  } else {
    replicates = (await mapBootstrap([store], layout, { scratchDir: dir })).replicates.flatMap((r) => [r.inv, r.eqv]);
  }
  const u = process.cpuUsage(c0);
  const hash = createHash('sha256');
  for (const r of replicates) hash.update(new Uint8Array(r.buffer, r.byteOffset, r.byteLength));
  process.stdout.write(
    `${JSON.stringify({
      images,
      layers,
      mode,
      cpuSeconds: (u.user + u.system) / 1e6,
      wallSeconds: (performance.now() - w0) / 1000,
      rssBeforeMiB: rssBefore / 1024,
      peakAboveMiB: (vmKiB('VmHWM') - rssBefore) / 1024,
      replicatesSha256: hash.digest('hex').slice(0, 16),
    })}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
