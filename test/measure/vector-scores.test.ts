import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scoreVectorElement } from '../../src/measure/vector-scores.js';
import { vectorColumn } from '../../src/measure/vectors.js';
import { CrossProducts } from '../../src/scored-models/metric.js';
import { emptySums } from '../../src/scores/sums.js';
import { AppendStore } from '../../src/store/append-store.js';
import { seeded } from '../scores/vector-reference.js';

describe('scoreVectorElement on a probe wider than one tile', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'equiprobe-vector-scores-'));
  const products = new CrossProducts({ threads: 1 });
  afterAll(async () => {
    await products.release();
    rmSync(dir, { recursive: true, force: true });
  });

  it('v′ = v: every channel scores 1 in both tiles (the second reuses the first tile\'s buffer)', async () => {
    // 4100 channels: 4100² float64 co-moments pass the 128 MiB tile limit, so two tiles (4095 + 5).
    const k = 4100;
    const n = 6;
    const rand = seeded(9);
    const v = Float32Array.from({ length: n * k }, () => rand());
    const store = await AppendStore.create(dir, [
      { name: vectorColumn('wide', 'e'), type: 'float32', width: k },
      { name: vectorColumn('wide', 'original'), type: 'float32', width: k },
    ]);
    await store.append({ [vectorColumn('wide', 'e')]: v, [vectorColumn('wide', 'original')]: v });
    const sums = { inv: emptySums(), eqv: emptySums() };
    await scoreVectorElement({ name: 'wide', channels: k }, 'e', 'original', [{ rows: store }], true, products.product, sums);
    // Pearson of a channel with itself is 1, and no other channel correlates above 1.
    expect(sums.inv.n).toBe(k);
    expect(sums.eqv.n).toBe(k);
    expect(sums.inv.sum).toBeCloseTo(k, 6);
    expect(sums.eqv.sum).toBeCloseTo(k, 6);
  }, 60_000);
});
