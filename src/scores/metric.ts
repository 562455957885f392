import type * as ort from 'onnxruntime-node';
import { Tensor } from 'onnxruntime-node';
import { createSession, type RuntimeOptions } from '../forward/session.js';
import { GraphBuilder } from '../onnx/graph.js';
import type { Similarity } from '../types.js';

/**
 * The "metric graph" (SPEC §3–§4), run by onnxruntime so that no per-element work is left to JS.
 * Inputs: a = F' and b = T'F as [B, K, P] (B pairs of K channels over P positions).
 *  1. rows are standardised in float64: centred (Pearson only) and divided by their norm;
 *     a row is constant when σ < 1e−8·(1+|mean|) (Pearson) or its norm is 0 (cosine);
 *  2. inv[c] = a_c · b_c in float64 (same channel);
 *  3. eqv[c] = max over valid rows c' of b of a_c · b_c', as a float32 batched MatMul — the
 *     K×K×P multiply-adds that dominate equivariance — with constant rows masked to −∞.
 * Shapes are symbolic, so one session serves every layer.
 */
export function buildMetricGraph(similarity: Similarity): Uint8Array {
  const g = new GraphBuilder('equiprobe_metric');
  const a = g.input('a', ['B', 'K', 'P']);
  const b = g.input('b', ['B', 'K', 'P']);
  const axes = { axes: [2], keepdims: 1 };

  const standardise = (x: string, name: string) => {
    const [xd] = g.node('Cast', [x], 1, { to: 11 });
    let centred = xd;
    let valid: string;
    if (similarity === 'pearson') {
      const [mean] = g.node('ReduceMean', [xd], 1, axes);
      [centred] = g.node('Sub', [xd, mean]);
      const [variance] = g.node('ReduceMean', [g.node('Mul', [centred, centred])[0]], 1, axes);
      const [std] = g.node('Sqrt', [variance]);
      const [bound] = g.node('Mul', [g.node('Add', [g.node('Abs', [mean])[0], g.initializer(g.fresh('one'), [1], [], 'double')])[0], g.initializer(g.fresh('eps'), [1e-8], [], 'double')]);
      [valid] = g.node('GreaterOrEqual', [std, bound]);
    } else {
      [valid] = g.node('Greater', [g.node('ReduceSumSquare', [xd], 1, axes)[0], g.initializer(g.fresh('zero'), [0], [], 'double')]);
    }
    const [norm] = g.node('Sqrt', [g.node('ReduceSumSquare', [centred], 1, axes)[0]]);
    const [safe] = g.node('Max', [norm, g.initializer(g.fresh('tiny'), [1e-300], [], 'double')]);
    const [unit] = g.node('Div', [centred, safe]);
    g.node('Squeeze', [valid, g.ints([2])], [`valid_${name}`]);
    return { unit, valid };
  };
  const sa = standardise(a, 'a');
  const sb = standardise(b, 'b');
  g.node('ReduceSum', [g.node('Mul', [sa.unit, sb.unit])[0], g.ints([2])], ['inv'], { keepdims: 0 });
  const [af] = g.node('Cast', [sa.unit], 1, { to: 1 });
  const [bf] = g.node('Cast', [sb.unit], 1, { to: 1 });
  const [sim] = g.node('MatMul', [af, g.node('Transpose', [bf], 1, { perm: [0, 2, 1] })[0]]);
  const [columnValid] = g.node('Transpose', [sb.valid], 1, { perm: [0, 2, 1] });
  const [masked] = g.node('Where', [columnValid, sim, g.initializer(g.fresh('neginf'), [-Infinity], [], 'float')]);
  g.node('ReduceMax', [masked], ['eqv'], { axes: [2], keepdims: 0 });
  g.output('inv', ['B', 'K'], 'double');
  g.output('eqv', ['B', 'K']);
  g.output('valid_a', ['B', 'K'], 'bool');
  g.output('valid_b', ['B', 'K'], 'bool');
  return g.toBytes(17);
}

/** Scores of B pairs × K channels: invariance, best-channel similarity, and which rows were constant. */
export interface PairScores {
  readonly inv: Float64Array;
  readonly eqv: Float32Array;
  readonly validA: Uint8Array;
  readonly validB: Uint8Array;
}

/** Most similarity-matrix entries one metric call may hold (64 MiB of float32). */
const MAX_MATRIX_ENTRIES = 1 << 24;

/** Runs the metric graph; one instance per measurement. */
export class MetricEngine {
  private constructor(private readonly session: ort.InferenceSession) {}

  /** Opens the metric session for one similarity, with the run's thread settings. */
  static async open(similarity: Similarity, options: RuntimeOptions = {}): Promise<MetricEngine> {
    return new MetricEngine(await createSession(buildMetricGraph(similarity), options));
  }

  /**
   * Scores `batch` pairs of K×P row sets (a = F', b = T'F), chunked so the K×K matrices stay bounded.
   *
   * @returns per pair and channel: inv, eqv (−∞ where no row of b is valid), and row validity
   */
  async score(a: Float32Array, b: Float32Array, batch: number, k: number, p: number): Promise<PairScores> {
    const out = { inv: new Float64Array(batch * k), eqv: new Float32Array(batch * k), validA: new Uint8Array(batch * k), validB: new Uint8Array(batch * k) };
    const step = Math.max(1, Math.floor(MAX_MATRIX_ENTRIES / (k * k)));
    for (let start = 0; start < batch; start += step) {
      const n = Math.min(step, batch - start);
      const feeds = {
        a: new Tensor('float32', a.subarray(start * k * p, (start + n) * k * p), [n, k, p]),
        b: new Tensor('float32', b.subarray(start * k * p, (start + n) * k * p), [n, k, p]),
      };
      const r = await this.session.run(feeds);
      out.inv.set(r.inv.data as Float64Array, start * k);
      out.eqv.set(r.eqv.data as Float32Array, start * k);
      out.validA.set(r.valid_a.data as Uint8Array, start * k);
      out.validB.set(r.valid_b.data as Uint8Array, start * k);
    }
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
