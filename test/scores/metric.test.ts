import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricEngine } from '../../src/scores/metric.js';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

describe('MetricEngine', () => {
  let engine: MetricEngine;
  beforeAll(async () => {
    engine = await MetricEngine.open({ threads: 1 });
  });
  afterAll(async () => {
    await engine.release();
  });

  it('returns, per row of a, the max dot product over the valid rows of b (naive loop as reference)', async () => {
    const rand = seeded(7);
    const [batch, k, p] = [3, 5, 11];
    const a = Float32Array.from({ length: batch * k * p }, rand);
    const b = Float32Array.from({ length: batch * k * p }, rand);
    const valid = Uint8Array.from({ length: batch * k }, (_, i) => (i % 4 === 1 ? 0 : 1));
    const best = await engine.maxSimilarity(a, b, valid, batch, k, p);
    for (let n = 0; n < batch; n++) {
      for (let c = 0; c < k; c++) {
        let expected = -Infinity;
        for (let c2 = 0; c2 < k; c2++) {
          if (!valid[n * k + c2]) continue;
          let dot = 0;
          for (let q = 0; q < p; q++) dot += a[(n * k + c) * p + q] * b[(n * k + c2) * p + q];
          expected = Math.max(expected, dot);
        }
        expect(best[n * k + c]).toBeCloseTo(expected, 5);
      }
    }
  });

  it('gives −∞ where no row of b is valid', async () => {
    const best = await engine.maxSimilarity(new Float32Array(6).fill(1), new Float32Array(6).fill(1), new Uint8Array(2), 1, 2, 3);
    expect([...best]).toEqual([-Infinity, -Infinity]);
  });
});
