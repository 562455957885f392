import { describe, expect, it } from 'vitest';
import { cosine, isConstant, pearson } from '../../src/scores/similarity.js';

function naivePearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    cov += (a[i] - ma) * (b[i] - mb);
    va += (a[i] - ma) ** 2;
    vb += (b[i] - mb) ** 2;
  }
  return cov / Math.sqrt(va * vb);
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('pearson', () => {
  it('matches a naive float64 two-pass implementation on random data', () => {
    const rand = seeded(3);
    for (let t = 0; t < 20; t++) {
      const a = Array.from({ length: 50 }, rand);
      const b = a.map((v) => v * 0.3 + rand());
      expect(pearson(a, b)).toBeCloseTo(naivePearson(a, b), 12);
    }
  });
  it('is 1 with itself, −1 with its negation, and unchanged by affine rescaling', () => {
    const a = [1, 4, 2, 8, 5];
    expect(pearson(a, a)).toBeCloseTo(1, 12);
    expect(pearson(a, a.map((v) => -v))).toBeCloseTo(-1, 12);
    expect(pearson(a, a.map((v) => 3 * v + 100))).toBeCloseTo(1, 12);
  });
  it('is undefined (null) when a side is constant, including a large mean with tiny noise', () => {
    expect(pearson([2, 2, 2], [1, 2, 3])).toBeNull();
    expect(isConstant([1000, 1000 + 1e-9, 1000 - 1e-9])).toBe(true);
    expect(isConstant([1000, 1001, 999])).toBe(false);
  });
  it('differs from cosine on features with a large mean, where cosine is biased towards 1', () => {
    const rand = seeded(9);
    const a = Array.from({ length: 40 }, () => 500 + rand());
    const b = Array.from({ length: 40 }, () => 500 + rand());
    expect(cosine(a, b)!).toBeGreaterThan(0.999);
    expect(Math.abs(pearson(a, b)!)).toBeLessThan(0.5);
  });
});
