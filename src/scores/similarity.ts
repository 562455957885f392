/**
 * Reference implementations of SPEC §3's similarities in plain float64 JS. Measurements run the
 * same definitions inside onnxruntime (rows.ts, in the scored models and the vector metric graph);
 * these readable versions are what those graphs are tested against.
 */

/** Mean and population standard deviation of `length` values from `offset`, two-pass in float64. */
function meanStd(values: ArrayLike<number>, offset: number, length: number): { mean: number; std: number } {
  let sum = 0;
  for (let i = 0; i < length; i++) sum += values[offset + i];
  const mean = sum / length;
  // Two passes: summing squares of centred values keeps the small variance of a large-mean row.
  let ss = 0;
  for (let i = 0; i < length; i++) {
    const d = values[offset + i] - mean;
    ss += d * d;
  }
  return { mean, std: Math.sqrt(ss / length) };
}

/** SPEC §3's rule on already computed statistics; NaN statistics (empty or non-finite input) count as constant. */
const constantBy = (mean: number, std: number): boolean => !(std >= 1e-8 * (1 + Math.abs(mean)));

/**
 * Whether `length` values from `offset` are constant by SPEC §3's rule σ < 1e−8 · (1 + |mean|),
 * with σ the population standard deviation (float64 accumulators). The scale-aware bound treats
 * float noise on a large mean as constant.
 *
 * @param values - the data
 * @param offset - index of the first value (default 0)
 * @param length - number of values (default: to the end)
 * @returns true when the values are constant (also for an empty range or non-finite values)
 * @example
 * isConstant([1000, 1000 + 1e-9, 1000]); // true
 * isConstant(Float32Array.of(9, 9, 1, 2, 3), 2, 3); // false
 */
export function isConstant(values: ArrayLike<number>, offset = 0, length = values.length - offset): boolean {
  const { mean, std } = meanStd(values, offset, length);
  return constantBy(mean, std);
}

/**
 * Pearson correlation cov(a, b) / (σ_a σ_b) in float64 (two-pass), or null when either side is
 * constant (SPEC §3). Not clipped to [−1, 1].
 *
 * @param a - first vector
 * @param b - second vector, as long as a
 * @returns the correlation, or null when undefined
 * @throws RangeError when the lengths differ
 * @example
 * pearson([1, 2, 3], [2, 4, 7]); // 0.9933
 * pearson([5, 5, 5], [1, 2, 3]); // null
 */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  const n = a.length;
  if (n !== b.length) throw new RangeError(`pearson: lengths differ (${n} vs ${b.length}).`);
  const sa = meanStd(a, 0, n);
  const sb = meanStd(b, 0, n);
  if (constantBy(sa.mean, sa.std) || constantBy(sb.mean, sb.std)) return null;
  let cov = 0;
  for (let i = 0; i < n; i++) cov += (a[i] - sa.mean) * (b[i] - sb.mean);
  return cov / n / (sa.std * sb.std);
}

/**
 * Cosine similarity a·b / (‖a‖ ‖b‖) in float64 (`--similarity cosine`), or null when either vector is zero.
 *
 * @param a - first vector
 * @param b - second vector, as long as a
 * @returns the similarity, or null when undefined
 * @throws RangeError when the lengths differ
 * @example
 * cosine([1, 0], [1, 1]); // 0.7071
 * cosine([0, 0], [1, 1]); // null
 */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  const n = a.length;
  if (n !== b.length) throw new RangeError(`cosine: lengths differ (${n} vs ${b.length}).`);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : null;
}
