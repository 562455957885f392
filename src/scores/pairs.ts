import type { Similarity } from '../types.js';
import type { MetricEngine } from './metric.js';
import { standardizeRows } from './similarity.js';
import { addScore, type ScoreSums } from './sums.js';

/** One comparison of SPEC §4: `a` = F' (map of the transformed input), `b` = T'F (transformed map of the original). */
export interface MapPair {
  readonly a: Float32Array;
  readonly b: Float32Array;
}

/**
 * Scores invariance and equivariance for a set of map pairs with K channels of P positions each,
 * adding every (c, pair) score into the running sums.
 * Invariance is the same-channel similarity; equivariance the best over channels c' of b
 * (computed by the metric graph). The max includes c' = c, so equivariance is raised to the
 * invariance where float32 rounding in the matrix product puts it a hair below.
 */
export async function scoreMapPairs(
  engine: MetricEngine,
  pairs: readonly MapPair[],
  k: number,
  p: number,
  similarity: Similarity,
  inv: ScoreSums,
  eqv: ScoreSums,
): Promise<void> {
  if (pairs.length === 0) return;
  const a = new Float32Array(pairs.length * k * p);
  const b = new Float32Array(pairs.length * k * p);
  const validA = new Uint8Array(pairs.length * k);
  const validB = new Uint8Array(pairs.length * k);
  pairs.forEach((pair, i) => {
    const sa = standardizeRows(pair.a, k, p, similarity);
    const sb = standardizeRows(pair.b, k, p, similarity);
    a.set(sa.rows, i * k * p);
    b.set(sb.rows, i * k * p);
    validA.set(sa.valid, i * k);
    validB.set(sb.valid, i * k);
  });
  const best = await engine.maxSimilarity(a, b, validB, pairs.length, k, p);
  for (let i = 0; i < pairs.length; i++) {
    for (let c = 0; c < k; c++) {
      const row = i * k + c;
      if (!validA[row]) {
        addScore(inv, null);
        addScore(eqv, null);
        continue;
      }
      let same: number | null = null;
      if (validB[row]) {
        same = 0;
        const offset = row * p;
        for (let q = 0; q < p; q++) same += a[offset + q] * b[offset + q];
      }
      addScore(inv, same);
      const top = best[row];
      addScore(eqv, top === -Infinity ? null : Math.max(top, same ?? -Infinity));
    }
  }
}

/**
 * Vector probes (SPEC §4): similarity runs over the images of the run, per channel. Rows of the
 * K×N matrices are channels, columns images; then the same scoring as maps with one "pair".
 *
 * @param transformed - per image, the vector from the transformed input (K values)
 * @param original - per image, the vector from the original input
 */
export async function scoreVectors(
  engine: MetricEngine,
  transformed: readonly Float32Array[],
  original: readonly Float32Array[],
  k: number,
  similarity: Similarity,
  inv: ScoreSums,
  eqv: ScoreSums,
): Promise<void> {
  const n = original.length;
  const columns = (vectors: readonly Float32Array[]) => {
    const out = new Float32Array(k * n);
    vectors.forEach((v, i) => {
      for (let c = 0; c < k; c++) out[c * n + i] = v[c];
    });
    return out;
  };
  await scoreMapPairs(engine, [{ a: columns(transformed), b: columns(original) }], k, n, similarity, inv, eqv);
}
