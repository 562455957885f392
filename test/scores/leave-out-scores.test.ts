import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/images/prng.js';
import { addChunk, emptyCoMoments } from '../../src/scores/co-moments.js';
import { addLeaveOutScores, leaveOutSets, type LeaveOutSets } from '../../src/scores/leave-out-scores.js';
import { CrossProducts } from '../../src/scored-models/metric.js';
import { emptySums, type ScoreSums } from '../../src/scores/sums.js';
import { jsCrossProduct } from './vector-reference.js';

describe('leave-one-block-out scores from block co-moments (SPEC §4b, large runs)', () => {
  const products = new CrossProducts({ threads: 1 });
  afterAll(() => products.release());

  it('a-side tiles (sharing the sets of the first) and rows split across onnxruntime calls give the sums of one call', async () => {
    const [k, blocks] = [5, 6];
    const rand = mulberry32(3);
    const rows = Array.from({ length: blocks }, (_, j) => {
      const n = 3 + j;
      return { n, a: Float32Array.from({ length: n * k }, () => 100 + rand()), b: Float32Array.from({ length: n * k }, () => 100 + rand()) };
    });
    const scores = async (tiles: readonly [number, number][], rowsPerCall?: number) => {
      const into = Array.from({ length: blocks }, () => ({ inv: emptySums(), eqv: emptySums() }));
      let sets: LeaveOutSets | undefined; // from the first tile, reused by the next as chanceFromRows does
      for (const [from, to] of tiles) {
        const moments = await Promise.all(rows.map(async (r) => {
          const m = emptyCoMoments(k, true, from, to);
          await addChunk(m, r.a, r.b, r.n, jsCrossProduct);
          return m;
        }));
        sets ??= leaveOutSets(moments);
        await addLeaveOutScores(moments, products.product.leaveOut!, into, sets, rowsPerCall);
      }
      return into;
    };
    const whole = await scores([[0, k]]);
    const split = await scores([[0, 2], [2, 5]], 1);
    const close = (x: ScoreSums, y: ScoreSums) => {
      expect([x.n, x.undefinedPairs]).toEqual([y.n, y.undefinedPairs]);
      expect(x.sum).toBeCloseTo(y.sum, 12);
      expect(x.sumSq).toBeCloseTo(y.sumSq, 12);
    };
    whole.forEach((s, j) => {
      expect(s.inv.n).toBe(k);
      close(s.inv, split[j].inv);
      close(s.eqv, split[j].eqv);
    });
  });
});
