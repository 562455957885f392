import { describe, expect, it } from 'vitest';
import { jackknifeBlocks, jackknifeInterval, T_19_975 } from '../../src/stats/jackknife.js';

describe('delete-one-block jackknife (SPEC §4b)', () => {
  it('splits null pairs into 20 consecutive blocks, an unpaired last image in the last block', () => {
    const blocks = jackknifeBlocks(41);
    expect(blocks.length).toBe(20);
    expect(blocks[0]).toEqual([0, 1]);
    expect(blocks[19]).toEqual([38, 39, 40]);
    expect(blocks.flat().sort((x, y) => x - y)).toEqual(Array.from({ length: 41 }, (_, i) => i));
    const uneven = jackknifeBlocks(90); // 45 pairs: blocks of 2 or 3 pairs
    expect(uneven.map((b) => b.length / 2).reduce((s, v) => s + v, 0)).toBe(45);
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
