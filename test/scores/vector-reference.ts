import { expect } from 'vitest';
import { lcg32 } from '../../src/images/prng.js';
import type { CrossProduct } from '../../src/scores/co-moments.js';
import type { ScoreSums } from '../../src/scores/sums.js';

/** Vector scores written out from the definition (SPEC §3–§4), the reference of the co-moment and row-scoring tests. */

/** Uniform values in [−0.5, 0.5), seeded. */
export function seeded(seed: number): () => number {
  const rand = lcg32(seed);
  return () => rand() - 0.5;
}

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
export function reference(a: Float32Array, b: Float32Array, n: number, k: number, centred: boolean) {
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

export function expectMatches(got: { inv: ScoreSums; eqv: ScoreSums }, want: ReturnType<typeof reference>, digits: number) {
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
export function vectors(n: number, k: number, offset: number, seed = 3) {
  const rand = seeded(seed);
  const a = Float32Array.from({ length: n * k }, () => offset + rand());
  const b = Float32Array.from({ length: n * k }, (_, i) => offset + rand() * (1 + (i % k)));
  for (let i = 0; i < n; i++) {
    b[i * k] = offset + 0.25;
    b[i * k + 1] = a[i * k + 2];
  }
  return { a, b };
}

/**
 * aᵀb (t × k) in plain float64 JavaScript, the product the scorer runs in onnxruntime, without
 * its `rowMax`/`leaveOut` graphs: code under test then takes its slower paths over the whole product.
 */
export const jsCrossProduct: CrossProduct = async (a, b, n, t, k) => {
  const out = new Float64Array(t * k);
  for (let i = 0; i < n; i++) for (let r = 0; r < t; r++) for (let c = 0; c < k; c++) out[r * k + c] += a[i * t + r] * b[i * k + c];
  return out;
};
