import type { ScoreStats } from '../types.js';

/**
 * Running sums of one score (SPEC §8): sums and counts, not means, so that batches, checkpoints
 * and shards combine exactly by addition. The pair counts of SPEC §3 (`undefinedPairs`,
 * `nearConstant`, `oneSided`) are the same for inv and eqv, which share the defined set D (SPEC §4).
 */
export interface ScoreSums {
  n: number;
  sum: number;
  sumSq: number;
  /** Pairs with a constant side, left out of D. */
  undefinedPairs: number;
  /** Pairs in D with a side whose σ is within 100× of the constant threshold. */
  nearConstant: number;
  /** Undefined pairs with exactly one constant side (a channel that switches on or off under g). */
  oneSided: number;
}

/** Empty sums. */
export function emptySums(): ScoreSums {
  return { n: 0, sum: 0, sumSq: 0, undefinedPairs: 0, nearConstant: 0, oneSided: 0 };
}

/** Adds one score, or counts an undefined pair when `value` is null. */
export function addScore(sums: ScoreSums, value: number | null): void {
  if (value === null) {
    sums.undefinedPairs += 1;
    return;
  }
  sums.n += 1;
  sums.sum += value;
  sums.sumSq += value * value;
}

/** Adds `b` into `a` (batches, shards); counts missing from older states count as 0. */
export function mergeSums(a: ScoreSums, b: ScoreSums): void {
  a.n += b.n;
  a.sum += b.sum;
  a.sumSq += b.sumSq;
  a.undefinedPairs += b.undefinedPairs;
  a.nearConstant = (a.nearConstant ?? 0) + (b.nearConstant ?? 0);
  a.oneSided = (a.oneSided ?? 0) + (b.oneSided ?? 0);
}

/**
 * Mean and standard deviation (ddof = 1, SPEC §4) from sums: the mean is null when no pair is
 * defined, the standard deviation when fewer than two are.
 */
export function statsOf(sums: ScoreSums): ScoreStats {
  const n = sums.n;
  const mean = n > 0 ? sums.sum / n : null;
  const std = mean !== null && n > 1 ? Math.sqrt(Math.max(0, (sums.sumSq - n * mean * mean) / (n - 1))) : null;
  return { mean, std, defined: n, undefinedPairs: sums.undefinedPairs, nearConstant: sums.nearConstant ?? 0, oneSided: sums.oneSided ?? 0 };
}
