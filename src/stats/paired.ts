import { percentileInterval, type Interval } from './bootstrap.js';

/** A paired comparison of two results on the same images (SPEC §4b). */
export interface PairedDifference {
  /** Estimate of A minus estimate of B. */
  readonly difference: number;
  readonly interval: Interval;
  /** Two-sided bootstrap p-value, min(1, 2(1 + min(#Δ* ≤ 0, #Δ* ≥ 0)) / (B + 1)). */
  readonly p: number | null;
}

/**
 * Paired bootstrap comparison: the replicates of A and B come from the same draws of the shared
 * images, so Δ*_b = A*_b − B*_b keeps what the two results have in common out of the interval.
 *
 * @param a - estimate and replicates of A
 * @param b - estimate and replicates of B (same length, same draws)
 * @example
 * pairedDifference({ estimate: x, replicates: r }, { estimate: x, replicates: r }); // { difference: 0, p: 1, … }
 */
export function pairedDifference(a: { estimate: number; replicates: Float64Array }, b: { estimate: number; replicates: Float64Array }): PairedDifference {
  const deltas = a.replicates.map((v, i) => v - b.replicates[i]);
  const interval = percentileInterval(deltas);
  const difference = a.estimate - b.estimate;
  if (interval.lo === null) return { difference, interval, p: null };
  let atMost = 0;
  let atLeast = 0;
  for (const d of deltas) {
    if (d <= 0) atMost += 1;
    if (d >= 0) atLeast += 1;
  }
  return { difference, interval, p: Math.min(1, (2 * (1 + Math.min(atMost, atLeast))) / (deltas.length + 1)) };
}
