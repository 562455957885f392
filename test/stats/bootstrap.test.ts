import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/images/prng.js';
import { bootstrapReplicates, partReplicates, percentileInterval, REPLICATES } from '../../src/stats/bootstrap.js';
import { replicateDraws } from '../../src/stats/splitmix64.js';

describe('bootstrap intervals (SPEC §4b)', () => {
  it('covers a known mean in 95 ± 3 % of 1,000 seeded simulations', () => {
    // Per image: 16 defined pairs whose mean score is the mean of three uniforms (true mean 0.5).
    const simulations = 1000;
    const n = 100;
    const rand = mulberry32(2024);
    const layers = Array.from({ length: simulations }, () => {
      const count = new Float64Array(n).fill(16);
      const sum = new Float64Array(n);
      for (let i = 0; i < n; i++) sum[i] = 16 * ((rand() + rand() + rand()) / 3);
      return { sum, count };
    });
    const reps = bootstrapReplicates(layers);
    const covered = reps.filter((r) => {
      const { lo, hi } = percentileInterval(r);
      return lo! <= 0.5 && 0.5 <= hi!;
    }).length;
    expect(covered / simulations).toBeGreaterThanOrEqual(0.92);
    expect(covered / simulations).toBeLessThanOrEqual(0.98);
  });

  it('is a layer’s Σsum/Σcount over the drawn images, with the 25th and 976th sorted replicate', () => {
    const sum = Float64Array.of(1, 4, 9, 0, 2);
    const count = Float64Array.of(1, 2, 3, 0, 4);
    const [reps] = bootstrapReplicates([{ sum, count }]);
    expect(reps.length).toBe(REPLICATES);
    for (const b of [0, 1, 500, 999]) {
      const draws = replicateDraws(b, 5);
      let s = 0;
      let c = 0;
      for (const i of draws) {
        s += sum[i];
        c += count[i];
      }
      expect(reps[b]).toBeCloseTo(c > 0 ? s / c : NaN, 12);
    }
    const sorted = Float64Array.from(reps).sort();
    const interval = percentileInterval(reps);
    if (!reps.some(Number.isNaN)) expect(interval).toEqual({ lo: sorted[24], hi: sorted[975] });
  });

  it('has no interval when a replicate draws no defined pair', () => {
    const [reps] = bootstrapReplicates([{ sum: Float64Array.of(1, 0), count: Float64Array.of(1, 0) }]);
    expect(reps.some(Number.isNaN)).toBe(true);
    expect(percentileInterval(reps)).toEqual({ lo: null, hi: null, reason: 'no_defined_pair' });
  });

  it('averages a part’s layers with a defined pair in each replicate', () => {
    const a = Float64Array.of(0.2, NaN, 0.4);
    const b = Float64Array.of(0.4, 0.6, NaN);
    expect(Array.from(partReplicates([a, b], 3))).toEqual([0.30000000000000004, 0.6, 0.4]);
    expect(Number.isNaN(partReplicates([Float64Array.of(NaN)], 1)[0])).toBe(true);
  });
});
