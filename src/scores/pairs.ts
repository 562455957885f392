import type { MetricEngine, PairScores } from './metric.js';
import { addScore, type ScoreSums } from './sums.js';

/**
 * Adds the scores of image × channel pairs (rows of K channels per image) into the running
 * sums (SPEC §3–§4). A pair whose F' channel is constant is undefined for both scores; one whose
 * T'F channel is constant is undefined for invariance; an image with no valid T'F channel has no
 * equivariance. The max over c' includes c' = c, so equivariance is raised to the invariance where
 * float32 rounding puts it a hair below.
 */
export function addPairScores(s: PairScores, k: number, inv: ScoreSums, eqv: ScoreSums): void {
  for (let image = 0; image * k < s.inv.length; image++) {
    let anyValid = false;
    for (let c = 0; c < k; c++) anyValid ||= s.validB[image * k + c] !== 0;
    for (let row = image * k; row < (image + 1) * k; row++) {
      if (!s.validA[row]) {
        addScore(inv, null);
        addScore(eqv, null);
        continue;
      }
      const same = s.validB[row] ? s.inv[row] : null;
      addScore(inv, same);
      addScore(eqv, anyValid ? Math.max(s.eqv[row], same ?? -Infinity) : null);
    }
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
  addPairScores(await engine.score(columns(transformed), columns(original), k, n), k, inv, eqv);
}
