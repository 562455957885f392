/**
 * Numbers in result files are written at a fixed precision, so that a re-run whose floating-point
 * sums differ only in the last bits (thread scheduling, summation order) writes the same bytes.
 */

/** Significant digits kept in JSON and CSV output. */
export const SIGNIFICANT_DIGITS = 6;

/**
 * A number rounded to {@link SIGNIFICANT_DIGITS} significant digits; integers and non-finite
 * values are returned as they are.
 *
 * @example
 * stableNumber(0.123456789); // 0.123457
 * stableNumber(-0.0000001); // -1e-7
 */
export function stableNumber(v: number): number {
  if (!Number.isFinite(v) || Number.isInteger(v)) return v;
  const r = Number(v.toPrecision(SIGNIFICANT_DIGITS));
  // -0 would print as 0 in JSON but "-0" nowhere else; keep one zero.
  return r === 0 ? 0 : r;
}
