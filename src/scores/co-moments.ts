import { isConstantMargin } from '../scored-models/constant-rows.js';
import { countPair } from './pairs.js';
import { CONSTANT_ULPS, UNIT_ROUNDOFF } from '../scored-models/rows.js';
import { addScore, type ScoreSums } from './sums.js';

/**
 * Streaming statistics of a vector probe under one group element (SPEC §4, §8): for a = v′ (from
 * T_g x) and b = v (from x) over the images seen so far, the per-channel means and sums of squared
 * deviations, and the K×K cross co-moments Σᵢ (a_c − ā_c)(b_c′ − b̄_c′) for a-side channels
 * `from ≤ c < to` (all of them, or one tile of a very wide probe). Pearson correlations of every
 * (c, c′) follow from these, so they replace the per-image vectors; batches and shards combine
 * with Chan's pairwise update, which stays accurate for vectors whose mean is far above their
 * spread. For cosine similarity nothing is centred (means stay 0; the sums are raw).
 */
export interface CoMoments {
  readonly k: number;
  readonly from: number;
  readonly to: number;
  /** Pearson (centred) or cosine (raw sums). */
  readonly centred: boolean;
  n: number;
  readonly meanA: Float64Array;
  readonly m2A: Float64Array;
  readonly meanB: Float64Array;
  readonly m2B: Float64Array;
  /** (to − from) × k, row c − from, column c′. */
  readonly cross: Float64Array;
}

/**
 * Empty statistics for K channels; `from`/`to` pick the a-side channels of the cross co-moments.
 *
 * @param cross - storage for the cross co-moments to reuse, (to − from) × k values (zeroed here):
 *   tiles of one probe scored one after another then hold one buffer instead of leaving each
 *   tile's behind for the garbage collector
 */
export function emptyCoMoments(k: number, centred: boolean, from = 0, to = k, cross?: Float64Array): CoMoments {
  if (cross && cross.length !== (to - from) * k) throw new RangeError(`co-moments: cross storage of ${cross.length} values for ${to - from} × ${k}`);
  return {
    k, from, to, centred, n: 0,
    meanA: new Float64Array(k), m2A: new Float64Array(k), meanB: new Float64Array(k), m2B: new Float64Array(k),
    cross: cross ? cross.fill(0) : new Float64Array((to - from) * k),
  };
}

/** Float64 values of a CoMoments, in a fixed order (n, meanA, m2A, meanB, m2B, cross), for checkpoints. */
export function coMomentsValues(m: CoMoments): Float64Array[] {
  return [Float64Array.of(m.n), m.meanA, m.m2A, m.meanB, m.m2B, m.cross];
}

/** Number of float64 values `coMomentsValues` gives for K channels (whole cross matrix). */
export function coMomentsLength(k: number): number {
  return 1 + 4 * k + k * k;
}

/** Reads back what `coMomentsValues` wrote (whole cross matrix). */
export function coMomentsFrom(values: Float64Array, k: number, centred: boolean): CoMoments {
  const at = (i: number, length: number) => values.slice(1 + i * k, 1 + i * k + length);
  return { k, from: 0, to: k, centred, n: values[0], meanA: at(0, k), m2A: at(1, k), meanB: at(2, k), m2B: at(3, k), cross: at(4, k * k) };
}

/**
 * a′ᵀ b′ for centred chunks a′ (n × t) and b′ (n × k), row-major: t × k. Runs in onnxruntime (`CrossProducts`).
 * `rowMax`, where given, returns only the t row maxima of a′ᵀ b′ (the t × k matrix stays in
 * onnxruntime); without it they are taken in JavaScript from the whole product (`rowMaxOf`).
 */
export type CrossProduct = ((a: Float64Array, b: Float64Array, n: number, t: number, k: number) => Promise<Float64Array>) & {
  readonly rowMax?: (a: Float64Array, b: Float64Array, n: number, t: number, k: number) => Promise<Float64Array>;
};

/** The t row maxima of a′ᵀ b′ (a′ n × t, b′ n × k): by `product.rowMax`, or over the whole product. */
export async function rowMaxOf(product: CrossProduct, a: Float64Array, b: Float64Array, n: number, t: number, k: number): Promise<Float64Array> {
  if (product.rowMax) return product.rowMax(a, b, n, t, k);
  const all = await product(a, b, n, t, k);
  const out = new Float64Array(t).fill(-Infinity);
  for (let r = 0; r < t; r++) for (let c = 0; c < k; c++) if (all[r * k + c] > out[r]) out[r] = all[r * k + c];
  return out;
}

/**
 * Means (zeros when not centred), sums of squared deviations and the deviations themselves
 * (n × k, float64) of n rows of k values: two passes, centred on the rows' own float64 means.
 */
export function chunkMoments(x: Float32Array, n: number, k: number, centred: boolean): { mean: Float64Array; m2: Float64Array; dev: Float64Array } {
  const mean = new Float64Array(k);
  if (centred) {
    for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) mean[c] += x[i * k + c];
    for (let c = 0; c < k; c++) mean[c] /= n;
  }
  const dev = new Float64Array(n * k);
  const m2 = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const d = x[i * k + c] - mean[c];
      dev[i * k + c] = d;
      m2[c] += d * d;
    }
  }
  return { mean, m2, dev };
}

/**
 * Chan's pairwise update: merges statistics (n₂ images with means μ₂, deviations M₂, cross C₂) into
 * `m`. With δ = μ₂ − μ₁: μ = μ₁ + δ·n₂/n, M = M₁ + M₂ + δ²·n₁n₂/n, C = C₁ + C₂ + δ_a δ_bᵀ·n₁n₂/n.
 */
function mergeParts(m: CoMoments, n2: number, meanA: Float64Array, m2A: Float64Array, meanB: Float64Array, m2B: Float64Array, cross: Float64Array, crossFrom: number): void {
  const n1 = m.n;
  const n = n1 + n2;
  if (n2 === 0) return;
  const w = (n1 * n2) / n;
  const dA = meanA.map((v, c) => v - m.meanA[c]);
  const dB = meanB.map((v, c) => v - m.meanB[c]);
  const { k, from, to } = m;
  for (let c = from; c < to; c++) {
    const row = (c - from) * k;
    const source = (c - crossFrom) * k;
    const da = dA[c] * w;
    for (let c2 = 0; c2 < k; c2++) m.cross[row + c2] += cross[source + c2] + da * dB[c2];
  }
  for (let c = 0; c < k; c++) {
    m.m2A[c] += m2A[c] + dA[c] * dA[c] * w;
    m.m2B[c] += m2B[c] + dB[c] * dB[c] * w;
    m.meanA[c] += (dA[c] * n2) / n;
    m.meanB[c] += (dB[c] * n2) / n;
  }
  m.n = n;
}

/**
 * Adds a chunk of n images to `m`: a = v′ rows and b = v rows, n × k each (image-major). The chunk
 * is centred around its own float64 means, its cross product a′ᵀb′ is run by `product` (float64),
 * and the result is merged by Chan's update.
 */
export async function addChunk(m: CoMoments, a: Float32Array, b: Float32Array, n: number, product: CrossProduct): Promise<void> {
  if (n === 0) return;
  const { k, from, to, centred } = m;
  const sa = chunkMoments(a, n, k, centred);
  const sb = chunkMoments(b, n, k, centred);
  const t = to - from;
  let left = sa.dev;
  if (t !== k) {
    left = new Float64Array(n * t);
    for (let i = 0; i < n; i++) left.set(sa.dev.subarray(i * k + from, i * k + to), i * t);
  }
  const cross = await product(left, sb.dev, n, t, k);
  mergeParts(m, n, sa.mean, sa.m2, sb.mean, sb.m2, cross, from);
}

/**
 * Adds the means and sums of squared deviations of some rows of a chunk to `m` (two passes over
 * them, then Chan's update), not their cross co-moments (`m` holds none:
 * `emptyCoMoments(k, centred, 0, 0)`). Nothing of the chunk's size is allocated.
 *
 * @param a - v′ rows, image-major, K each; `b` the v rows
 * @param rows - indices of the rows to add
 */
export function addRowStats(m: CoMoments, a: Float32Array, b: Float32Array, rows: readonly number[]): void {
  if (rows.length === 0) return;
  if (m.to !== m.from) throw new RangeError('co-moments: addRowStats on statistics that hold cross co-moments');
  const { k, centred } = m;
  const side = (x: Float32Array) => {
    const mean = new Float64Array(k);
    if (centred) {
      for (const r of rows) for (let c = 0; c < k; c++) mean[c] += x[r * k + c];
      for (let c = 0; c < k; c++) mean[c] /= rows.length;
    }
    const m2 = new Float64Array(k);
    for (const r of rows) {
      for (let c = 0; c < k; c++) {
        const d = x[r * k + c] - mean[c];
        m2[c] += d * d;
      }
    }
    return { mean, m2 };
  };
  const sa = side(a);
  const sb = side(b);
  mergeParts(m, rows.length, sa.mean, sa.m2, sb.mean, sb.m2, m.cross, 0);
}

/** Merges `other` (shards, checkpoints; it must cover `into`'s a-side channels) into `into`. */
export function mergeCoMoments(into: CoMoments, other: CoMoments): void {
  mergeParts(into, other.n, other.meanA, other.m2A, other.meanB, other.m2B, other.cross, other.from);
}

/** RMS over the run of all values of one side (ρ of SPEC §3 for vectors). */
function runRms(n: number, mean: Float64Array, m2: Float64Array): number {
  let sumSq = 0;
  for (let c = 0; c < mean.length; c++) sumSq += m2[c] + n * mean[c] * mean[c];
  return Math.sqrt(sumSq / (n * mean.length));
}

/**
 * σ over the constant-row threshold of SPEC §3 per channel: σ / (32·u·max(|mean|, ρ)) for
 * Pearson, RMS / (32·u·ρ) for cosine (as the map rows, src/scored-models/rows.ts); ρ = RMS of that side
 * over the run, u = 2⁻²⁴ (float32 models).
 */
export function margins(n: number, mean: Float64Array, m2: Float64Array, centred: boolean): Float64Array {
  const rho = runRms(n, mean, m2);
  const unit = CONSTANT_ULPS * UNIT_ROUNDOFF;
  return mean.map((mu, c) => {
    const sigma = Math.sqrt(m2[c] / n);
    const threshold = unit * (centred ? Math.max(Math.abs(mu), rho) : rho);
    return sigma / Math.max(threshold, 1e-300);
  });
}

/**
 * Adds the scores of the a-side channels of `m` into the sums (SPEC §3–§4 for vectors, where S runs
 * over the images): inv(c) = S(a_c, b_c), eqv(c) = max over non-constant c′ of S(a_c, b_c′), both over
 * the same defined set D (a_c and b_c non-constant); undefined pairs are counted, as `oneSided`
 * when just one side is constant, and pairs of D with a near-constant side as `nearConstant`.
 */
export function addCoMomentScores(m: CoMoments, inv: ScoreSums, eqv: ScoreSums): void {
  const { k, from, to, n } = m;
  const marginA = margins(n, m.meanA, m.m2A, m.centred);
  const marginB = margins(n, m.meanB, m.m2B, m.centred);
  const normB = m.m2B.map((v) => Math.sqrt(v));
  const validB = Array.from(marginB, (v) => !isConstantMargin(v));
  for (let c = from; c < to; c++) {
    if (!countPair(marginA[c], marginB[c], inv, eqv)) continue;
    const row = (c - from) * k;
    const normA = Math.sqrt(m.m2A[c]);
    const same = m.cross[row + c] / (normA * normB[c]);
    let best = same;
    for (let c2 = 0; c2 < k; c2++) {
      if (!validB[c2]) continue;
      const s = m.cross[row + c2] / (normA * normB[c2]);
      if (s > best) best = s;
    }
    addScore(inv, same);
    addScore(eqv, best);
  }
}
