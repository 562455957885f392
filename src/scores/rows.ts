import type { GraphBuilder } from '../onnx/graph.js';
import { mapSteps, type MapStep } from '../transforms/steps.js';
import type { GroupElement, ProbeInfo, Similarity } from '../types.js';

/**
 * A map probe inside a graph as rows to correlate (SPEC §1): per image, K channels × P positions,
 * either channels first `[n, K, P]` or channels last `[n, P, K]`. Keeping the tensor's own order
 * (NHWC maps and tokens are channels last) avoids a transpose of every activation; the matrix
 * product and the reductions take the position axis where it is.
 */
export interface Rows {
  readonly name: string;
  readonly channelsLast: boolean;
}

/** Whether a map probe's own order is channels last (NHWC maps, tokens) — the layout its rows keep. */
export const isChannelsLast = (probe: Pick<ProbeInfo, 'format'>): boolean => probe.format === 'NHWC' || probe.format === 'NLC' || probe.format === 'LNC';

/** The axis of positions in rows. */
export const positionAxis = (r: Pick<Rows, 'channelsLast'>): number => (r.channelsLast ? 1 : 2);

/** The K×h×w grid of a probe as a 4-D view: `[n, K, h, w]` or `[n, h, w, K]`. */
export function spatialView(g: GraphBuilder, rows: Rows, probe: ProbeInfo): string {
  const { channels: k, h, w } = probe;
  return g.node('Reshape', [rows.name, g.ints(rows.channelsLast ? [-1, h, w, k] : [-1, k, h, w])])[0];
}

/** Back from a 4-D view (of any h×w, e.g. an overlap) to rows. */
export function rowsOfView(g: GraphBuilder, view: string, probe: ProbeInfo, channelsLast: boolean): Rows {
  const k = probe.channels;
  return { name: g.node('Reshape', [view, g.ints(channelsLast ? [0, -1, k] : [0, k, -1])])[0], channelsLast };
}

/**
 * Reads probe tensor `tensor` (raw, in the probe's format) as rows: prefix tokens are dropped,
 * sequence-first tokens are brought batch-first; everything else is a free reshape.
 */
export function probeRows(g: GraphBuilder, probe: ProbeInfo, tensor: string): Rows {
  // Keep in step with isChannelsLast.
  const { channels: k, h, w, prefixTokens: p } = probe;
  const positions = h * w;
  const tokens = (axis: number) => {
    const whole = p === 0 && probe.dims[axis] === positions;
    return whole ? tensor : g.node('Slice', [tensor, g.ints([p]), g.ints([p + positions]), g.ints([axis])])[0];
  };
  switch (probe.format) {
    case 'NCHW':
      return { name: g.node('Reshape', [tensor, g.ints([-1, k, positions])])[0], channelsLast: false };
    case 'NHWC':
      return { name: g.node('Reshape', [tensor, g.ints([-1, positions, k])])[0], channelsLast: true };
    case 'NLC':
      return { name: tokens(1), channelsLast: true };
    case 'NCL':
      return { name: tokens(2), channelsLast: false };
    case 'LNC':
      return { name: g.node('Transpose', [tokens(0)], 1, { perm: [1, 0, 2] })[0], channelsLast: true };
    case 'NC':
      throw new RangeError(`probe '${probe.name}' is a vector, not a map`);
  }
}

/** Rows standardised for the similarity of SPEC §3; all per-row tensors keep the reduced axis. */
export interface Standardised {
  /** Centred rows (Pearson) or the rows themselves (cosine). */
  readonly centred: string;
  /** Norm of the centred row. */
  readonly norm: string;
  /** False where the row is constant (SPEC §3): left out of every average and of the max. */
  readonly valid: string;
  /** A per-row value that is non-finite exactly when the row holds NaN or ±Inf (the row mean or sum of squares). */
  readonly witness: string;
}

/**
 * Centres rows and finds their norms and validity, in float32 after centring (see
 * `docs/SPEC.md` notes in the README). The variance is the corrected two-pass one,
 * (Σc² − (Σc)²/P)/P over centred values c: it is accurate for rows with a large mean, and a row whose
 * values are all equal comes out at variance ≈ 0 whatever rounding does to its float32 mean, so it
 * is constant by the SPEC rule σ < 1e−8·(1+|mean|).
 */
export function standardise(g: GraphBuilder, rows: Rows, similarity: Similarity): Standardised {
  const axis = positionAxis(rows);
  const x = rows.name;
  if (similarity === 'cosine') {
    const sumSq = g.reduce('ReduceSumSquare', x, [axis], true);
    return { centred: x, norm: g.node('Sqrt', [sumSq])[0], valid: g.node('Greater', [sumSq, g.scalar(0)])[0], witness: sumSq };
  }
  const mean = g.reduce('ReduceMean', x, [axis], true);
  const [centred] = g.node('Sub', [x, mean]);
  const sumSq = g.reduce('ReduceSumSquare', centred, [axis], true);
  const sum = g.reduce('ReduceSum', centred, [axis], true);
  const [positions] = g.node('Cast', [g.node('Gather', [g.node('Shape', [x])[0], g.ints([axis])])[0]], 1, { to: 1 });
  const [normSq] = g.node('Max', [g.node('Sub', [sumSq, g.node('Div', [g.node('Mul', [sum, sum])[0], positions])[0]])[0], g.scalar(0)]);
  const [std] = g.node('Sqrt', [g.node('Div', [normSq, positions])[0]]);
  const [bound] = g.node('Mul', [g.node('Add', [g.node('Abs', [mean])[0], g.scalar(1)])[0], g.scalar(1e-8)]);
  const [valid] = g.node('Not', [g.node('Less', [std, bound])[0]]);
  return { centred, norm: g.node('Sqrt', [normSq])[0], valid, witness: mean };
}

/**
 * Unit rows for the right-hand side of the K×K product. Constant rows come out as whatever their
 * tiny centred values give; the scorer overwrites them with the image's first valid row (see
 * `replaceConstantRows`), so the max over c′ never picks one, with no mask over the K×K matrix.
 */
export function unitRows(g: GraphBuilder, s: Standardised): string {
  const [scale] = g.node('Div', [g.scalar(1), g.node('Max', [s.norm, g.scalar(1e-30)])[0]]);
  return g.node('Mul', [s.centred, scale])[0];
}

/**
 * Scores rows a (from T_g x) against unit rows b (T′_g F): per image and channel, the same-channel
 * similarity and the best over channels (SPEC §4). One batched product per layer gives the K×K
 * matrix; its diagonal is the invariance. Constant rows of b must not win the max: either they were
 * replaced by a valid row before (permutations), or `validB` masks their columns with −∞ (shifts).
 *
 * @returns [n, K] tensors: inv, eqv (both before the a-side validity is applied)
 */
export function scoreRows(g: GraphBuilder, a: Rows, sa: Standardised, b: string, k: number, validB?: string): { inv: string; eqv: string } {
  const [sim] = a.channelsLast
    ? g.node('FusedMatMul', [sa.centred, b], 1, { transA: 1 }, 'com.microsoft')
    : g.node('FusedMatMul', [sa.centred, b], 1, { transB: 1 }, 'com.microsoft');
  let candidates = sim;
  if (validB) {
    const [columns] = g.node('Reshape', [validB, g.ints([-1, 1, k])]);
    const [bias] = g.node('Where', [columns, g.scalar(0), g.scalar(-Infinity)]);
    [candidates] = g.node('Add', [sim, bias]);
  }
  const best = g.reduce('ReduceMax', candidates, [2], false);
  const diagonal = Array.from({ length: k }, (_, c) => c * (k + 1));
  const [same] = g.node('Gather', [g.node('Reshape', [sim, g.ints([-1, k * k])])[0], g.ints(diagonal)], 1, { axis: 1 });
  const [norm] = g.node('Reshape', [g.node('Max', [sa.norm, g.scalar(1e-30)])[0], g.ints([-1, k])]);
  return { inv: g.node('Div', [same, norm])[0], eqv: g.node('Div', [best, norm])[0] };
}

/** Where each output position of an h×w map reads from after `steps` (the same steps the Slice/Transpose form runs). */
function sourcePositions(h: number, w: number, steps: readonly MapStep[]): Int32Array {
  let grid = Int32Array.from({ length: h * w }, (_, i) => i);
  let [rows, cols] = [h, w];
  for (const step of steps) {
    const next = new Int32Array(grid.length);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        if (step === 'flipH') next[i * cols + j] = grid[(rows - 1 - i) * cols + j];
        else if (step === 'flipW') next[i * cols + j] = grid[i * cols + (cols - 1 - j)];
        else next[j * rows + i] = grid[i * cols + j];
      }
    }
    if (step === 'transpose') [rows, cols] = [cols, rows];
    grid = next;
  }
  return grid;
}

/** Largest map (positions) whose T′_g is one product with a P×P permutation matrix; beyond it the cost (P multiply-adds per value) passes that of moving values. */
const MATRIX_PERMUTATION_MAX = 400;

/**
 * T′_g on rows (SPEC §2), in the same memory layout (the shape may be rows or a 4-D view). The fastest exact form depends on the layout: on
 * small channels-first maps, one product with the 0/1 permutation matrix (exact: every output is
 * one value times 1 plus zeros); otherwise axis reversals and the H↔W swap, where a reversal of W in
 * channels-first maps (an element-wise reversal, slow as a Slice) is a product with the w×w
 * exchange matrix. Channels-last steps move whole K-vectors and are fast as Slice/Transpose.
 * Odd quarter turns of a non-square map leave the rows as they are: that layer is skipped for them.
 */
export function permuteRows(g: GraphBuilder, rows: Rows, probe: ProbeInfo, element: GroupElement): string {
  const { h, w } = probe;
  const positions = h * w;
  if (h !== w && element.quarterTurns % 2 === 1) return rows.name;
  const steps = mapSteps(element);
  if (!rows.channelsLast && positions <= MATRIX_PERMUTATION_MAX) {
    const matrix = g.shared(`permutation:${h}x${w}:${steps.join(',')}`, () => {
      const values = new Float32Array(positions * positions);
      sourcePositions(h, w, steps).forEach((from, to) => (values[from * positions + to] = 1));
      return g.initializer(g.fresh('permutation'), values, [positions, positions]);
    });
    return g.node('MatMul', [rows.name, matrix])[0];
  }
  const [hAxis, wAxis] = rows.channelsLast ? [1, 2] : [2, 3];
  let x = spatialView(g, rows, probe);
  for (const step of steps) {
    if (step === 'transpose') {
      [x] = g.node('Transpose', [x], 1, { perm: rows.channelsLast ? [0, 2, 1, 3] : [0, 1, 3, 2] });
    } else if (step === 'flipW' && !rows.channelsLast) {
      const exchange = g.shared(`exchange:${w}`, () => {
        const values = new Float32Array(w * w);
        for (let q = 0; q < w; q++) values[(w - 1 - q) * w + q] = 1;
        return g.initializer(g.fresh('exchange'), values, [w, w]);
      });
      [x] = g.node('MatMul', [x, exchange]);
    } else {
      const axis = step === 'flipH' ? hAxis : wAxis;
      const end = g.shared('reverse-end', () => g.initializer(g.fresh('end'), BigInt64Array.of(-9223372036854775807n), [1], 'int64'));
      [x] = g.node('Slice', [x, g.ints([-1]), end, g.ints([axis]), g.ints([-1])]);
    }
  }
  // Left as a 4-D view: reshaping here would copy when the result is a graph output.
  return x;
}

/** Rows of a tensor whose memory already is rows of this probe's layout, whatever its shape (a free reshape). */
export function asRows(g: GraphBuilder, tensor: string, probe: ProbeInfo, channelsLast: boolean): Rows {
  const positions = probe.h * probe.w;
  return { name: g.node('Reshape', [tensor, g.ints(channelsLast ? [-1, positions, probe.channels] : [-1, probe.channels, positions])])[0], channelsLast };
}
