import type * as ort from 'onnxruntime-node';
import { Tensor } from 'onnxruntime-node';
import { createSession, type RuntimeOptions } from '../forward/session.js';
import { GraphBuilder } from '../onnx/graph.js';

/**
 * The "metric graph": for a batch of standardised row sets A, B ∈ R^{K×P} it returns, per row
 * c of A, max over the valid rows c' of B of A_c · B_c'. With rows standardised (SPEC §3) that
 * dot product is the Pearson (or cosine) similarity, so this is the max-over-channels of §4.
 * The K×K×P multiply-adds are the heavy part of equivariance; onnxruntime's MatMul runs them
 * at native speed instead of JS loops. Shapes are symbolic, so one session serves every layer.
 */
export function buildMetricGraph(): Uint8Array {
  const g = new GraphBuilder('equiprobe_metric');
  const a = g.input('a', ['B', 'K', 'P']);
  const b = g.input('b', ['B', 'K', 'P']);
  // 0 for valid rows of b, −∞ for constant ones: they drop out of the max (SPEC §3).
  const mask = g.input('mask', ['B', 1, 'K']);
  const [bt] = g.node('Transpose', [b], 1, { perm: [0, 2, 1] });
  const [sim] = g.node('MatMul', [a, bt]);
  const [masked] = g.node('Add', [sim, mask]);
  g.node('ReduceMax', [masked], ['best'], { axes: [2], keepdims: 0 });
  g.output('best', ['B', 'K']);
  return g.toBytes(17);
}

/** Most similarity-matrix entries one metric call may hold (64 MiB of float32). */
const MAX_MATRIX_ENTRIES = 1 << 24;

/** Runs the metric graph; one instance per measurement. */
export class MetricEngine {
  private constructor(private readonly session: ort.InferenceSession) {}

  /** Opens the metric session with the run's thread settings. */
  static async open(options: RuntimeOptions = {}): Promise<MetricEngine> {
    return new MetricEngine(await createSession(buildMetricGraph(), options));
  }

  /**
   * Best similarity per row of `a` over the valid rows of `b`, for `batch` independent K×P pairs.
   *
   * @param a - batch·K·P standardised rows (the transformed image's map)
   * @param b - batch·K·P standardised rows (the transformed original map)
   * @param validB - batch·K flags, 1 where b's row is not constant
   * @returns batch·K maxima (−∞ where no row of b is valid)
   */
  async maxSimilarity(a: Float32Array, b: Float32Array, validB: Uint8Array, batch: number, k: number, p: number): Promise<Float32Array> {
    const out = new Float32Array(batch * k);
    const step = Math.max(1, Math.floor(MAX_MATRIX_ENTRIES / (k * k)));
    for (let start = 0; start < batch; start += step) {
      const n = Math.min(step, batch - start);
      const mask = new Float32Array(n * k);
      for (let i = 0; i < n * k; i++) mask[i] = validB[start * k + i] ? 0 : -Infinity;
      const feeds = {
        a: new Tensor('float32', a.subarray(start * k * p, (start + n) * k * p), [n, k, p]),
        b: new Tensor('float32', b.subarray(start * k * p, (start + n) * k * p), [n, k, p]),
        mask: new Tensor('float32', mask, [n, 1, k]),
      };
      const result = await this.session.run(feeds);
      out.set(result.best.data as Float32Array, start * k);
    }
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
