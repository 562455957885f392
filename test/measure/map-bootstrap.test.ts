import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NULL_COLUMN, SCORE_COLUMN, SHA256_COLUMN } from '../../src/measure/batch.js';
import { mapBootstrap } from '../../src/measure/map-bootstrap.js';
import { readMapImageSums } from '../../src/measure/per-image-read.js';
import { FILE_COLUMN, PAIR_COLUMN } from '../../src/measure/run-state.js';
import { mulberry32 } from '../../src/images/prng.js';
import { addReplicateChunk, bootstrapReplicates, emptyReplicateTotals, replicateMeans } from '../../src/stats/bootstrap.js';
import { rowLayout } from '../../src/stats/per-image.js';
import { replicateDraws } from '../../src/stats/splitmix64.js';
import { mapReplicates } from '../../src/stats/uncertainty.js';
import { AppendStore } from '../../src/store/append-store.js';
import { groupElements } from '../../src/transforms/index.js';
import type { ProbeInfo } from '../../src/types.js';

const map = (name: string): ProbeInfo => ({ name, op: 'Relu', depth: 0, kind: 'map', format: 'NCHW', dims: [1, 2, 4, 4], batchAxis: 0, channels: 2, h: 4, w: 4, prefixTokens: 0, part: 'Early' }) as ProbeInfo;

// Sums whose order of addition shows in the last bits: magnitudes from 1e-8 to 1e8.
const wild = (random: () => number) => (random() - 0.3) * 10 ** Math.floor(random() * 16 - 8);
const bitsEqual = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

describe('streaming bootstrap (SPEC §4b replicates, chunk by chunk)', () => {
  it('gives the bits of the in-memory bootstrap for any cut into chunks', () => {
    const random = mulberry32(7);
    const n = 301;
    const series = Array.from({ length: 3 }, () => ({ sum: Float64Array.from({ length: n }, () => wild(random)), count: Float64Array.from({ length: n }, () => Math.floor(random() * 3)) }));
    const replicates = 40;
    const reference = bootstrapReplicates(series, replicates);
    // Adding the same numbers in another order changes the last bits: the test can fail.
    const reversed = bootstrapReplicates(series.map((s) => ({ sum: s.sum.slice().reverse(), count: s.count.slice().reverse() })), replicates);
    expect(reference.every((r, l) => bitsEqual(r, reversed[l]))).toBe(false);
    const draws = Array.from({ length: replicates }, (_, b) => replicateDraws(b, n));
    for (const chunk of [1, 7, 100, n]) {
      const totals = emptyReplicateTotals(series.length, replicates);
      for (let a = 0; a < n; a += chunk) {
        const e = Math.min(n, a + chunk);
        const weights = new Uint8Array(replicates * (e - a));
        for (let b = 0; b < replicates; b++) for (const k of draws[b]) if (k >= a && k < e) weights[b * (e - a) + k - a] += 1;
        addReplicateChunk(totals, weights, e - a, series.map((s) => ({ sum: s.sum.subarray(a, e), count: s.count.subarray(a, e) })));
      }
      const streamed = replicateMeans(totals);
      expect(streamed.every((r, l) => bitsEqual(r, reference[l]))).toBe(true);
    }
  });

  it('reads a run’s stores from disk in chunks and gives the replicates and chance of the rows in memory, bit for bit', async () => {
    // Two map layers × rot90 (3 elements): 24 numbers per row; two shards, rows in no sorted order.
    const layout = rowLayout([map('a'), map('b')], new Map([['rot90', groupElements('rot90', { shifts: [], height: 4 })]]));
    const columns = [
      { name: FILE_COLUMN, type: 'text', width: 1 },
      { name: PAIR_COLUMN, type: 'int32', width: 1 },
      { name: SHA256_COLUMN, type: 'text', width: 1 },
      { name: SCORE_COLUMN, type: 'float64', width: layout.width },
      { name: NULL_COLUMN, type: 'float64', width: layout.width },
    ] as const;
    const dir = mkdtempSync(path.join(tmpdir(), 'equiprobe-map-bootstrap-'));
    const random = mulberry32(11);
    const shard = async (name: string, images: number[]) => {
      const store = await AppendStore.create(path.join(dir, name), [...columns]);
      const scores = Float64Array.from({ length: layout.width * images.length }, (_, i) => (i % 2 ? Math.floor(random() * 4) : wild(random)));
      const nulls = Float64Array.from({ length: layout.width * images.length }, (_, i) => (Math.floor(i / layout.width) % 5 === 0 ? NaN : i % 2 ? 1 : random()));
      await store.append({ [FILE_COLUMN]: images.map((j) => `img-${(j * 7919) % 1000}.png`), [PAIR_COLUMN]: Int32Array.from(images, (j) => j >> 1), [SHA256_COLUMN]: images.map((j) => `sha-${j}`), [SCORE_COLUMN]: scores, [NULL_COLUMN]: nulls });
      return store;
    };
    const stores = [await shard('s0', Array.from({ length: 130 }, (_, j) => j)), await shard('s1', Array.from({ length: 97 }, (_, j) => 130 + j))];
    const inMemory = await readMapImageSums(stores, layout);
    const reference = mapReplicates(layout, inMemory.scores);
    const scratch = mkdtempSync(path.join(tmpdir(), 'equiprobe-scratch-'));
    // 2 layers: 64 bytes of sums and 1000 bytes of weights per image, so 4,000 bytes make chunks of 4 images.
    for (const chunkBytes of [4000, 2 ** 22]) {
      const streamed = await mapBootstrap(stores, layout, { scratchDir: scratch, chunkBytes });
      expect(streamed.chance).toEqual(inMemory.chance);
      layout.layers.forEach((slots, l) => {
        const r = reference.get(`${slots.probe}\u0000${slots.transform}`)!;
        expect(bitsEqual(streamed.replicates[l].inv, r.inv)).toBe(true);
        expect(bitsEqual(streamed.replicates[l].eqv, r.eqv)).toBe(true);
      });
    }
    expect(readdirSync(scratch)).toEqual([]);
  });
});
