import type { GraphBuilder } from '../onnx/graph.js';
import type { ProbeInfo, Similarity } from '../types.js';

/**
 * Graph pieces of the metric (SPEC §1–§4), shared by the scored models and the vector metric graph.
 *
 * A map probe inside a graph is rows to correlate: per image, K channels × P positions, either
 * channels first `[n, K, P]` or channels last `[n, P, K]`. Keeping the tensor's own order (NHWC
 * maps and tokens are channels last) avoids a transpose of every activation; the matrix product
 * and the reductions take the position axis where it is.
 */
export interface Rows {
  readonly name: string;
  readonly channelsLast: boolean;
}

/** The axis of positions in rows. */
const positionAxis = (r: Pick<Rows, 'channelsLast'>): number => (r.channelsLast ? 1 : 2);

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
 * Centres rows and finds their norms and validity, in float32 after centring (SPEC §3 asks for
 * float64 accumulators; centring first keeps float32 within 1e−6 of the float64 reference, tested
 * with rows of mean 300, at half the memory traffic). The variance is the corrected two-pass one,
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
 * Scores rows a (from T_g x) against unit rows b (T′_g F, either layout): per image and channel,
 * the same-channel similarity and the best over channels (SPEC §4). One batched product per layer gives the K×K
 * matrix; its diagonal is the invariance. Constant rows of b must not win the max: either they were
 * replaced by a valid row before (permutations), or `validB` masks their columns with −∞ (shifts).
 *
 * @returns [n, K] tensors: inv, eqv (both before the a-side validity is applied)
 */
export function scoreRows(g: GraphBuilder, a: Rows, sa: Standardised, b: Rows, k: number, validB?: string): { inv: string; eqv: string } {
  // [n,K,K] = a as [n,K,P] times b as [n,P,K], whichever layout each side is in.
  const [sim] = g.node('FusedMatMul', [sa.centred, b.name], 1, { transA: a.channelsLast ? 1 : 0, transB: b.channelsLast ? 0 : 1 }, 'com.microsoft');
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

/**
 * Unit rows of the originals as channels last, `[n, P, K]`: T′_g is then a Gather of whole
 * K-vectors along the position axis (a memcpy per position, fast whatever the permutation), so
 * one element model serves every rotation and flip with the positions as an input. Channels-first
 * maps pay one transpose here, once per original image instead of once per element.
 */
export function channelsLastRows(g: GraphBuilder, rows: Rows): Rows {
  return rows.channelsLast ? rows : { name: g.node('Transpose', [rows.name], 1, { perm: [0, 2, 1] })[0], channelsLast: true };
}

/** T′_g on channels-last rows: output position q takes the K-vector at `positions[q]` (SPEC §2). */
export function gatherPositions(g: GraphBuilder, rows: string, positions: string): string {
  return g.node('Gather', [rows, positions], 1, { axis: 1 })[0];
}
