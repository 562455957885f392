import type { PairScores } from '../scored-models/metric.js';
import { isConstantMargin, isNearConstantMargin } from '../scored-models/constant-rows.js';
import { addScore, type ScoreSums } from './sums.js';

/**
 * Adds the scores of image × channel pairs (rows of K channels per image) into the running
 * sums (SPEC §3–§4). Both scores average over the same defined set D: pairs whose F′_c and T′_g F_c
 * are both non-constant; every other pair is undefined for both, and counted as `oneSided` when
 * just one side is constant. The max over c′ (non-constant channels only, see
 * `replaceConstantRows` and the shift models' mask) includes c′ = c, so equivariance is raised to
 * the invariance where float32 rounding puts it a hair below: eqv ≥ inv pair by pair.
 */
export function addPairScores(s: PairScores, k: number, inv: ScoreSums, eqv: ScoreSums): void {
  for (let row = 0; row < s.inv.length; row++) {
    if (!countPair(s.marginA[row], s.marginB[row], inv, eqv)) continue;
    addScore(inv, s.inv[row]);
    addScore(eqv, Math.max(s.eqv[row], s.inv[row]));
  }
}

/**
 * The defined-set bookkeeping of one pair (SPEC §3–§4), shared by map pairs and vector
 * co-moments: a pair with a constant side is added as undefined to both sums (and counted as
 * `oneSided` when just one side is constant); a defined pair near the threshold is counted as
 * `nearConstant`.
 *
 * @param marginA - σ over the constant threshold of F′_c
 * @param marginB - the same of T′_g F_c
 * @returns whether the pair is in D, i.e. its scores are still to be added
 */
export function countPair(marginA: number, marginB: number, inv: ScoreSums, eqv: ScoreSums): boolean {
  const constantA = isConstantMargin(marginA);
  const constantB = isConstantMargin(marginB);
  if (constantA || constantB) {
    addScore(inv, null);
    addScore(eqv, null);
    if (constantA !== constantB) {
      inv.oneSided += 1;
      eqv.oneSided += 1;
    }
    return false;
  }
  if (isNearConstantMargin(marginA) || isNearConstantMargin(marginB)) {
    inv.nearConstant += 1;
    eqv.nearConstant += 1;
  }
  return true;
}
