import type { MapAlignment, MetricEngine } from './metric.js';
import { addScore, type ScoreSums } from './sums.js';

/**
 * Scores invariance and equivariance for n pairs (a = F' from the transformed input, b = F the
 * original map, brought onto a by `alignment`), each K channels × h×w, adding every (c, pair)
 * score into the running sums. A pair whose F' channel is constant is undefined for both scores; one whose T'F
 * channel is constant is undefined for invariance (SPEC §3). The max over c' includes c' = c, so
 * equivariance is raised to the invariance where float32 rounding in the matrix product puts it a
 * hair below.
 *
 * @param a - n·K·h·w values
 * @param b - n·K·h·w values
 */
export async function scoreMapPairs(
  engine: MetricEngine,
  a: Float32Array,
  b: Float32Array,
  shape: { readonly n: number; readonly k: number; readonly h: number; readonly w: number },
  alignment: MapAlignment,
  inv: ScoreSums,
  eqv: ScoreSums,
): Promise<void> {
  const { n, k, h, w } = shape;
  if (n === 0) return;
  const s = await engine.score(a, b, n, k, h, w, alignment);
  for (let row = 0; row < n * k; row++) {
    if (!s.validA[row]) {
      addScore(inv, null);
      addScore(eqv, null);
      continue;
    }
    const same = s.validB[row] ? s.inv[row] : null;
    addScore(inv, same);
    addScore(eqv, s.eqv[row] === -Infinity ? null : Math.max(s.eqv[row], same ?? -Infinity));
  }
}

/**
 * Vector probes (SPEC §4): similarity runs over the images of the run, per channel. Rows of the
 * K×N matrices are channels, columns images; then the same scoring as one map pair.
 *
 * @param transformed - per image, the vector from the transformed input (K values)
 * @param original - per image, the vector from the original input
 */
export async function scoreVectors(engine: MetricEngine, transformed: readonly Float32Array[], original: readonly Float32Array[], k: number, inv: ScoreSums, eqv: ScoreSums): Promise<void> {
  const n = original.length;
  const columns = (vectors: readonly Float32Array[]) => {
    const out = new Float32Array(k * n);
    vectors.forEach((v, i) => {
      for (let c = 0; c < k; c++) out[c * n + i] = v[c];
    });
    return out;
  };
  await scoreMapPairs(engine, columns(transformed), columns(original), { n: 1, k, h: 1, w: n }, { steps: [] }, inv, eqv);
}
