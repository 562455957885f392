import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NULL_COLUMN, SCORE_COLUMN, SHA256_COLUMN } from '../../src/measure/batch.js';
import { readMapImageSums } from '../../src/measure/per-image-read.js';
import { FILE_COLUMN, PAIR_COLUMN } from '../../src/measure/run-state.js';
import { rowLayout } from '../../src/stats/per-image.js';
import { AppendStore } from '../../src/store/append-store.js';
import { groupElements } from '../../src/transforms/index.js';
import type { ProbeInfo } from '../../src/types.js';

const map = (name: string): ProbeInfo => ({ name, op: 'Relu', depth: 0, kind: 'map', format: 'NCHW', dims: [1, 2, 4, 4], batchAxis: 0, channels: 2, h: 4, w: 4, prefixTokens: 0, part: 'Early' }) as ProbeInfo;

describe('readMapImageSums (SPEC §4b per-image scores)', () => {
  it('pools each image’s elements per layer and puts images of several stores in sorted path order', async () => {
    // Two map layers × rot90 (3 elements): 24 numbers per row; image j's slot value is j·100 + slot index.
    const layout = rowLayout([map('a'), map('b')], new Map([['rot90', groupElements('rot90', { shifts: [], height: 4 })]]));
    expect(layout.width).toBe(24);
    const columns = [
      { name: FILE_COLUMN, type: 'text', width: 1 },
      { name: PAIR_COLUMN, type: 'int32', width: 1 },
      { name: SHA256_COLUMN, type: 'text', width: 1 },
      { name: SCORE_COLUMN, type: 'float64', width: 24 },
      { name: NULL_COLUMN, type: 'float64', width: 24 },
    ] as const;
    const dir = mkdtempSync(path.join(tmpdir(), 'equiprobe-per-image-'));
    const row = (j: number) => Float64Array.from({ length: 24 }, (_, o) => j * 100 + o);
    const shard = async (name: string, images: [string, number][]) => {
      const store = await AppendStore.create(path.join(dir, name), [...columns]);
      const scores = new Float64Array(24 * images.length);
      const nulls = new Float64Array(24 * images.length);
      images.forEach(([, j], i) => {
        scores.set(row(j), 24 * i);
        // Image 3 is outside the null set: its null row is NaN.
        nulls.set(j === 3 ? new Float64Array(24).fill(NaN) : row(j).map((v) => v / 2), 24 * i);
      });
      await store.append({ [FILE_COLUMN]: images.map(([f]) => f), [PAIR_COLUMN]: Int32Array.from(images, ([, j]) => j), [SHA256_COLUMN]: images.map(([f]) => `sha-${f}`), [SCORE_COLUMN]: scores, [NULL_COLUMN]: nulls });
      return store;
    };
    const stores = [await shard('s0', [['d.png', 3], ['b.png', 1]]), await shard('s1', [['c.png', 2], ['a.png', 0]])];
    const sums = await readMapImageSums(stores, layout);
    expect(sums.files).toEqual(['a.png', 'b.png', 'c.png', 'd.png']);
    expect(sums.sha256).toEqual(['sha-a.png', 'sha-b.png', 'sha-c.png', 'sha-d.png']);
    expect([...sums.pairs]).toEqual([0, 1, 2, 3]);
    // Layer a's slots are offsets 0, 4, 8; inv sum at +0: 3·100j + 12, inv count at +1: 3·100j + 15, …
    expect([...sums.scores[0].inv.sum]).toEqual([12, 312, 612, 912]);
    expect([...sums.scores[0].eqv.count]).toEqual([21, 321, 621, 921]);
    // Layer b: offsets 12, 16, 20.
    expect([...sums.scores[1].inv.sum]).toEqual([48, 348, 648, 948]);
    expect([...sums.nulls[1].inv.sum]).toEqual([24, 174, 324, 0]);
    // Chance: Σ null sums / Σ null counts over the null set (images 0–2).
    expect(sums.chance[0].inv).toBeCloseTo((6 + 156 + 306) / (7.5 + 157.5 + 307.5), 12);
  });
});
