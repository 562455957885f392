import type * as ort from 'onnxruntime-node';
import { Tensor } from 'onnxruntime-node';
import { createSession, type RuntimeOptions } from '../forward/session.js';
import { GraphBuilder } from '../onnx/graph.js';
import type { Similarity } from '../types.js';
import { scoreRows, standardise, unitRows } from './rows.js';

/**
 * The metric graph for vector layers (SPEC §4: similarity over the images of the run): inputs
 * a = [v′_c(x_i)] and b = [v_c(x_i)] as K rows of N images; the same standardisation and K×K
 * scoring as the map layers of the scored models (src/scores/rows.ts), run on its own because
 * vectors are only complete once every image has been seen.
 */
export function buildMetricGraph(similarity: Similarity, k: number): Uint8Array {
  const g = new GraphBuilder('equiprobe_metric');
  const a = { name: g.input('a', [1, k, 'N']), channelsLast: false };
  const b = { name: g.input('b', [1, k, 'N']), channelsLast: false };
  const sa = standardise(g, a, similarity);
  const sb = standardise(g, b, similarity);
  g.node('Reshape', [sa.margin, g.ints([-1, k])], ['margin_a']);
  g.node('Reshape', [sb.margin, g.ints([-1, k])], ['margin_b']);
  const { inv, eqv } = scoreRows(g, a, sa, { name: unitRows(g, sb), channelsLast: false }, k, g.node('Reshape', [sb.valid, g.ints([-1, k])])[0]);
  g.node('Identity', [inv], ['inv']);
  g.node('Identity', [eqv], ['eqv']);
  g.output('inv', [1, k]);
  g.output('eqv', [1, k]);
  g.output('margin_a', [1, k]);
  g.output('margin_b', [1, k]);
  return g.toBytes();
}

/**
 * Scores of image × channel pairs (rows of K per image): invariance, best-channel similarity, and
 * the constant-row margins of both sides (SPEC §3; `isConstantMargin`), a = F′, b = T′F.
 */
export interface PairScores {
  readonly inv: Float32Array;
  readonly eqv: Float32Array;
  readonly marginA: Float32Array;
  readonly marginB: Float32Array;
}

/** Runs metric graphs for vector layers, one session per channel count, opened on first use. */
export class MetricEngine {
  private readonly sessions = new Map<number, Promise<ort.InferenceSession>>();

  private constructor(
    private readonly similarity: Similarity,
    private readonly options: RuntimeOptions,
  ) {}

  /** An engine for one similarity, with the run's thread settings. */
  static async open(similarity: Similarity, options: RuntimeOptions = {}): Promise<MetricEngine> {
    return new MetricEngine(similarity, options);
  }

  /**
   * Scores K channels of a against b, each row a channel's values over n images (K×n, row-major).
   *
   * @returns per channel: inv, eqv (−∞ where no row of b is valid), and row margins
   */
  async score(a: Float32Array, b: Float32Array, k: number, n: number): Promise<PairScores> {
    let session = this.sessions.get(k);
    if (!session) {
      session = createSession(buildMetricGraph(this.similarity, k), this.options);
      this.sessions.set(k, session);
    }
    const r = await (await session).run({ a: new Tensor('float32', a, [1, k, n]), b: new Tensor('float32', b, [1, k, n]) });
    return { inv: r.inv.data as Float32Array, eqv: r.eqv.data as Float32Array, marginA: r.margin_a.data as Float32Array, marginB: r.margin_b.data as Float32Array };
  }

  async release(): Promise<void> {
    for (const session of this.sessions.values()) await (await session).release();
    this.sessions.clear();
  }
}
