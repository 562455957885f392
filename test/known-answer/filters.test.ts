import { describe, expect, it } from 'vitest';
import { cornerCutFilter, createRng, flipFilter, gaussianFilter, rotateFilter, symmetrizeD4, zeroMeanFilter } from '../../src/known-answer/filters.js';

describe('probe filters', () => {
  it('rotateFilter matches numpy.rot90 (CCW) and four turns are the identity', () => {
    // numpy.rot90([[1,2,3],[4,5,6],[7,8,9]]) == [[3,6,9],[2,5,8],[1,4,7]]
    const a = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(rotateFilter(a, 1))).toEqual([3, 6, 9, 2, 5, 8, 1, 4, 7]);
    expect(Array.from(rotateFilter(a, 4))).toEqual(Array.from(a));
    expect(Array.from(flipFilter(a))).toEqual([3, 2, 1, 6, 5, 4, 9, 8, 7]);
  });

  it('Gaussians are D4-symmetric and sum to 1; corner-cut ones are not rotation symmetric', () => {
    const gauss = gaussianFilter(5, 1.3);
    expect(gauss.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    expect(Array.from(rotateFilter(gauss, 1))).toEqual(Array.from(gauss));
    expect(Array.from(flipFilter(gauss))).toEqual(Array.from(gauss));
    const cut = cornerCutFilter(7, 2);
    expect(cut[0]).toBe(0);
    expect(cut[3 * 7 + 3]).toBe(0);
    expect(Array.from(rotateFilter(cut, 1))).not.toEqual(Array.from(cut));
  });

  it('the PRNG is deterministic; normals have mean ≈ 0 and variance ≈ 1', () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 20000 }, () => a.normal());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b.normal()));
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('zeroMeanFilter sums to 0 and symmetrizeD4 is invariant under rotation and flip', () => {
    const rng = createRng(1);
    expect(Math.abs(zeroMeanFilter(rng, 3).reduce((s, v) => s + v, 0))).toBeLessThan(1e-6);
    const s = symmetrizeD4(zeroMeanFilter(rng, 4));
    for (const t of [rotateFilter(s, 1), flipFilter(s)]) for (let i = 0; i < 16; i += 1) expect(t[i]).toBeCloseTo(s[i], 6);
  });
});
