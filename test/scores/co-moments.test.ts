import { afterAll, describe, expect, it } from 'vitest';
import { addChunk, addCoMomentScores, emptyCoMoments, mergeCoMoments, type CoMoments, type CrossProduct } from '../../src/scores/co-moments.js';
import { CrossProducts } from '../../src/scored-models/metric.js';
import { emptySums, type ScoreSums } from '../../src/scores/sums.js';
import { lcg32 } from '../../src/images/prng.js';

function seeded(seed: number): () => number {
  const rand = lcg32(seed);
  return () => rand() - 0.5;
}

/** aᵀb in plain JS (float64), the product the scorer runs in onnxruntime. */
const jsProduct: CrossProduct = async (a, b, n, t, k) => {
  const out = new Float64Array(t * k);
  for (let i = 0; i < n; i++) for (let r = 0; r < t; r++) for (let c = 0; c < k; c++) out[r * k + c] += a[i * t + r] * b[i * k + c];
  return out;
};

/** Column c of n × k image-major values, in float64. */
const column = (x: Float32Array, n: number, k: number, c: number) => Float64Array.from({ length: n }, (_, i) => x[i * k + c]);

/** Two-pass float64 Pearson or cosine over the images, written out from the definition (SPEC §3). */
function similarity(x: Float64Array, y: Float64Array, centred: boolean): number {
  const mean = (v: Float64Array) => (centred ? v.reduce((s, e) => s + e, 0) / v.length : 0);
  const [mx, my] = [mean(x), mean(y)];
  let [sxy, sxx, syy] = [0, 0, 0];
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** SPEC §3 for vectors: σ ≤ 32·2⁻²⁴·max(|mean|, ρ) (cosine: RMS ≤ 32·2⁻²⁴·ρ), ρ the RMS of the side over the run. */
function constantFlags(x: Float32Array, n: number, k: number, centred: boolean): boolean[] {
  const rho = Math.sqrt(Array.from(x).reduce((s, v) => s + v * v, 0) / (n * k));
  return Array.from({ length: k }, (_, c) => {
    const v = column(x, n, k, c);
    const mean = v.reduce((s, e) => s + e, 0) / n;
    const sigma = Math.sqrt(v.reduce((s, e) => s + (centred ? (e - mean) ** 2 : e * e), 0) / n);
    return sigma <= 32 * 2 ** -24 * (centred ? Math.max(Math.abs(mean), rho) : rho);
  });
}

/** inv and eqv per channel over the shared defined set, from the definition. */
function reference(a: Float32Array, b: Float32Array, n: number, k: number, centred: boolean) {
  const [ca, cb] = [constantFlags(a, n, k, centred), constantFlags(b, n, k, centred)];
  const inv: number[] = [];
  const eqv: number[] = [];
  for (let c = 0; c < k; c++) {
    if (ca[c] || cb[c]) continue;
    const x = column(a, n, k, c);
    inv.push(similarity(x, column(b, n, k, c), centred));
    let best = -Infinity;
    for (let c2 = 0; c2 < k; c2++) if (!cb[c2]) best = Math.max(best, similarity(x, column(b, n, k, c2), centred));
    eqv.push(best);
  }
  return { inv, eqv, undefined: ca.filter((f, c) => f || cb[c]).length, oneSided: ca.filter((f, c) => f !== cb[c]).length };
}

/** Streams the images through co-moments in uneven chunks (and two halves merged), then scores. */
async function streamed(a: Float32Array, b: Float32Array, n: number, k: number, centred: boolean, product = jsProduct, tile = k) {
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

function expectMatches(got: { inv: ScoreSums; eqv: ScoreSums }, want: ReturnType<typeof reference>, digits: number) {
  expect(got.inv.n).toBe(want.inv.length);
  expect(got.eqv.n).toBe(want.eqv.length);
  expect(got.inv.undefinedPairs).toBe(want.undefined);
  expect(got.inv.oneSided).toBe(want.oneSided);
  expect(got.inv.sum).toBeCloseTo(want.inv.reduce((s, v) => s + v, 0), digits);
  expect(got.eqv.sum).toBeCloseTo(want.eqv.reduce((s, v) => s + v, 0), digits);
  expect(got.inv.sumSq).toBeCloseTo(want.inv.reduce((s, v) => s + v * v, 0), digits);
  expect(got.eqv.sumSq).toBeCloseTo(want.eqv.reduce((s, v) => s + v * v, 0), digits);
}

/** n images × k channels, mean `offset` × spread, with channel 0 of b constant and channel 1 of b equal to channel 2 of a. */
function vectors(n: number, k: number, offset: number, seed = 3) {
  const rand = seeded(seed);
  const a = Float32Array.from({ length: n * k }, () => offset + rand());
  const b = Float32Array.from({ length: n * k }, (_, i) => offset + rand() * (1 + (i % k)));
  for (let i = 0; i < n; i++) {
    b[i * k] = offset + 0.25;
    b[i * k + 1] = a[i * k + 2];
  }
  return { a, b };
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
