/**
 * Reference implementations of SPEC §3's similarities and constant-row rule in plain float64 JS.
 * Measurements run the same definitions inside onnxruntime (rows.ts, in the scored models and the
 * vector metric graph); these readable versions are what those graphs are tested against.
 */
import { CONSTANT_ULPS, UNIT_ROUNDOFF } from '../../src/scored-models/rows.js';

/** Mean and population standard deviation of `values`, two-pass in float64. */
function meanStd(values: ArrayLike<number>): { mean: number; std: number } {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  // Two passes: summing squares of centred values keeps the small variance of a large-mean row.
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    ss += d * d;
  }
  return { mean, std: Math.sqrt(ss / n) };
}

/**
 * Root mean square of `values` in float64: ρ of SPEC §3 when given a whole probe tensor of one image.
 *
 * @example
 * rms([3, -4]); // 3.5355
 */
export function rms(values: ArrayLike<number>): number {
  let ss = 0;
  for (let i = 0; i < values.length; i++) ss += values[i] * values[i];
  return Math.sqrt(ss / values.length);
}

/** SPEC §3's threshold 32·u·max(|mean|, ρ) for float32 computations. */
export function constantThreshold(mean: number, rho: number): number {
  return CONSTANT_ULPS * UNIT_ROUNDOFF * Math.max(Math.abs(mean), rho);
}

/** SPEC §3's rule on computed statistics; NaN statistics (empty or non-finite input) count as constant. */
const constantBy = (mean: number, std: number, rho: number): boolean => !(std > constantThreshold(mean, rho));

/**
 * Whether a row is constant by SPEC §3: σ ≤ 32·u·max(|mean|, ρ), σ the population standard
 * deviation, u = 2⁻²⁴. Scale-free: multiplying the row and ρ by any non-zero number changes nothing.
 *
 * @param values - the row
 * @param rho - RMS of the whole probe tensor the row belongs to (default: of the row itself)
 * @returns true when the row is constant (also for an empty row or non-finite values)
 * @example
 * isConstant([1000, 1000, 1000]); // true
 * isConstant([1, 1 + 1e-9, 1]); // true: σ far below float32 resolution of the mean
 * isConstant([0, 2e-6], 1); // true: σ = 1e−6 ≤ 32·2⁻²⁴·1 ≈ 1.9e−6 (the row is noise on a tensor of RMS 1)
 * isConstant([0, 2e-6]); // false: on its own (ρ = its RMS) the row varies
 */
export function isConstant(values: ArrayLike<number>, rho = rms(values)): boolean {
  const { mean, std } = meanStd(values);
  return constantBy(mean, std, rho);
}

/**
 * Pearson correlation cov(a, b) / (σ_a σ_b) in float64 (two-pass), or null when either side is
 * constant (SPEC §3). Not clipped to [−1, 1].
 *
 * @param a - first vector
 * @param b - second vector, as long as a
 * @param rhoA - ρ of a's probe tensor (default: a's own RMS)
 * @param rhoB - ρ of b's probe tensor (default: b's own RMS)
 * @returns the correlation, or null when undefined
 * @throws RangeError when the lengths differ
 * @example
 * pearson([1, 2, 3], [2, 4, 7]); // 0.9933
 * pearson([5, 5, 5], [1, 2, 3]); // null
 */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>, rhoA = rms(a), rhoB = rms(b)): number | null {
  const n = a.length;
  if (n !== b.length) throw new RangeError(`pearson: lengths differ (${n} vs ${b.length}).`);
  const sa = meanStd(a);
  const sb = meanStd(b);
  if (constantBy(sa.mean, sa.std, rhoA) || constantBy(sb.mean, sb.std, rhoB)) return null;
  let cov = 0;
  for (let i = 0; i < n; i++) cov += (a[i] - sa.mean) * (b[i] - sb.mean);
  return cov / n / (sa.std * sb.std);
}

/**
 * Whether a row is degenerate for cosine similarity: its RMS is at most 32·u·ρ (a zero row always is).
 *
 * @param values - the row
 * @param rho - RMS of the whole probe tensor the row belongs to
 */
export function isZeroForCosine(values: ArrayLike<number>, rho: number): boolean {
  return !(rms(values) > CONSTANT_ULPS * UNIT_ROUNDOFF * rho);
}

/**
 * Cosine similarity a·b / (‖a‖ ‖b‖) in float64 (`--similarity cosine`), or null when either vector
 * is zero at the rounding level of its tensor (`isZeroForCosine`).
 *
 * @param a - first vector
 * @param b - second vector, as long as a
 * @param rhoA - ρ of a's probe tensor (default: a's own RMS, so only a zero vector is null)
 * @param rhoB - ρ of b's probe tensor
 * @returns the similarity, or null when undefined
 * @throws RangeError when the lengths differ
 * @example
 * cosine([1, 0], [1, 1]); // 0.7071
 * cosine([0, 0], [1, 1]); // null
 */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>, rhoA = rms(a), rhoB = rms(b)): number | null {
  const n = a.length;
  if (n !== b.length) throw new RangeError(`cosine: lengths differ (${n} vs ${b.length}).`);
  if (isZeroForCosine(a, rhoA) || isZeroForCosine(b, rhoB)) return null;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}
