import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PairOrderedRows } from '../../src/measure/pair-ordered-rows.js';
import { AppendStore } from '../../src/store/append-store.js';

describe("a large run's rows in null-pair order on scratch (SPEC §4b)", () => {
  it("a shard's pairs take consecutive positions, partners side by side, the unpaired image last; centred, a-side by tile", async () => {
    const k = 3;
    const pairs = 7; // 15 images: pairs 0–6 and the unpaired image k = 7
    // A shard holding pairs 1 and 4 and the unpaired image, stored out of order.
    const stored = [[4, 0], [4, 1], [7, 0], [1, 0], [1, 1]] as const;
    const value = (pair: number, i: number, c: number, side: number) => 100 * side + 10 * pair + i + c / 10;
    const store = await AppendStore.create(mkdtempSync(path.join(tmpdir(), 'equiprobe-pairrows-')), [
      { name: 'a', type: 'float32', width: k },
      { name: 'b', type: 'float32', width: k },
      { name: 'pair', type: 'int32', width: 1 },
    ]);
    await store.append({
      a: Float32Array.from(stored.flatMap(([p, i]) => [0, 1, 2].map((c) => value(p, i, c, 1)))),
      b: Float32Array.from(stored.flatMap(([p, i]) => [0, 1, 2].map((c) => value(p, i, c, 2)))),
      pair: Int32Array.from(stored.map(([p]) => p)),
    });
    const centre = { a: Float64Array.of(1, 2, 3), b: Float64Array.of(4, 5, 6) };
    const measured = new Uint8Array(pairs + 1);
    for (const [p] of stored) measured[p]++;
    const rows = await PairOrderedRows.write([store], { moved: 'a', original: 'b', pair: 'pair' }, k, centre, measured, 2);
    try {
      expect(rows.positions).toBe(5);
      expect([1, 4, 7].map((p) => rows.positionOf(p))).toEqual([0, 2, 4]);
      const order = [[1, 0], [1, 1], [4, 0], [4, 1], [7, 0]];
      const b = await rows.readB(0, 5);
      expect(Array.from(b)).toEqual(order.flatMap(([p, i]) => [0, 1, 2].map((c) => Math.fround(value(p, i, c, 2)) - centre.b[c])));
      // Tiles of two a-side channels: [0, 2) and [2, 3).
      expect(Array.from(await rows.readA(0, 2, 1, 3))).toEqual(order.slice(1, 4).flatMap(([p, i]) => [0, 1].map((c) => Math.fround(value(p, i, c, 1)) - centre.a[c])));
      expect(Array.from(await rows.readA(2, 3, 0, 5))).toEqual(order.map(([p, i]) => Math.fround(value(p, i, 2, 1)) - centre.a[2]));
    } finally {
      await rows.remove();
    }
  });
});
