import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricEngine } from '../../src/scores/metric.js';
import { cosine, pearson } from '../../src/scores/similarity.js';
import { groupElements, mapSteps, overlapPair, transformMap } from '../../src/transforms/index.js';

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
    const [batch, k, p] = [3, 5, 11];
    // Large offsets: the standardisation must not lose the small variations under them.
    const a = Float32Array.from({ length: batch * k * p }, (_, i) => 300 + rand());
    const b = Float32Array.from({ length: batch * k * p }, (_, i) => (i % (k * p) < p ? 1 : rand() + (i % 3)));
    // Row 0 of b in every pair is constant: undefined for inv, left out of the max.
    const s = await engines[kind].score(a, b, batch, k, 1, p, { steps: [] });
    const similarity = kind === 'pearson' ? pearson : cosine;
    for (let n = 0; n < batch; n++) {
      for (let c = 0; c < k; c++) {
        const r = n * k + c;
        expect(s.validA[r]).toBe(1);
        expect(s.validB[r]).toBe(kind === 'pearson' && c === 0 ? 0 : 1);
        const same = similarity(row(a, r, p), row(b, r, p));
        if (s.validB[r]) expect(s.inv[r]).toBeCloseTo(same!, 6);
        let best = -Infinity;
        for (let c2 = 0; c2 < k; c2++) {
          if (!s.validB[n * k + c2]) continue;
          best = Math.max(best, similarity(row(a, r, p), row(b, n * k + c2, p))!);
        }
        expect(s.eqv[r]).toBeCloseTo(best, 5);
      }
    }
  });

  it('flags constant rows by the SPEC rule (σ < 1e−8·(1+|mean|)) and gives −∞ when no row of b is valid', async () => {
    const a = Float32Array.of(1000, 1000, 1000, 1, 2, 3);
    const b = Float32Array.of(5, 5, 5, 5, 5, 5);
    const s = await engines.pearson.score(a, b, 1, 2, 1, 3, { steps: [] });
    expect([...s.validA]).toEqual([0, 1]);
    expect([...s.validB]).toEqual([0, 0]);
    expect(s.eqv[1]).toBe(-Infinity);
  });

  it('applies T′ inside the graph exactly as the JS transforms do, for all of D4 and for shifts', async () => {
    const rand = seeded(11);
    const [n, k, h] = [2, 4, 6];
    const a = Float32Array.from({ length: n * k * h * h }, rand);
    const b = Float32Array.from({ length: n * k * h * h }, rand);
    for (const g of groupElements('d4', { shifts: [], height: h })) {
      const inGraph = await engines.pearson.score(a, b, n, k, h, h, { steps: mapSteps(g) });
      const inJs = await engines.pearson.score(a, transformMap(b, n * k, h, h, g), n, k, h, h, { steps: [] });
      expect([...inGraph.inv], g.key).toEqual([...inJs.inv]);
      expect([...inGraph.eqv], g.key).toEqual([...inJs.eqv]);
    }
    for (const d of [0, 1, 3]) {
      const inGraph = await engines.pearson.score(a, b, n, k, h, h, { shift: d });
      const o = overlapPair(a, b, n * k, h, h, d);
      const inJs = await engines.pearson.score(o.a, o.b, n, k, o.h, o.w, { steps: [] });
      expect([...inGraph.inv]).toEqual([...inJs.inv]);
    }
  });
});
