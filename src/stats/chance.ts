/** Default `--null-images M`: map nulls are scored on the first min(M, N) images of the null order (SPEC §4b). */
export const DEFAULT_NULL_IMAGES = 256;

/** Reason of an excess left null because the null is within 0.05 of 1 (SPEC §4b). */
export const CHANCE_SATURATED = 'chance_saturated';

/** A score against its chance level. */
export interface Excess {
  /** score − null. */
  readonly above: number | null;
  /** (score − null) / (1 − null), unclipped; null when undefined or saturated. */
  readonly excess: number | null;
  readonly reason?: string;
}

/**
 * Score above chance and chance-corrected excess (SPEC §4b): above = s − s₀,
 * excess = (s − s₀)/(1 − s₀), unclipped (negative = below chance). When 1 − s₀ < 0.05 the
 * excess is null with reason `chance_saturated`.
 *
 * @example
 * excessOf(0.9, 0.6); // { above: 0.3, excess: 0.75 }
 */
export function excessOf(score: number | null, chance: number | null): Excess {
  if (score === null || chance === null || !Number.isFinite(score) || !Number.isFinite(chance)) return { above: null, excess: null, reason: 'no_null' };
  const above = score - chance;
  if (1 - chance < 0.05) return { above, excess: null, reason: CHANCE_SATURATED };
  return { above, excess: above / (1 - chance) };
}
