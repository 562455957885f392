import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricEngine } from '../../src/scores/metric.js';
import { isConstantMargin } from '../../src/scores/constant-rows.js';
import { cosine, pearson, rms } from '../../src/scores/similarity.js';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

const row = (x: Float32Array, r: number, p: number) => x.subarray(r * p, (r + 1) * p);

describe('metric graph', () => {
  let engines: Record<'pearson' | 'cosine', MetricEngine>;
  beforeAll(async () => {
    engines = { pearson: await MetricEngine.open('pearson', { threads: 1 }), cosine: await MetricEngine.open('cosine', { threads: 1 }) };
  });
  afterAll(async () => {
    await engines.pearson.release();
    await engines.cosine.release();
  });

  it.each(['pearson', 'cosine'] as const)('%s: inv is the same-channel similarity and eqv the max over valid channels (naive float64 reference)', async (kind) => {
    const rand = seeded(7);
    const [k, p] = [5, 11];
    // Large offsets: the standardisation must not lose the small variations under them.
    const a = Float32Array.from({ length: k * p }, () => 300 + rand());
    const b = Float32Array.from({ length: k * p }, (_, i) => (i < p ? 1 : rand() + (i % 3)));
    // Row 0 of b is constant: undefined for inv, left out of the max.
    const s = await engines[kind].score(a, b, k, p);
    // Vectors: ρ is the RMS over the run (all rows of a side).
    const similarity = (x: Float32Array, y: Float32Array) => (kind === 'pearson' ? pearson : cosine)(x, y, rms(a), rms(b));
    for (let c = 0; c < k; c++) {
      expect(isConstantMargin(s.marginA[c])).toBe(false);
      expect(isConstantMargin(s.marginB[c])).toBe(kind === 'pearson' && c === 0);
      const same = similarity(row(a, c, p), row(b, c, p));
      if (!isConstantMargin(s.marginB[c])) expect(s.inv[c]).toBeCloseTo(same!, 6);
      let best = -Infinity;
      for (let c2 = 0; c2 < k; c2++) {
        if (isConstantMargin(s.marginB[c2])) continue;
        best = Math.max(best, similarity(row(a, c, p), row(b, c2, p))!);
      }
      expect(s.eqv[c]).toBeCloseTo(best, 5);
    }
  });

  it('flags constant rows by the SPEC rule (σ ≤ 32·u·max(|mean|, ρ)) and gives −∞ when no row of b is valid', async () => {
    const a = Float32Array.of(1000, 1000, 1000, 1, 2, 3);
    const b = Float32Array.of(5, 5, 5, 5, 5, 5);
    const s = await engines.pearson.score(a, b, 2, 3);
    expect([...s.marginA].map(isConstantMargin)).toEqual([true, false]);
    expect([...s.marginB].map(isConstantMargin)).toEqual([true, true]);
    expect(s.eqv[1]).toBe(-Infinity);
  });
});
