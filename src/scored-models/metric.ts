import type * as ort from 'onnxruntime-node';
import { Tensor } from 'onnxruntime-node';
import { createSession, type RuntimeOptions } from '../forward/session.js';
import { GraphBuilder } from '../onnx/graph.js';

/**
 * Scores of image × channel pairs (rows of K per image) from the scored models: invariance,
 * best-channel similarity, and the constant-row margins of both sides (SPEC §3;
 * `isConstantMargin`), a = F′, b = T′F.
 */
export interface PairScores {
  readonly inv: Float32Array;
  readonly eqv: Float32Array;
  readonly marginA: Float32Array;
  readonly marginB: Float32Array;
}

/** The graph of `CrossProducts`: out = aᵀ b for a [n, t] and b [n, k], float64. */
export function buildCrossProductGraph(): Uint8Array {
  const g = new GraphBuilder('equiprobe_cross_products');
  g.input('a', ['N', 'T'], 'double');
  g.input('b', ['N', 'K'], 'double');
  g.node('Gemm', ['a', 'b'], ['out'], { transA: 1 });
  g.output('out', ['T', 'K'], 'double');
  return g.toBytes();
}

/**
 * The graph of `CrossProducts.product.rowMax`: out[r] = max over c of (aᵀ b)[r, c] for a [n, t] and
 * b [n, k], float64; the t × k product stays inside onnxruntime.
 */
export function buildRowMaxGraph(): Uint8Array {
  const g = new GraphBuilder('equiprobe_row_max');
  g.input('a', ['N', 'T'], 'double');
  g.input('b', ['N', 'K'], 'double');
  g.node('Gemm', ['a', 'b'], ['products'], { transA: 1 });
  g.output(g.reduce('ReduceMax', 'products', [1], false), ['T'], 'double');
  return g.toBytes();
}

/**
 * The one heavy step of vector-probe scoring (SPEC §4 over the images of the run): the K×K cross
 * products of centred chunks, in float64 so that batches, chunks and shards sum to the same
 * co-moments to rounding (see `src/scores/co-moments.ts`). Runs in onnxruntime with the run's threads.
 */
export class CrossProducts {
  private session: Promise<ort.InferenceSession> | null = null;
  private rowMaxSession: Promise<ort.InferenceSession> | null = null;

  constructor(private readonly options: RuntimeOptions = {}) {}

  /**
   * a′ᵀ b′ for a′ (n × t) and b′ (n × k), row-major; `product.rowMax` gives only its t row maxima.
   *
   * @returns t × k, row-major
   */
  readonly product = Object.assign(
    async (a: Float64Array, b: Float64Array, n: number, t: number, k: number): Promise<Float64Array> => {
      this.session ??= createSession(buildCrossProductGraph(), this.options);
      const r = await (await this.session).run({ a: new Tensor('float64', a, [n, t]), b: new Tensor('float64', b, [n, k]) });
      return r.out.data as Float64Array;
    },
    {
      rowMax: async (a: Float64Array, b: Float64Array, n: number, t: number, k: number): Promise<Float64Array> => {
        this.rowMaxSession ??= createSession(buildRowMaxGraph(), this.options);
        const session = await this.rowMaxSession;
        const r = await session.run({ a: new Tensor('float64', a, [n, t]), b: new Tensor('float64', b, [n, k]) });
        return r[session.outputNames[0]].data as Float64Array;
      },
    },
  );

  async release(): Promise<void> {
    if (this.session) await (await this.session).release();
    if (this.rowMaxSession) await (await this.rowMaxSession).release();
    this.session = null;
    this.rowMaxSession = null;
  }
}
