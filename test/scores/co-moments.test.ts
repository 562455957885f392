import { afterAll, describe, expect, it } from 'vitest';
import { addChunk, addCoMomentScores, emptyCoMoments, mergeCoMoments, type CoMoments } from '../../src/scores/co-moments.js';
import { CrossProducts } from '../../src/scored-models/metric.js';
import { emptySums } from '../../src/scores/sums.js';
import { expectMatches, jsCrossProduct, reference, seeded, vectors } from './vector-reference.js';

/** Streams the images through co-moments in uneven chunks (and two halves merged), then scores. */
async function streamed(a: Float32Array, b: Float32Array, n: number, k: number, centred: boolean, product = jsCrossProduct, tile = k) {
  const inv = emptySums();
  const eqv = emptySums();
  for (let from = 0; from < k; from += tile) {
    const to = Math.min(k, from + tile);
    const halves: CoMoments[] = [emptyCoMoments(k, centred, from, to), emptyCoMoments(k, centred, from, to)];
    const cuts = [...new Set([0, 3, 10, 11, Math.floor(n / 2), n - 1, n])].filter((c) => c <= n).sort((x, y) => x - y);
    for (let j = 0; j + 1 < cuts.length; j++) {
      const [s, e] = [cuts[j], cuts[j + 1]];
      await addChunk(halves[s < n / 2 ? 0 : 1], a.subarray(s * k, e * k), b.subarray(s * k, e * k), e - s, product);
    }
    mergeCoMoments(halves[0], halves[1]);
    addCoMomentScores(halves[0], inv, eqv);
  }
  return { inv, eqv };
}

describe('vector scores from streamed co-moments (SPEC §3–§4, §8)', () => {
  const products = new CrossProducts({ threads: 1 });
  afterAll(() => products.release());

  it.each([
    ['pearson, mean 0', true, 0],
    ['pearson, mean 1e3 × spread', true, 1e3],
    ['cosine, mean 1e3 × spread', false, 1e3],
  ] as const)('%s: chunks and merged halves give the two-pass float64 scores', async (_name, centred, offset) => {
    const [n, k] = [37, 6];
    const { a, b } = vectors(n, k, offset);
    const want = reference(a, b, n, k, centred);
    if (centred) {
      // Channel 0 of b is constant: undefined and one-sided; channel 2 of a finds its copy in b (eqv = 1).
      expect(want.undefined).toBe(1);
      expect(want.oneSided).toBe(1);
      expect(want.eqv[1]).toBeCloseTo(1, 12);
    }
    expectMatches(await streamed(a, b, n, k, centred), want, 9);
    // onnxruntime's float64 product, and tiles of a-side channels, give the same sums.
    expectMatches(await streamed(a, b, n, k, centred, products.product, 4), want, 9);
  });

  it('is scale-free: multiplying every vector by 1e±20 changes no score and no count', async () => {
    const [n, k] = [20, 5];
    const { a, b } = vectors(n, k, 7, 11);
    const base = await streamed(a, b, n, k, true);
    for (const factor of [1e-20, 1e20]) {
      const scaled = await streamed(a.map((v) => v * factor), b.map((v) => v * factor), n, k, true);
      expect(scaled.inv.n).toBe(base.inv.n);
      expect(scaled.inv.undefinedPairs).toBe(base.inv.undefinedPairs);
      expect(scaled.inv.nearConstant).toBe(base.inv.nearConstant);
      expect(scaled.inv.sum).toBeCloseTo(base.inv.sum, 6);
      expect(scaled.eqv.sum).toBeCloseTo(base.eqv.sum, 6);
    }
  });

  it('counts a channel whose σ is within 100× of the threshold as near-constant, one at or below it as undefined', async () => {
    const [n, k] = [16, 3];
    const rand = seeded(5);
    const a = Float32Array.from({ length: n * k }, () => rand());
    // Channel 0 of b: mean 1000, σ ≈ 0.05 — above 32·2⁻²⁴·1000 ≈ 0.0019 but within 100× of it.
    const b = Float32Array.from({ length: n * k }, (_, i) => (i % k === 0 ? 1000 + (i % 2 ? 0.05 : -0.05) : rand()));
    const { inv, eqv } = await streamed(a, b, n, k, true);
    expect(inv.nearConstant).toBe(1);
    expect(eqv.nearConstant).toBe(1);
    expect(inv.undefinedPairs).toBe(0);
    // Both sides constant: undefined but not one-sided.
    const flat = new Float32Array(n * k).fill(2);
    const both = await streamed(flat, flat, n, k, true);
    expect(both.inv.undefinedPairs).toBe(k);
    expect(both.inv.oneSided).toBe(0);
    expect(both.inv.n).toBe(0);
  });
});
