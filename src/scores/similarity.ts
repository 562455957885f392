/**
 * Reference implementations of SPEC §3's similarities in plain float64 JS. Measurements run the
 * same definitions inside the metric graph (metric.ts); these readable versions are what the
 * graph is tested against.
 */

/**
 * Whether `length` values from `offset` are constant by SPEC §3's rule:
 * σ < 1e−8 · (1 + |mean|), with σ the population standard deviation (float64 accumulators).
 */
export function isConstant(values: ArrayLike<number>, offset = 0, length = values.length - offset): boolean {
  const { mean, std } = meanStd(values, offset, length);
  return !(std >= 1e-8 * (1 + Math.abs(mean)));
}

function meanStd(values: ArrayLike<number>, offset: number, length: number): { mean: number; std: number } {
  let sum = 0;
  for (let i = 0; i < length; i++) sum += values[offset + i];
  const mean = sum / length;
  let ss = 0;
  for (let i = 0; i < length; i++) {
    const d = values[offset + i] - mean;
    ss += d * d;
  }
  return { mean, std: Math.sqrt(ss / length) };
}

/**
 * Pearson correlation in float64 (two-pass), or null when either side is constant (SPEC §3).
 *
 * @example
 * pearson([1, 2, 3], [2, 4, 7]); // 0.993
 */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  const n = a.length;
  if (n !== b.length) throw new RangeError(`pearson: lengths differ (${n} vs ${b.length}).`);
  if (isConstant(a) || isConstant(b)) return null;
  const sa = meanStd(a, 0, n);
  const sb = meanStd(b, 0, n);
  let cov = 0;
  for (let i = 0; i < n; i++) cov += (a[i] - sa.mean) * (b[i] - sb.mean);
  return cov / n / (sa.std * sb.std);
}

/** Cosine similarity in float64, or null when either vector is zero. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : null;
}
