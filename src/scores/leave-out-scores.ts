import { isConstantMargin } from '../scored-models/constant-rows.js';
import { margins, type CoMoments } from './co-moments.js';
import { countPair } from './pairs.js';
import { addScore, type ScoreSums } from './sums.js';

/** A block's image count, and per channel its means and sums of squared deviations about them, both sides. */
export type BlockMoments = Pick<CoMoments, 'k' | 'centred' | 'n' | 'meanA' | 'm2A' | 'meanB' | 'm2B'>;

/**
 * One a-side tile's cross co-moments of every jackknife block, all about one centre (the run's
 * means): block b's Σ_{i∈b} (a_i − centreA)(b_i − centreB)ᵀ, rows `from ≤ c < to`, (to − from) × K.
 */
export interface CentredCrosses {
  readonly k: number;
  readonly from: number;
  readonly to: number;
  readonly centreA: Float64Array;
  readonly centreB: Float64Array;
  readonly blocks: readonly Float64Array[];
}

/**
 * Adds, for each block j, the scores over every other block (SPEC §4b's leave-one-block-out sets),
 * with `addCoMomentScores`' semantics, for one a-side tile. The set without block j has n_j images,
 * means μ_j and sums of squares M_j from the blocks' own (`leaveOutSets`: merged, never a block
 * subtracted from a whole, so a channel constant on the set keeps M_j = 0 exactly). Its cross
 * co-moments about μ_j are, with every block's crosses about one centre m,
 * (total − C_j) − n_j (μa_j − ma)(μb_j − mb)ᵀ. Row by row: the row's total, then one pass over its
 * K columns per set, fused in JavaScript while the row's blocks are still in cache (a graph of
 * several passes over 20 × K² values was slower: docs/performance.md, "Session 23").
 *
 * @param into - per block j, the sums its leave-out set's scores are added to
 * @param sets - `leaveOutSets` of the blocks, the same for every a-side tile
 * @param total - filled with the blocks' sum, (to − from) × K: the whole run's crosses about the centre
 */
export function addLeaveOutScores(crosses: CentredCrosses, into: readonly { inv: ScoreSums; eqv: ScoreSums }[], sets: LeaveOutSets, total: Float64Array): void {
  const { k, from, to, centreA, centreB, blocks } = crosses;
  const { stats, marginA, marginB, scaleB } = sets;
  const shiftB = new Float64Array(stats.length * k);
  stats.forEach((set, j) => {
    for (let c = 0; c < k; c++) shiftB[j * k + c] = set.meanB[c] - centreB[c];
  });
  for (let c = from; c < to; c++) {
    const row = (c - from) * k;
    const sum = total.subarray(row, row + k).fill(0);
    for (const block of blocks) for (let c2 = 0; c2 < k; c2++) sum[c2] += block[row + c2];
    stats.forEach((set, j) => {
      if (set.n < 3 || !countPair(marginA[j][c], marginB[j][c], into[j].inv, into[j].eqv)) return;
      const block = blocks[j];
      const at = j * k;
      const shiftA = set.n * (set.meanA[c] - centreA[c]);
      // Invalid c′ have scale NaN: no comparison with NaN is true, so they never become the maximum.
      let best = -Infinity;
      for (let c2 = 0; c2 < k; c2++) {
        const s = (sum[c2] - block[row + c2] - shiftA * shiftB[at + c2]) * scaleB[at + c2];
        if (s > best) best = s;
      }
      const scaleA = 1 / Math.sqrt(set.m2A[c]);
      const same = (sum[c] - block[row + c] - shiftA * shiftB[at + c]) * scaleB[at + c] * scaleA;
      addScore(into[j].inv, same);
      // c′ = c is among the maximum's channels: rounding must not put eqv below inv.
      addScore(into[j].eqv, Math.max(same, best * scaleA));
    });
  }
}

/** What `addLeaveOutScores` needs of every leave-out set over all K channels, whatever the a-side tile. */
export interface LeaveOutSets {
  readonly stats: readonly BlockMoments[];
  readonly marginA: readonly Float64Array[];
  readonly marginB: readonly Float64Array[];
  /** B × K: 1 / ‖b_c′‖ on set j for valid c′, else NaN. */
  readonly scaleB: Float64Array;
}

/** The leave-out sets' statistics from the blocks' means and sums of squares (the same in every a-side tile). */
export function leaveOutSets(blocks: readonly BlockMoments[]): LeaveOutSets {
  const { k, centred } = blocks[0];
  const stats = blocks.map((_, j) => setMoments(blocks, j));
  const marginA = stats.map((set) => margins(set.n, set.meanA, set.m2A, centred));
  const marginB = stats.map((set) => margins(set.n, set.meanB, set.m2B, centred));
  const scaleB = new Float64Array(blocks.length * k);
  stats.forEach((set, j) => {
    for (let c = 0; c < k; c++) scaleB[j * k + c] = isConstantMargin(marginB[j][c]) ? NaN : 1 / Math.sqrt(set.m2B[c]);
  });
  return { stats, marginA, marginB, scaleB };
}

/** n, means and sums of squared deviations of every block but `j` (all K channels, both sides). */
function setMoments(blocks: readonly BlockMoments[], j: number): BlockMoments {
  const { k, centred } = blocks[0];
  const set = { k, centred, n: 0, meanA: new Float64Array(k), m2A: new Float64Array(k), meanB: new Float64Array(k), m2B: new Float64Array(k) };
  const others = blocks.filter((b, i) => i !== j && b.n > 0);
  for (const b of others) set.n += b.n;
  if (set.n === 0) return set;
  for (const b of others) {
    for (let c = 0; c < k; c++) {
      set.meanA[c] += b.n * b.meanA[c];
      set.meanB[c] += b.n * b.meanB[c];
    }
  }
  for (let c = 0; c < k; c++) {
    set.meanA[c] /= set.n;
    set.meanB[c] /= set.n;
  }
  for (const b of others) {
    for (let c = 0; c < k; c++) {
      set.m2A[c] += b.m2A[c] + b.n * (b.meanA[c] - set.meanA[c]) ** 2;
      set.m2B[c] += b.m2B[c] + b.n * (b.meanB[c] - set.meanB[c]) ** 2;
    }
  }
  return set;
}
