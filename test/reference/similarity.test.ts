import { describe, expect, it } from 'vitest';
import { cosine, isConstant, pearson } from './similarity.js';
import { lcg32 } from '../../src/images/prng.js';

/** Textbook two-pass Pearson in float64, written independently of the module. */
function naivePearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const xs = Array.from(a);
  const ys = Array.from(b);
  const n = xs.length;
  const ma = xs.reduce((s, v) => s + v, 0) / n;
  const mb = ys.reduce((s, v) => s + v, 0) / n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    cov += (xs[i] - ma) * (ys[i] - mb);
    va += (xs[i] - ma) ** 2;
    vb += (ys[i] - mb) ** 2;
  }
  return cov / Math.sqrt(va * vb);
}

function naiveCosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] ** 2;
    bb += b[i] ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

const seeded = lcg32;

const dot = (x: Float32Array, r: number, q: number, length: number) => {
  let s = 0;
  for (let p = 0; p < length; p++) s += x[r * length + p] * x[q * length + p];
  return s;
};

describe('pearson', () => {
  it('matches a naive float64 two-pass implementation on random data', () => {
    const rand = seeded(3);
    for (let t = 0; t < 20; t++) {
      const n = 5 + t * 7;
      const a = Array.from({ length: n }, () => rand() - 0.5);
      const b = a.map((v) => v * (t / 10 - 1) + rand());
      expect(pearson(a, b)).toBeCloseTo(naivePearson(a, b), 12);
    }
  });
  it('accepts float32 maps and matches the reference on values with a large mean', () => {
    const rand = seeded(4);
    const a = Float32Array.from({ length: 49 }, () => 300 + rand());
    const b = Float32Array.from({ length: 49 }, () => -200 + rand());
    expect(pearson(a, b)).toBeCloseTo(naivePearson(a, b), 9);
  });
  it('is 1 with itself, −1 with its negation, and unchanged by affine rescaling', () => {
    const rand = seeded(5);
    const a = Array.from({ length: 30 }, rand);
    const b = Array.from({ length: 30 }, rand);
    expect(pearson(a, a)).toBeCloseTo(1, 12);
    expect(pearson(a, a.map((v) => -v))).toBeCloseTo(-1, 12);
    expect(pearson(a, a.map((v) => 3 * v + 100))).toBeCloseTo(1, 12);
    const r = pearson(a, b)!;
    expect(pearson(a.map((v) => 0.01 * v - 7), b.map((v) => 50 * v + 3))).toBeCloseTo(r, 12);
    expect(pearson(a, b.map((v) => -2 * v + 1))).toBeCloseTo(-r, 12);
    expect(pearson(b, a)).toBeCloseTo(r, 14);
  });
  it('is undefined (null) when either side is constant, including a large mean with float noise', () => {
    expect(pearson([2, 2, 2], [1, 2, 3])).toBeNull();
    expect(pearson([1, 2, 3], [0, 0, 0])).toBeNull();
    const rand = seeded(6);
    const nearConstant = Array.from({ length: 20 }, () => 1000 + 1e-9 * (rand() - 0.5));
    expect(pearson(nearConstant, Array.from({ length: 20 }, rand))).toBeNull();
  });
  it('is defined for small variations around 0 on their own (ρ = the row RMS), scale-free', () => {
    expect(pearson([-1e-6, 1e-6, -1e-6, 1e-6], [1, 2, 1, 2])).toBeCloseTo(1, 9);
    expect(pearson([-1e-30, 1e-30, -1e-30, 1e-30], [1e20, 2e20, 1e20, 2e20])).toBeCloseTo(1, 9);
  });
  it('is undefined for variations at float32 rounding level of the tensor (ρ given)', () => {
    expect(pearson([-1e-7, 1e-7, -1e-7, 1e-7], [1, 2, 1, 2], 1)).toBeNull();
    expect(pearson([-1e-5, 1e-5, -1e-5, 1e-5], [1, 2, 1, 2], 1)).toBeCloseTo(1, 9);
  });
  it('EXPECTED FAILURE - vectors of different lengths are a RangeError', () => {
    expect(() => pearson([1, 2, 3], [1, 2])).toThrow(/lengths differ \(3 vs 2\)/);
  });
});

describe('isConstant', () => {
  const u = 2 ** -24;
  it('uses σ ≤ 32·u·max(|mean|, ρ) with the population σ', () => {
    expect(isConstant([5, 5, 5])).toBe(true);
    expect(isConstant([1000, 1000 + 1e-9, 1000 - 1e-9])).toBe(true);
    expect(isConstant([-1000, -1000 + 1e-2, -1000])).toBe(false);
    expect(isConstant([1000, 1001, 999])).toBe(false);
    // Row [m − σ, m + σ] has population σ exactly; the bound is 32·u·max(|m|, ρ).
    const bound = 32 * u * 1000;
    expect(isConstant([1000 - 0.9 * bound, 1000 + 0.9 * bound])).toBe(true);
    expect(isConstant([1000 - 1.1 * bound, 1000 + 1.1 * bound])).toBe(false);
    // Around 0 the tensor's RMS ρ sets the level.
    expect(isConstant([-0.9 * 32 * u, 0.9 * 32 * u], 1)).toBe(true);
    expect(isConstant([-1.1 * 32 * u, 1.1 * 32 * u], 1)).toBe(false);
  });
  it('is scale-free: multiplying the row and ρ by any non-zero number changes nothing', () => {
    const rows = [[5, 5, 5], [1, 2, 3], [1000, 1000 + 1e-9, 1000], [0, 1e-6, 0]];
    for (const row of rows) {
      for (const f of [1e-30, 1e-9, -3, 1e6, 1e25]) expect(isConstant(row.map((v) => v * f), 2 * Math.abs(f))).toBe(isConstant(row, 2));
    }
  });
  it('counts an empty row and non-finite values as constant (undefined)', () => {
    expect(isConstant([])).toBe(true);
    expect(isConstant([1, NaN, 3])).toBe(true);
  });
});

describe('cosine', () => {
  it('matches the naive formula and is null for a zero vector', () => {
    const rand = seeded(7);
    const a = Array.from({ length: 25 }, () => rand() - 0.5);
    const b = Array.from({ length: 25 }, () => rand() - 0.5);
    expect(cosine(a, b)).toBeCloseTo(naiveCosine(a, b), 12);
    expect(cosine([1, 0], [1, 1])).toBeCloseTo(Math.SQRT1_2, 12);
    expect(cosine([0, 0, 0], [1, 2, 3])).toBeNull();
    expect(cosine([1, 2, 3], [0, 0, 0])).toBeNull();
    // A constant non-zero vector is fine for cosine.
    expect(cosine([2, 2], [3, 3])).toBeCloseTo(1, 12);
  });
  it('is biased towards 1 by a large common mean, where pearson is not', () => {
    const rand = seeded(9);
    const a = Array.from({ length: 40 }, () => 500 + rand());
    const b = Array.from({ length: 40 }, () => 500 + rand());
    expect(cosine(a, b)!).toBeGreaterThan(0.999);
    expect(Math.abs(pearson(a, b)!)).toBeLessThan(0.5);
  });
  it('EXPECTED FAILURE - vectors of different lengths are a RangeError', () => {
    expect(() => cosine([1, 2, 3], [1, 2])).toThrow(/lengths differ \(3 vs 2\)/);
  });
});
