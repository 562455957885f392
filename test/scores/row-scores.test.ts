import { afterAll, describe, expect, it } from 'vitest';
import { addRowScores } from '../../src/scores/row-scores.js';
import type { CrossProduct } from '../../src/scores/co-moments.js';
import { CrossProducts } from '../../src/scored-models/metric.js';
import { emptySums } from '../../src/scores/sums.js';
import { expectMatches, jsCrossProduct, reference, vectors } from './vector-reference.js';

async function rowScores(a: Float32Array, b: Float32Array, n: number, k: number, centred: boolean, product: CrossProduct, tile?: number) {
  const [inv, eqv] = [emptySums(), emptySums()];
  await addRowScores(a, b, n, k, centred, product, inv, eqv, tile);
  return { inv, eqv };
}

describe('vector scores straight from rows (SPEC §3–§4; the small-run jackknife path)', () => {
  const products = new CrossProducts({ threads: 1 });
  afterAll(() => products.release());

  it.each([
    ['pearson, mean 0', true, 0],
    ['pearson, mean 1e3 × spread', true, 1e3],
    ['cosine, mean 1e3 × spread', false, 1e3],
  ] as const)('%s: the two-pass float64 scores, by onnxruntime row maxima, in JS, and in tiles', async (_name, centred, offset) => {
    const [n, k] = [37, 6];
    const { a, b } = vectors(n, k, offset);
    const want = reference(a, b, n, k, centred);
    if (centred) {
      // b's channel 0 is constant (undefined, one-sided); a's channel 2 has an exact copy in b (eqv = 1).
      expect(want.undefined).toBe(1);
      expect(want.oneSided).toBe(1);
      expect(want.eqv[1]).toBeCloseTo(1, 12);
    }
    expectMatches(await rowScores(a, b, n, k, centred, products.product), want, 9);
    expectMatches(await rowScores(a, b, n, k, centred, jsCrossProduct), want, 9);
    expectMatches(await rowScores(a, b, n, k, centred, products.product, 4), want, 9);
    expectMatches(await rowScores(a, b, n, k, centred, products.product, 1), want, 9);
  });

  it('masks constant b-side channels out of the maximum even where every valid similarity is negative', async () => {
    // a = −b on the one varying channel; b's channel 0 is constant (its "similarity" 0 would be the max if unmasked).
    const n = 8;
    const b = Float32Array.from({ length: 2 * n }, (_, i) => (i % 2 === 0 ? 5 : i));
    const a = b.map((v, i) => (i % 2 === 0 ? i : -v));
    const got = await rowScores(a, b, n, 2, true, products.product);
    expect(got.eqv.n).toBe(1);
    expect(got.eqv.sum).toBeCloseTo(-1, 12);
    expect(got.inv.undefinedPairs).toBe(1);
    expect(got.inv.oneSided).toBe(1);
  });

  it('an exactly constant a-side channel and all-constant sides: undefined, nothing added', async () => {
    const [n, k] = [10, 3];
    const { a, b } = vectors(n, k, 0, 7);
    for (let i = 0; i < n; i++) a[i * k + 1] = 3;
    expectMatches(await rowScores(a, b, n, k, true, products.product), reference(a, b, n, k, true), 9);
    const flat = new Float32Array(n * k).fill(2);
    const both = await rowScores(flat, flat, n, k, true, products.product);
    expect([both.inv.n, both.inv.undefinedPairs, both.inv.oneSided]).toEqual([0, k, 0]);
  });
});
