import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/images/prng.js';
import { addRowStats, emptyCoMoments } from '../../src/scores/co-moments.js';
import { addLeaveOutScores, leaveOutSets } from '../../src/scores/leave-out-scores.js';
import { emptySums } from '../../src/scores/sums.js';
import { expectMatches, reference } from './vector-reference.js';

describe('leave-one-block-out scores from block co-moments (SPEC §4b, large runs)', () => {
  const [k, count] = [5, 6];
  const rand = mulberry32(3);
  // Means 100 × spread; b's channel 4 constant everywhere; a's channel 0 constant except in block 2, so exactly constant on that block's complement.
  const blocks = Array.from({ length: count }, (_, j) => {
    const n = 3 + j;
    const a = Float32Array.from({ length: n * k }, (_, i) => (i % k === 0 && j !== 2 ? 100.125 : 100 + rand()));
    const b = Float32Array.from({ length: n * k }, (_, i) => (i % k === 4 ? 99.75 : 100 + rand() + 0.5 * a[i]));
    return { n, a, b };
  });
  /** Block j's Σ (a − ma)(b − mb)ᵀ over rows, channels [from, to) of a, in float64 written out. */
  const crossAbout = (block: (typeof blocks)[number], ma: Float64Array, mb: Float64Array, from: number, to: number) => {
    const out = new Float64Array((to - from) * k);
    for (let i = 0; i < block.n; i++) for (let c = from; c < to; c++) for (let c2 = 0; c2 < k; c2++) out[(c - from) * k + c2] += (block.a[i * k + c] - ma[c]) * (block.b[i * k + c2] - mb[c2]);
    return out;
  };
  const moments = blocks.map((b) => {
    const m = emptyCoMoments(k, true, 0, 0);
    addRowStats(m, b.a, b.b, Array.from({ length: b.n }, (_, i) => i));
    return m;
  });
  const sets = leaveOutSets(moments);

  async function scores(centreA: Float64Array, centreB: Float64Array, tiles: readonly [number, number][]) {
    const into = blocks.map(() => ({ inv: emptySums(), eqv: emptySums() }));
    for (const [from, to] of tiles) {
      const crosses = blocks.map((b) => crossAbout(b, centreA, centreB, from, to));
      const total = new Float64Array((to - from) * k).fill(NaN);
      addLeaveOutScores({ k, from, to, centreA, centreB, blocks: crosses }, into, sets, total);
      const sum = new Float64Array((to - from) * k);
      for (const c of crosses) c.forEach((v, i) => (sum[i] += v));
      total.forEach((v, i) => expect(v).toBeCloseTo(sum[i], 9));
    }
    return into;
  }

  it('match the definition on each set, whatever centre the crosses are about and however the a-side is tiled', async () => {
    const runMean = (side: 'a' | 'b') => {
      const out = new Float64Array(k);
      const n = blocks.reduce((s, b) => s + b.n, 0);
      for (const b of blocks) for (let i = 0; i < b.n * k; i++) out[i % k] += b[side][i] / n;
      return out;
    };
    const runs = [
      await scores(runMean('a'), runMean('b'), [[0, k]]),
      await scores(runMean('a').map((v) => v + 3), runMean('b').map((v) => v - 2), [[0, 2], [2, 5]]),
    ];
    blocks.forEach((_, j) => {
      const rest = blocks.filter((__, i) => i !== j);
      const n = rest.reduce((s, b) => s + b.n, 0);
      const join = (side: 'a' | 'b') => Float32Array.from(rest.flatMap((b) => Array.from(b[side])));
      const want = reference(join('a'), join('b'), n, k, true);
      expect(want.undefined).toBe(j === 2 ? 2 : 1);
      for (const got of runs) expectMatches(got[j], want, 9);
    });
  });
});
