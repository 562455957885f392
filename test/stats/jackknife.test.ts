import { describe, expect, it } from 'vitest';
import { jackknifeInterval, T_19_975 } from '../../src/stats/jackknife.js';
import { blockOfPair } from '../../src/measure/vector-chance.js';

describe('delete-one-block jackknife (SPEC §4b)', () => {
  it('puts null pair k in block j when ⌊jP/20⌋ ≤ k < ⌊(j+1)P/20⌋, an unpaired last image in the last block', () => {
    // 20 pairs (40 images): one pair per block; 45 pairs: blocks of 2 or 3 consecutive pairs.
    expect(Array.from({ length: 20 }, (_, k) => blockOfPair(k, 20))).toEqual(Array.from({ length: 20 }, (_, k) => k));
    expect(blockOfPair(20, 20)).toBe(19); // 41 images: the unpaired image k = 20
    const sizes = new Array(20).fill(0);
    for (let k = 0; k < 45; k++) sizes[blockOfPair(k, 45)] += 1;
    expect(sizes.every((n) => n === 2 || n === 3)).toBe(true);
    expect(sizes.reduce((s, n) => s + n, 0)).toBe(45);
    for (let k = 1; k < 45; k++) expect(blockOfPair(k, 45)).toBeGreaterThanOrEqual(blockOfPair(k - 1, 45));
  });

  it('gives the mean’s textbook standard error when the estimate is a mean of blocks', () => {
    // θ = mean of 20 block means x_j; θ₍ⱼ₎ = (Σx − x_j)/19, so SE_J = sd(x)/√20 exactly.
    const x = Array.from({ length: 20 }, (_, j) => Math.sin(j) + j / 10);
    const total = x.reduce((s, v) => s + v, 0);
    const theta = total / 20;
    const r = jackknifeInterval(theta, x.map((v) => (total - v) / 19));
    const sd = Math.sqrt(x.reduce((s, v) => s + (v - theta) ** 2, 0) / 19);
    expect(r.se).toBeCloseTo(sd / Math.sqrt(20), 12);
    expect(r.lo).toBeCloseTo(theta - T_19_975 * (sd / Math.sqrt(20)), 12);
    expect(r.hi).toBeCloseTo(theta + T_19_975 * (sd / Math.sqrt(20)), 12);
  });
});
