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
 * Input of `CrossProducts.product.leaveOut` for B leave-out sets j and t a-side rows (row-major):
 * block cross co-moments B × t × K, between-block factors u B × t × B and v B × B × K, scaleA B × t,
 * scaleB and bias B × K (see `LeaveOutMax`, src/scores/co-moments.ts).
 */
export interface LeaveOutInput {
  readonly cross: Float64Array;
  readonly u: Float64Array;
  readonly v: Float64Array;
  readonly scaleA: Float64Array;
  readonly scaleB: Float64Array;
  readonly bias: Float64Array;
  readonly blocks: number;
  readonly t: number;
  readonly k: number;
}

/**
 * The graph of `CrossProducts.product.leaveOut` (`LeaveOutMax`): the K×K part of the
 * leave-one-block-out scores. Σ_{b≠j} cross_b as exclusive prefix plus exclusive suffix sums over
 * the blocks (no block is subtracted from a total), the between-block term u_j v_j, the division by
 * the norms and the row maximum over valid c′ (invalid ones get bias −∞), all float64.
 */
export function buildLeaveOutGraph(): Uint8Array {
  const g = new GraphBuilder('equiprobe_leave_out_max');
  g.input('cross', ['B', 'T', 'K'], 'double');
  g.input('u', ['B', 'T', 'B'], 'double');
  g.input('v', ['B', 'B', 'K'], 'double');
  g.input('scaleA', ['B', 'T', 1], 'double');
  g.input('scaleB', ['B', 1, 'K'], 'double');
  g.input('bias', ['B', 1, 'K'], 'double');
  const axis = g.initializer('axis', [0], [], 'int64');
  const [before] = g.node('CumSum', ['cross', axis], 1, { exclusive: 1 });
  const [after] = g.node('CumSum', ['cross', axis], 1, { exclusive: 1, reverse: 1 });
  const [within] = g.node('Add', [before, after]);
  const [between] = g.node('MatMul', ['u', 'v']);
  const [sums] = g.node('Add', [within, between]);
  const [rows] = g.node('Mul', [sums, 'scaleA']);
  const [similarity] = g.node('Mul', [rows, 'scaleB']);
  const [masked] = g.node('Add', [similarity, 'bias']);
  g.output(g.reduce('ReduceMax', masked, [2], false), ['B', 'T'], 'double');
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
  private leaveOutSession: Promise<ort.InferenceSession> | null = null;

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
      leaveOut: async (x: LeaveOutInput): Promise<Float64Array> => {
        this.leaveOutSession ??= createSession(buildLeaveOutGraph(), this.options);
        const session = await this.leaveOutSession;
        const [b, t, k] = [x.blocks, x.t, x.k];
        const r = await session.run({
          cross: new Tensor('float64', x.cross, [b, t, k]),
          u: new Tensor('float64', x.u, [b, t, b]),
          v: new Tensor('float64', x.v, [b, b, k]),
          scaleA: new Tensor('float64', x.scaleA, [b, t, 1]),
          scaleB: new Tensor('float64', x.scaleB, [b, 1, k]),
          bias: new Tensor('float64', x.bias, [b, 1, k]),
        });
        return r[session.outputNames[0]].data as Float64Array;
      },
    },
  );

  async release(): Promise<void> {
    if (this.session) await (await this.session).release();
    if (this.rowMaxSession) await (await this.rowMaxSession).release();
    if (this.leaveOutSession) await (await this.leaveOutSession).release();
    this.session = null;
    this.rowMaxSession = null;
    this.leaveOutSession = null;
  }
}
