import { describe, expect, it } from 'vitest';
import { pearson, rankAverage, regularizedIncompleteBeta, spearman, studentTCdf } from '../../src/correlation/spearman.js';

describe('rankAverage', () => {
  it('gives 1-based ranks and averages ties', () => {
    expect(rankAverage([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
    expect(rankAverage([3, 3, 3])).toEqual([2, 2, 2]);
    expect(rankAverage([0.5, -1, 7, 0.5, 0.5])).toEqual([3, 1, 5, 3, 3]);
    expect(rankAverage([])).toEqual([]);
  });
});

describe('pearson', () => {
  it('is 1 for a vector with itself and null for a constant side', () => {
    expect(pearson([1, 2, 4], [1, 2, 4])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 4], [5, 5, 5])).toBeNull();
  });
});

describe('spearman', () => {
  it('handles ties with average ranks (hand-computed: ρ = 3/√10, exact p = 4/24)', () => {
    // ranks x = [1, 2.5, 2.5, 4], y = [1, 3, 2, 4]; centred: dx = [-1.5, 0, 0, 1.5], dy = [-1.5, .5, -.5, 1.5]
    // Σdx·dy = 4.5, Σdx² = 4.5, Σdy² = 5 → ρ = 4.5/√22.5 = 3/√10.
    // Σdx·a = 1.5(a4 − a1) reaches |4.5| only with {a1, a4} = {−1.5, 1.5}: 2 × 2 of 24 permutations.
    const r = spearman([1, 2, 2, 3], [1, 3, 2, 4]);
    expect(r.n).toBe(4);
    expect(r.rho).toBeCloseTo(3 / Math.sqrt(10), 12);
    expect(r.p).toBeCloseTo(4 / 24, 12);
  });

  it('n = 3 exact: p is the fraction of the 6 permutations with |ρ| ≥ |ρ_obs|', () => {
    // ρ over the 6 orderings of y's ranks: 1, .5, .5, −.5, −.5, −1.
    expect(spearman([1, 2, 3], [10, 20, 30])).toEqual({ rho: 1, n: 3, p: 2 / 6 });
    const reversed = spearman([1, 2, 3], [30, 20, 10]);
    expect(reversed.rho).toBeCloseTo(-1, 12);
    expect(reversed.p).toBeCloseTo(2 / 6, 12);
    const half = spearman([1, 2, 3], [10, 30, 20]);
    expect(half.rho).toBeCloseTo(0.5, 12);
    expect(half.p).toBeCloseTo(1, 12);
  });

  it('n = 5 perfect monotone: exact p = 2/120 (identity and reversal)', () => {
    const r = spearman([0.1, 0.4, 0.35, 0.8, 0.6], [0.7, 0.72, 0.71, 0.8, 0.79]);
    expect(r.rho).toBeCloseTo(1, 12);
    expect(r.p).toBeCloseTo(1 / 60, 12);
  });

  it('n = 9 enumerates all 9! permutations (ρ = 1 → p = 2/9!)', () => {
    const x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const r = spearman(x, x.map((v) => v * v));
    expect(r.rho).toBeCloseTo(1, 12);
    expect(r.p).toBeCloseTo(2 / 362880, 15);
  });

  it('n = 10 perfect monotone uses the t-approximation: ρ = 1 → p = 0', () => {
    const x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(spearman(x, x.map((v) => Math.exp(v)))).toEqual({ rho: 1, n: 10, p: 0 });
  });

  it('n > 9 matches the t-approximation (reference values from scipy.stats.spearmanr)', () => {
    // One swap: Σd² = 2, ρ = 1 − 6·2/(10·99) = 0.98787…
    const swap = spearman([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [2, 1, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(swap.rho).toBeCloseTo(1 - 12 / 990, 12);
    expect(swap.p).toBeCloseTo(9.307459988955516e-8, 15);
    const ties = spearman([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8]);
    expect(ties.rho).toBeCloseTo(0.5265313520914635, 12);
    expect(ties.p).toBeCloseTo(0.07863046813632459, 10);
  });

  it('is null when either side is all tied', () => {
    expect(spearman([1, 1, 1, 1], [1, 2, 3, 4])).toEqual({ rho: null, n: 4, p: null });
    expect(spearman([1, 2, 3, 4], [0.5, 0.5, 0.5, 0.5])).toEqual({ rho: null, n: 4, p: null });
  });

  it('n < 3 gives ρ but no p-value; n < 2 gives neither', () => {
    expect(spearman([1, 2], [3, 1])).toEqual({ rho: -1, n: 2, p: null });
    expect(spearman([1], [3])).toEqual({ rho: null, n: 1, p: null });
    expect(spearman([], [])).toEqual({ rho: null, n: 0, p: null });
  });

  it('EXPECTED FAILURE - different lengths or non-finite values', () => {
    expect(() => spearman([1, 2, 3], [1, 2])).toThrow(RangeError);
    expect(() => spearman([1, 2, 3], [1, 2])).toThrow("'x' and 'y' must have the same length, got 3 and 2.");
    expect(() => spearman([1, Number.NaN, 3], [1, 2, 3])).toThrow(/finite/);
  });
});

describe('studentTCdf', () => {
  it('matches t-table critical values', () => {
    expect(studentTCdf(12.706, 1)).toBeCloseTo(0.975, 4);
    expect(studentTCdf(2.015, 5)).toBeCloseTo(0.95, 4);
    expect(studentTCdf(2.228, 10)).toBeCloseTo(0.975, 4);
    expect(studentTCdf(2.042, 30)).toBeCloseTo(0.975, 4);
    expect(studentTCdf(1.645, 1e6)).toBeCloseTo(0.95, 4); // → normal as df grows
  });

  it('matches closed forms for df = 1 (Cauchy) and df = 2, and scipy elsewhere', () => {
    for (const t of [-3, -0.5, 0.25, 1, 7]) {
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12);
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 12);
    }
    expect(studentTCdf(-1.5, 3)).toBeCloseTo(0.11529193262241147, 12);
    expect(studentTCdf(0.7, 100)).toBeCloseTo(0.7572236967728134, 12);
  });

  it('is symmetric, ½ at 0, and 0/1 at ∓∞', () => {
    expect(studentTCdf(0, 7)).toBe(0.5);
    expect(studentTCdf(-2, 7) + studentTCdf(2, 7)).toBeCloseTo(1, 14);
    expect(studentTCdf(Infinity, 4)).toBe(1);
    expect(studentTCdf(-Infinity, 4)).toBe(0);
  });

  it('EXPECTED FAILURE - df must be positive', () => {
    expect(() => studentTCdf(1, 0)).toThrow(RangeError);
  });
});

describe('regularizedIncompleteBeta', () => {
  it('matches closed forms', () => {
    expect(regularizedIncompleteBeta(0.5, 2, 2)).toBeCloseTo(0.5, 14);
    expect(regularizedIncompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 14);
    expect(regularizedIncompleteBeta(0.3, 3, 1)).toBeCloseTo(0.027, 14); // I_x(a, 1) = x^a
    expect(regularizedIncompleteBeta(0.3, 1, 4)).toBeCloseTo(1 - 0.7 ** 4, 14); // I_x(1, b) = 1 − (1−x)^b
    expect(regularizedIncompleteBeta(0, 2, 3)).toBe(0);
    expect(regularizedIncompleteBeta(1, 2, 3)).toBe(1);
  });
});
