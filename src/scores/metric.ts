import type * as ort from 'onnxruntime-node';
import { Tensor } from 'onnxruntime-node';
import { createSession, type RuntimeOptions } from '../forward/session.js';
import { GraphBuilder } from '../onnx/graph.js';
import type { MapStep } from '../transforms/steps.js';
import type { Similarity } from '../types.js';

/** How b (the original maps) is brought onto a (the maps of the transformed input): a permutation, or the overlap of a shift. */
export type MapAlignment = { readonly steps: readonly MapStep[] } | { readonly shift: number };

const INT64_MAX = 9223372036854775807n;

/**
 * The "metric graph" (SPEC §2–§4), run by onnxruntime so that no per-element work is left to JS.
 * Inputs: a = F' (maps of the transformed inputs) and b = F (maps of the originals), [B, K, h, w].
 *  1. T' is applied to b: Slice with step −1 and Transpose for rotations and flips; for a shift
 *     by d map pixels, a keeps [0:h−d, 0:w−d] and b [d:h, d:w] (the `a_end`, `b_start` inputs);
 *  2. rows (channels over positions) are standardised: centred (Pearson only) and divided by their
 *     norm; a row is constant when all its values are equal or σ < 1e−8·(1+|mean|) (Pearson).
 *     This runs in float32: centring removes the mean before any product, so float32 keeps
 *     ~1e−6 accuracy even for large means (tested against the float64 reference), at half the
 *     memory traffic of float64 — which dominated the run time;
 *  3. inv[c] = a_c · b_c (same channel);
 *  4. eqv[c] = max over valid rows c' of b of a_c · b_c', a batched MatMul — the K×K×P
 *     multiply-adds that dominate equivariance — with constant rows masked to −∞.
 * Shapes are symbolic, so one session per alignment kind serves every layer.
 */
export function buildMetricGraph(similarity: Similarity, alignment: 'shift' | readonly MapStep[]): Uint8Array {
  const g = new GraphBuilder('equiprobe_metric');
  let a = g.input('a', ['B', 'K', 'H', 'W']);
  let b = g.input('b', ['B', 'K', 'H', 'W']);
  const reverse = (x: string, axis: number) => g.node('Slice', [x, g.ints([-1]), g.initializer(g.fresh('end'), BigInt64Array.of(-INT64_MAX), [1], 'int64'), g.ints([axis]), g.ints([-1])])[0];
  if (alignment === 'shift') {
    const aEnd = g.input('a_end', [2], 'int64');
    const bStart = g.input('b_start', [2], 'int64');
    [a] = g.node('Slice', [a, g.ints([0, 0]), aEnd, g.ints([2, 3])]);
    [b] = g.node('Slice', [b, bStart, g.initializer(g.fresh('end'), BigInt64Array.of(INT64_MAX, INT64_MAX), [2], 'int64'), g.ints([2, 3])]);
  } else {
    for (const step of alignment) {
      if (step === 'flipH') b = reverse(b, 2);
      else if (step === 'flipW') b = reverse(b, 3);
      else [b] = g.node('Transpose', [b], 1, { perm: [0, 1, 3, 2] });
    }
  }
  const rows = g.ints([0, 0, -1]);
  const axes = { axes: [2], keepdims: 1 };
  const scalar = (v: number) => g.scalar(v);
  const standardise = (x: string, name: string) => {
    const [flat] = g.node('Reshape', [x, rows]);
    let centred = flat;
    let valid: string;
    let sumSq: string;
    if (similarity === 'pearson') {
      const [mean] = g.node('ReduceMean', [flat], 1, axes);
      [centred] = g.node('Sub', [flat, mean]);
      [sumSq] = g.node('ReduceSumSquare', [centred], 1, axes);
      // A row whose values are all equal is constant whatever rounding does to its float32 mean.
      const [range] = g.node('Sub', [g.node('ReduceMax', [flat], 1, axes)[0], g.node('ReduceMin', [flat], 1, axes)[0]]);
      const [positions] = g.node('Cast', [g.node('Gather', [g.node('Shape', [flat])[0], g.ints([2])])[0]], 1, { to: 1 });
      const [std] = g.node('Sqrt', [g.node('Div', [sumSq, positions])[0]]);
      const [bound] = g.node('Mul', [g.node('Add', [g.node('Abs', [mean])[0], scalar(1)])[0], scalar(1e-8)]);
      [valid] = g.node('And', [g.node('Greater', [range, scalar(0)])[0], g.node('GreaterOrEqual', [std, bound])[0]]);
    } else {
      [sumSq] = g.node('ReduceSumSquare', [flat], 1, axes);
      [valid] = g.node('Greater', [sumSq, scalar(0)]);
    }
    const [norm] = g.node('Sqrt', [sumSq]);
    const [unit] = g.node('Div', [centred, g.node('Max', [norm, scalar(1e-30)])[0]]);
    g.node('Squeeze', [valid, g.ints([2])], [`valid_${name}`]);
    return { unit, valid };
  };
  const sa = standardise(a, 'a');
  const sb = standardise(b, 'b');
  g.node('ReduceSum', [g.node('Mul', [sa.unit, sb.unit])[0], g.ints([2])], ['inv'], { keepdims: 0 });
  const [sim] = g.node('MatMul', [sa.unit, g.node('Transpose', [sb.unit], 1, { perm: [0, 2, 1] })[0]]);
  const [columnValid] = g.node('Transpose', [sb.valid], 1, { perm: [0, 2, 1] });
  const [masked] = g.node('Where', [columnValid, sim, g.initializer(g.fresh('neginf'), [-Infinity], [], 'float')]);
  g.node('ReduceMax', [masked], ['eqv'], { axes: [2], keepdims: 0 });
  g.output('inv', ['B', 'K']);
  g.output('eqv', ['B', 'K']);
  g.output('valid_a', ['B', 'K'], 'bool');
  g.output('valid_b', ['B', 'K'], 'bool');
  return g.toBytes(17);
}

/** Scores of B pairs × K channels: invariance, best-channel similarity, and which rows were constant. */
export interface PairScores {
  readonly inv: Float32Array;
  readonly eqv: Float32Array;
  readonly validA: Uint8Array;
  readonly validB: Uint8Array;
}

/** Most similarity-matrix entries one metric call may hold (64 MiB of float32). */
const MAX_MATRIX_ENTRIES = 1 << 24;

/** Runs metric graphs, one session per alignment kind, opened on first use; one engine per measurement. */
export class MetricEngine {
  private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();

  private constructor(
    private readonly similarity: Similarity,
    private readonly options: RuntimeOptions,
  ) {}

  /** An engine for one similarity, with the run's thread settings. */
  static async open(similarity: Similarity, options: RuntimeOptions = {}): Promise<MetricEngine> {
    return new MetricEngine(similarity, options);
  }

  private session(alignment: MapAlignment): Promise<ort.InferenceSession> {
    const kind = 'shift' in alignment ? 'shift' : alignment.steps;
    const key = 'shift' in alignment ? 'shift' : alignment.steps.join(',');
    let session = this.sessions.get(key);
    if (!session) {
      // Every layer feeds other shapes; without the arena, freed buffers go back to the system
      // instead of piling up as arena blocks (peak RSS about a third lower on ResNet-50).
      session = createSession(buildMetricGraph(this.similarity, kind), this.options, { enableCpuMemArena: false });
      this.sessions.set(key, session);
    }
    return session;
  }

  /**
   * Scores `batch` pairs of K×h×w maps: a = F' (transformed input), b = F (original), aligned by
   * `alignment` inside the graph; chunked so the K×K matrices stay bounded.
   *
   * @returns per pair and channel: inv, eqv (−∞ where no row of b is valid), and row validity
   */
  async score(a: Float32Array, b: Float32Array, batch: number, k: number, h: number, w: number, alignment: MapAlignment): Promise<PairScores> {
    const session = await this.session(alignment);
    const out = { inv: new Float32Array(batch * k), eqv: new Float32Array(batch * k), validA: new Uint8Array(batch * k), validB: new Uint8Array(batch * k) };
    const step = Math.max(1, Math.floor(MAX_MATRIX_ENTRIES / (k * k)));
    const size = k * h * w;
    for (let start = 0; start < batch; start += step) {
      const n = Math.min(step, batch - start);
      const feeds: Record<string, Tensor> = {
        a: new Tensor('float32', a.subarray(start * size, (start + n) * size), [n, k, h, w]),
        b: new Tensor('float32', b.subarray(start * size, (start + n) * size), [n, k, h, w]),
      };
      if ('shift' in alignment) {
        const d = BigInt(alignment.shift);
        feeds.a_end = new Tensor('int64', BigInt64Array.of(BigInt(h) - d, BigInt(w) - d), [2]);
        feeds.b_start = new Tensor('int64', BigInt64Array.of(d, d), [2]);
      }
      const r = await session.run(feeds);
      out.inv.set(r.inv.data as Float32Array, start * k);
      out.eqv.set(r.eqv.data as Float32Array, start * k);
      out.validA.set(r.valid_a.data as Uint8Array, start * k);
      out.validB.set(r.valid_b.data as Uint8Array, start * k);
    }
    return out;
  }

  async release(): Promise<void> {
    for (const session of this.sessions.values()) await (await session).release();
    this.sessions.clear();
  }
}
