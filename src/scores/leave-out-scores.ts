import { isConstantMargin } from '../scored-models/constant-rows.js';
import { margins, type CoMoments, type LeaveOutMax } from './co-moments.js';
import { countPair } from './pairs.js';
import { addScore, type ScoreSums } from './sums.js';

/** Most bytes of the stacked block cross co-moments per onnxruntime call (its intermediates are a few times this). */
const CALL_BYTES = 8 * 2 ** 20;

/**
 * Adds, for each block j, the scores over every other block (SPEC §4b's leave-one-block-out sets)
 * from the blocks' co-moments (one a-side tile), with `addCoMomentScores`' semantics. The set
 * without block j has n_j = Σ n_b, means μ_j = Σ n_b μ_b / n_j, and
 * M_j = Σ_{b≠j} (M_b + n_b (μ_b − μ_j)²), C_j = Σ_{b≠j} C_b + Σ_{b≠j} n_b (μa_b − μa_j)(μb_b − μb_j)ᵀ
 * (within plus between blocks, each block centred on its own mean: no block is subtracted from a
 * whole, so a channel constant on the set keeps M_j = 0 exactly). Means, M and the diagonal are
 * computed here (O(B²K)); the K×K part — prefix and suffix sums of C_b, the between-block term as a
 * rank-B product, the division by the norms and the row maximum over valid c′ — runs in one
 * onnxruntime graph (`leaveOut`), so no K×K matrix is built in JavaScript.
 *
 * @param into - per block j, the sums its leave-out set's scores are added to
 * @param sets - `leaveOutSets(blocks)`, which is the same for every a-side tile of the same blocks
 * @param rowsPerCall - a-side rows per onnxruntime call (a split only changes rounding)
 */
export async function addLeaveOutScores(
  blocks: readonly CoMoments[],
  leaveOut: LeaveOutMax,
  into: readonly { inv: ScoreSums; eqv: ScoreSums }[],
  { stats: sets, marginA, marginB, scaleB, bias, v }: LeaveOutSets = leaveOutSets(blocks),
  rowsPerCall = Math.max(1, Math.floor(CALL_BYTES / (8 * blocks.length * blocks[0].k))),
): Promise<void> {
  const count = blocks.length;
  const { k, from, to } = blocks[0];
  const t = to - from;
  const scaleA = new Float64Array(count * t);
  const defined: number[][] = sets.map((set, j) => {
    const out: number[] = [];
    if (set.n < 3) return out;
    for (let c = from; c < to; c++) {
      if (!countPair(marginA[j][c], marginB[j][c], into[j].inv, into[j].eqv)) continue;
      out.push(c);
      scaleA[j * t + c - from] = 1 / Math.sqrt(set.m2A[c]);
    }
    return out;
  });
  // Between-block term per set j: u_j (t × B) = n_b (μa_b − μa_j), b ≠ j (v_j in `leaveOutSets`).
  const u = new Float64Array(count * t * count);
  sets.forEach((set, j) => {
    blocks.forEach((block, b) => {
      if (b === j || block.n === 0) return;
      for (let c = from; c < to; c++) u[(j * t + c - from) * count + b] = block.n * (block.meanA[c] - set.meanA[c]);
    });
  });
  const best = new Float64Array(count * t);
  for (let r0 = 0; r0 < t; r0 += rowsPerCall) {
    const r1 = Math.min(t, r0 + rowsPerCall);
    const part = (x: Float64Array, width: number) => {
      const out = new Float64Array(count * (r1 - r0) * width);
      for (let j = 0; j < count; j++) out.set(x.subarray((j * t + r0) * width, (j * t + r1) * width), j * (r1 - r0) * width);
      return out;
    };
    const cross = new Float64Array(count * (r1 - r0) * k);
    blocks.forEach((block, b) => cross.set(block.cross.subarray(r0 * k, r1 * k), b * (r1 - r0) * k));
    const got = await leaveOut({ cross, u: part(u, count), v, scaleA: part(scaleA, 1), scaleB, bias, blocks: count, t: r1 - r0, k });
    for (let j = 0; j < count; j++) best.set(got.subarray(j * (r1 - r0), (j + 1) * (r1 - r0)), j * t + r0);
  }
  defined.forEach((list, j) => {
    for (const c of list) {
      const row = c - from;
      let diagonal = 0;
      for (let b = 0; b < count; b++) if (b !== j) diagonal += blocks[b].cross[row * k + c] + u[(j * t + row) * count + b] * v[(j * count + b) * k + c];
      const same = diagonal * scaleA[j * t + row] * scaleB[j * k + c];
      addScore(into[j].inv, same);
      // c′ = c is among the maximum's channels: rounding of the two sums must not put eqv below inv.
      addScore(into[j].eqv, Math.max(same, best[j * t + row]));
    }
  });
}

/** What `addLeaveOutScores` needs of every leave-out set over all K channels, whatever the a-side tile. */
export interface LeaveOutSets {
  readonly stats: readonly ReturnType<typeof setMoments>[];
  readonly marginA: readonly Float64Array[];
  readonly marginB: readonly Float64Array[];
  /** B × K: 1 / ‖b_c′‖ for valid c′, else 0; `bias` 0 or −∞. */
  readonly scaleB: Float64Array;
  readonly bias: Float64Array;
  /** B × B × K: v_j[b, c′] = μb_b − μb_j for b ≠ j (the between-block term's right factor). */
  readonly v: Float64Array;
}

/** The leave-out sets' statistics from the blocks' means and sums of squares (the same in every a-side tile). */
export function leaveOutSets(blocks: readonly CoMoments[]): LeaveOutSets {
  const count = blocks.length;
  const { k, centred } = blocks[0];
  const stats = blocks.map((_, j) => setMoments(blocks, j));
  const marginA = stats.map((set) => margins(set.n, set.meanA, set.m2A, centred));
  const marginB = stats.map((set) => margins(set.n, set.meanB, set.m2B, centred));
  const scaleB = new Float64Array(count * k);
  const bias = new Float64Array(count * k);
  const v = new Float64Array(count * count * k);
  stats.forEach((set, j) => {
    for (let c = 0; c < k; c++) {
      const valid = !isConstantMargin(marginB[j][c]);
      scaleB[j * k + c] = valid ? 1 / Math.sqrt(set.m2B[c]) : 0;
      bias[j * k + c] = valid ? 0 : -Infinity;
    }
    blocks.forEach((block, b) => {
      if (b === j || block.n === 0) return;
      for (let c = 0; c < k; c++) v[(j * count + b) * k + c] = block.meanB[c] - set.meanB[c];
    });
  });
  return { stats, marginA, marginB, scaleB, bias, v };
}

/** n, means and sums of squared deviations of every block but `j` (all K channels, both sides). */
function setMoments(blocks: readonly CoMoments[], j: number) {
  const k = blocks[0].k;
  const set = { n: 0, meanA: new Float64Array(k), m2A: new Float64Array(k), meanB: new Float64Array(k), m2B: new Float64Array(k) };
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
