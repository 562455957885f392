import type { Similarity } from '../types.js';

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
  const sa = meanStd(a, 0, n);
  const sb = meanStd(b, 0, n);
  if (!(sa.std >= 1e-8 * (1 + Math.abs(sa.mean))) || !(sb.std >= 1e-8 * (1 + Math.abs(sb.mean)))) return null;
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

/**
 * Standardises each row so that the dot product of two rows is their similarity: for Pearson
 * (x − mean)/‖x − mean‖, for cosine x/‖x‖, computed in float64 and stored as float32. This moves
 * the mean subtraction (where float32 would lose precision on large means) out of the K×K
 * product, which then runs in onnxruntime.
 *
 * @param data - rows × length values (a channel's flattened map per row)
 * @returns standardised rows, and `valid[r] = 0` (row zero-filled) where row r is constant
 * @example
 * const { rows, valid } = standardizeRows(map, K, h * w, 'pearson');
 */
export function standardizeRows(data: Float32Array, rows: number, length: number, similarity: Similarity): { rows: Float32Array; valid: Uint8Array } {
  const out = new Float32Array(rows * length);
  const valid = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const offset = r * length;
    let mean = 0;
    if (similarity === 'pearson') {
      const stats = meanStd(data, offset, length);
      if (!(stats.std >= 1e-8 * (1 + Math.abs(stats.mean)))) continue;
      mean = stats.mean;
    }
    let ss = 0;
    for (let i = 0; i < length; i++) {
      const d = data[offset + i] - mean;
      ss += d * d;
    }
    if (!(ss > 0)) continue;
    const scale = 1 / Math.sqrt(ss);
    for (let i = 0; i < length; i++) out[offset + i] = (data[offset + i] - mean) * scale;
    valid[r] = 1;
  }
  return { rows: out, valid };
}
