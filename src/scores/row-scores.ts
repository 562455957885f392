import { isConstantMargin } from '../scored-models/constant-rows.js';
import { chunkMoments, margins, rowMaxOf, type CrossProduct } from './co-moments.js';
import { countPair } from './pairs.js';
import { addScore, type ScoreSums } from './sums.js';

/** Most bytes of the (tile × K) similarity matrix onnxruntime holds per call: wider probes go in tiles of a-side channels. */
const TILE_BYTES = 128 * 2 ** 20;

/**
 * Adds the scores of a vector probe over one set of n images straight from their rows (SPEC §3–§4,
 * S over the images), with the same semantics as `addCoMomentScores` on that set's co-moments: the
 * margins of SPEC §3 from the set's own float64 means and two-pass sums of squares (so a channel
 * exactly constant on the set has σ = 0 even when it varies elsewhere in the run), the shared
 * defined set D, inv(c) = S(a_c, b_c), eqv(c) = max over non-constant c′ of S(a_c, b_c′).
 *
 * Each column is centred (Pearson) and divided by its norm before the product, so aᵀb is already
 * the similarity matrix and onnxruntime returns only its row maxima (`CrossProduct.rowMax`); a
 * constant b-side column is replaced by the first non-constant one, whose similarity the maximum
 * holds anyway, so no mask is needed. Used for the jackknife's leave-one-block-out sets of small
 * runs (`chanceFromRows`), where this costs less than building their K×K co-moments.
 *
 * @param a - v′ rows, n × k (image-major); `b` the v rows
 * @param tile - a-side channels per onnxruntime call (a split only changes rounding)
 */
export async function addRowScores(
  a: Float32Array,
  b: Float32Array,
  n: number,
  k: number,
  centred: boolean,
  product: CrossProduct,
  inv: ScoreSums,
  eqv: ScoreSums,
  tile = Math.max(1, Math.min(k, Math.floor(TILE_BYTES / (8 * k)))),
): Promise<void> {
  if (n < 3) return;
  const sa = chunkMoments(a, n, k, centred);
  const sb = chunkMoments(b, n, k, centred);
  const marginA = margins(n, sa.mean, sa.m2, centred);
  const marginB = margins(n, sb.mean, sb.m2, centred);
  const unitB = unitColumns(sb.dev, sb.m2, n, k, (c) => !isConstantMargin(marginB[c]));
  for (let from = 0; from < k; from += tile) {
    const to = Math.min(k, from + tile);
    const defined: number[] = [];
    for (let c = from; c < to; c++) if (countPair(marginA[c], marginB[c], inv, eqv)) defined.push(c);
    if (defined.length === 0) continue;
    const t = to - from;
    const unitA = new Float64Array(n * t);
    for (const c of defined) {
      const norm = Math.sqrt(sa.m2[c]);
      for (let i = 0; i < n; i++) unitA[i * t + c - from] = sa.dev[i * k + c] / norm;
    }
    const best = await rowMaxOf(product, unitA, unitB, n, t, k);
    for (const c of defined) {
      let same = 0;
      for (let i = 0; i < n; i++) same += unitA[i * t + c - from] * unitB[i * k + c];
      addScore(inv, same);
      // c′ = c is among the maximum's channels: rounding of the two sums must not put eqv below inv.
      addScore(eqv, Math.max(same, best[c - from]));
    }
  }
}

/** Deviations divided by their column norms (n × k); columns not `valid` repeat the first valid one (all zero if none). */
function unitColumns(dev: Float64Array, m2: Float64Array, n: number, k: number, valid: (c: number) => boolean): Float64Array {
  const out = new Float64Array(n * k);
  let first = -1;
  for (let c = 0; c < k; c++) {
    if (!valid(c)) continue;
    if (first < 0) first = c;
    const norm = Math.sqrt(m2[c]);
    for (let i = 0; i < n; i++) out[i * k + c] = dev[i * k + c] / norm;
  }
  if (first >= 0) for (let c = 0; c < k; c++) if (!valid(c)) for (let i = 0; i < n; i++) out[i * k + c] = out[i * k + first];
  return out;
}
