import { describe, expect, it } from 'vitest';
import { addScore, emptySums, mergeSums, statsOf } from '../../src/scores/sums.js';

describe('running sums', () => {
  it('give the mean and the sample std (ddof = 1), and count undefined pairs apart', () => {
    const s = emptySums();
    for (const v of [0.2, 0.4, null, 0.9]) addScore(s, v);
    const stats = statsOf(s);
    expect(stats.mean).toBeCloseTo(0.5, 12);
    expect(stats.std).toBeCloseTo(Math.sqrt((0.09 + 0.01 + 0.16) / 2), 12);
    expect(stats.defined).toBe(3);
    expect(stats.undefinedPairs).toBe(1);
  });
  it('merge by addition into exactly the sums of all values', () => {
    const all = emptySums();
    const a = emptySums();
    const b = emptySums();
    [0.1, 0.5, null, -0.3, 0.7].forEach((v, i) => {
      addScore(all, v);
      addScore(i % 2 ? a : b, v);
    });
    mergeSums(a, b);
    expect(statsOf(a)).toEqual(statsOf(all));
  });
  it('merge the pair counts of SPEC §3 by addition, reading missing counts (older states) as 0', () => {
    const a = { ...emptySums(), nearConstant: 2, oneSided: 1 };
    const old = { n: 1, sum: 0.5, sumSq: 0.25, undefinedPairs: 3 } as ReturnType<typeof emptySums>;
    mergeSums(a, { ...emptySums(), nearConstant: 3, oneSided: 4 });
    mergeSums(a, old);
    expect(statsOf(a)).toMatchObject({ defined: 1, undefinedPairs: 3, nearConstant: 5, oneSided: 5 });
  });
  it('report null when nothing is defined, and a null std for one defined pair', () => {
    expect(statsOf(emptySums())).toMatchObject({ mean: null, std: null, defined: 0 });
    const one = emptySums();
    addScore(one, 0.25);
    expect(statsOf(one)).toMatchObject({ mean: 0.25, std: null, defined: 1 });
  });
});
