import type { ScoreStats } from '../types.js';

/**
 * Running sums of one score (SPEC §8): sums and counts, not means, so that batches, checkpoints
 * and shards combine exactly by addition.
 */
export interface ScoreSums {
  n: number;
  sum: number;
  sumSq: number;
  undefinedPairs: number;
}

/** Empty sums. */
export function emptySums(): ScoreSums {
  return { n: 0, sum: 0, sumSq: 0, undefinedPairs: 0 };
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

/** Adds `b` into `a` (batches, shards). */
export function mergeSums(a: ScoreSums, b: ScoreSums): void {
  a.n += b.n;
  a.sum += b.sum;
  a.sumSq += b.sumSq;
  a.undefinedPairs += b.undefinedPairs;
}

/** Mean and population standard deviation from sums (NaN mean when nothing is defined). */
export function statsOf(sums: ScoreSums): ScoreStats {
  const mean = sums.n > 0 ? sums.sum / sums.n : NaN;
  const variance = sums.n > 0 ? Math.max(0, sums.sumSq / sums.n - mean * mean) : NaN;
  return { mean, std: Math.sqrt(variance), defined: sums.n, undefinedPairs: sums.undefinedPairs };
}
