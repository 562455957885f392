import type { Dim, GraphBuilder } from '../onnx/graph.js';
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

/** The K×h×w grid of a probe as a 4-D view: `[n, K, h, w]` or `[n, h, w, K]`. */
export function spatialView(g: GraphBuilder, rows: Rows, probe: ProbeInfo): string {
  const { channels: k, h, w } = probe;
  return g.node('Reshape', [rows.name, g.ints(rows.channelsLast ? [0, h, w, k] : [0, k, h, w])])[0];
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
      return { name: g.node('Reshape', [tensor, g.ints([0, k, positions])])[0], channelsLast: false };
    case 'NHWC':
      return { name: g.node('Reshape', [tensor, g.ints([0, positions, k])])[0], channelsLast: true };
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
  /** Centred rows (Pearson) or the rows themselves (cosine), float32. */
  readonly centred: string;
  /** Norm of the centred row, float32. */
  readonly norm: string;
  /**
   * σ over the constant-row threshold 32·u·max(|mean|, ρ) (SPEC §3), float32: the row is constant
   * when this is ≤ 1 (or NaN), near-constant when ≤ 100 (`isConstantMargin`, `isNearConstantMargin`).
   */
  readonly margin: string;
  /** False where the row is constant: left out of every average and of the max. */
  readonly valid: string;
  /** ρ used, [n, 1, 1] float64. */
  readonly rho: string;
  /** A per-row value that is non-finite exactly when the row holds NaN or ±Inf (the row mean or sum of squares). */
  readonly witness: string;
}

/** Unit roundoff of float32, the compute type of the probed models (SPEC §3). */
export const UNIT_ROUNDOFF = 2 ** -24;
/** A row is constant when σ ≤ this many unit roundoffs of max(|mean|, ρ) (SPEC §3). */
export const CONSTANT_ULPS = 32;
/** Rows whose σ is within this factor of the constant threshold are counted as `near_constant`. */
export const NEAR_CONSTANT_MARGIN = 100;

/** A float64 scalar constant (the statistics of SPEC §3 are float64). */
function double(g: GraphBuilder, value: number): string {
  return g.shared(`d:${value}`, () => g.initializer(g.fresh('d'), Float64Array.of(value), [], 'double'));
}

/**
 * ρ of SPEC §3 for rows that hold a whole probe tensor: per image, the RMS over all its channels
 * and positions, as [n, 1, 1] float64 (broadcasts against per-row statistics in either layout).
 * The squares are summed in float32 (one read of the tensor, no float64 copy): exact enough for a
 * threshold, and scale-free for any tensor whose squares stay in float32's range (RMS between
 * about 1e−19 and 1e19).
 */
export function tensorRms(g: GraphBuilder, rows: Rows): string {
  const [sumSq] = g.node('Cast', [g.reduce('ReduceSumSquare', rows.name, [1, 2], true)], 1, { to: 11 });
  const [count] = g.node('Cast', [g.node('ReduceProd', [g.node('Slice', [g.node('Shape', [rows.name])[0], g.ints([1]), g.ints([3])])[0]], 1, { keepdims: 0 })[0]], 1, { to: 11 });
  return g.node('Sqrt', [g.node('Div', [sumSq, count])[0]])[0];
}

/**
 * A probe's values (or a window of them) as a grid of positions, `[n, K, h, w]` or `[n, h, w, K]`:
 * the reductions over positions run over w and then h.
 */
export interface Grid {
  readonly name: string;
  readonly channelsLast: boolean;
  readonly channels: number;
  /** The rows' shape when onnxruntime cannot infer it (windows whose size is an input), declared on the centred rows. */
  readonly rowsShape?: readonly Dim[];
}

/** The grid of whole rows of a probe (a free reshape). */
export function gridOf(g: GraphBuilder, rows: Rows, probe: ProbeInfo): Grid {
  return { name: spatialView(g, rows, probe), channelsLast: rows.channelsLast, channels: probe.channels };
}

/**
 * Per-row sums over a float32 grid, as float64 [n, K, 1] (channels first) or [n, 1, K]: summed in
 * float32 along w (a partial sum of w values carries a relative error of at most about w units of
 * float32 roundoff, 2⁻²⁴) and then in float64 along h, so the error does not grow with the number
 * of rows h. The activations are read once as float32, instead of being cast to a float64 copy
 * that is read twice more (that copy cost more than the K×K product on maps with few channels).
 */
function rowSums(g: GraphBuilder, grid: Grid, op: 'ReduceSum' | 'ReduceSumSquare', x: string): string {
  // w is dropped, so h takes the rows' position axis: [n, K, h] or [n, h, K] (onnxruntime reduces a
  // trailing axis of length 1 on a slow generic path).
  const [partial] = g.node('Cast', [g.reduce(op, x, [grid.channelsLast ? 2 : 3], false)], 1, { to: 11 });
  return g.reduce('ReduceSum', partial, [grid.channelsLast ? 1 : 2], true);
}

/**
 * Centres rows and finds their norms and the constant-row margin of SPEC §3: a row is constant
 * when σ ≤ 32·u·max(|mean|, ρ), u = 2⁻²⁴, ρ the RMS of the whole probe tensor of that image.
 * The rule is scale-free: multiplying a tensor by any non-zero number changes no decision.
 *
 * Float64 where it matters, float32 where the bytes are: the row is centred in float32 around its
 * float32 mean m (each centred value c carries one rounding, relative to itself); Σc and Σc² are
 * summed in float32 along the map's width and in float64 across it (`rowSums`), σ² is the
 * corrected two-pass (Σc² − (Σc)²/P)/P, which removes the rounding of m, and the mean is m + Σc/P.
 * A row whose values are all equal centres to P equal values c, whose σ² is then zero up to a few
 * float32 roundoffs of Pc², far below the threshold, so it is always constant (tested with maps of
 * 200 704 values, where a float32 sum of a constant need not be exact). The float32 centred rows
 * feed the K×K product.
 *
 * @param grid - the rows as a grid (`gridOf`, or a window of it)
 * @param rho - ρ as [n, 1, 1] float64 (`tensorRms` of the whole tensor) when `grid` is a window of
 *   it (shift overlaps); without it the grid is the whole tensor and ρ comes from its sums
 * @returns the statistics, with `centred` as rows in the grid's layout
 */
export function standardise(g: GraphBuilder, grid: Grid, similarity: Similarity, rho?: string): Standardised {
  const [hAxis, wAxis] = grid.channelsLast ? [1, 2] : [2, 3];
  const k = grid.channels;
  const x = grid.name;
  const [positions] = g.node('Cast', [g.node('ReduceProd', [g.node('Gather', [g.node('Shape', [x])[0], g.ints([hAxis, wAxis])])[0]], 1, { keepdims: 1 })[0]], 1, { to: 11 });
  const asRows = (t: string) => {
    const [rows] = g.node('Reshape', [t, g.ints(grid.channelsLast ? [0, -1, k] : [0, k, -1])]);
    if (grid.rowsShape) g.shape(rows, grid.rowsShape);
    return rows;
  };
  // ρ of whole rows from each row's Σx² (float64): the mean over rows of Σx²/P, square-rooted.
  const wholeRms = (rowSumSq: string) => g.node('Sqrt', [g.node('Div', [g.reduce('ReduceMean', rowSumSq, [1, 2], true), positions])[0]])[0];
  // The threshold 32·u·max(|mean|, ρ) (cosine: 32·u·ρ) and σ over it.
  const margin = (sigma: string, mean: string | null, tensorRho: string) => {
    const level = mean ? g.node('Max', [g.node('Abs', [mean])[0], tensorRho])[0] : tensorRho;
    const [threshold] = g.node('Mul', [level, double(g, CONSTANT_ULPS * UNIT_ROUNDOFF)]);
    // An all-zero tensor has threshold 0 and σ 0: 0 / tiny = 0, constant.
    const [ratio] = g.node('Div', [sigma, g.node('Max', [threshold, double(g, 1e-300)])[0]]);
    return { margin: g.node('Cast', [ratio], 1, { to: 1 })[0], valid: g.node('Greater', [ratio, double(g, 1)])[0], rho: tensorRho };
  };
  if (similarity === 'cosine') {
    // Cosine needs no centring; a row is degenerate when its RMS is at the rounding level of the tensor.
    const sumSq = rowSums(g, grid, 'ReduceSumSquare', x);
    const m = margin(g.node('Sqrt', [g.node('Div', [sumSq, positions])[0]])[0], null, rho ?? wholeRms(sumSq));
    return { centred: asRows(x), norm: g.node('Cast', [g.node('Sqrt', [sumSq])[0]], 1, { to: 1 })[0], ...m, witness: g.node('Cast', [sumSq], 1, { to: 1 })[0] };
  }
  const meanGrid = g.reduce('ReduceMean', x, [hAxis, wAxis], true);
  const [centredGrid] = g.node('Sub', [x, meanGrid]);
  const sumSq = rowSums(g, grid, 'ReduceSumSquare', centredGrid);
  const sum = rowSums(g, grid, 'ReduceSum', centredGrid);
  const [meanF] = g.node('Reshape', [meanGrid, g.ints(grid.channelsLast ? [0, 1, k] : [0, k, 1])]);
  const [m0] = g.node('Cast', [meanF], 1, { to: 11 });
  const [mean] = g.node('Add', [m0, g.node('Div', [sum, positions])[0]]);
  const [normSq] = g.node('Max', [g.node('Sub', [sumSq, g.node('Div', [g.node('Mul', [sum, sum])[0], positions])[0]])[0], double(g, 0)]);
  const [sigma] = g.node('Sqrt', [g.node('Div', [normSq, positions])[0]]);
  // Σx² = Σ(c + m₀)² = Σc² + 2m₀Σc + P·m₀².
  const rowSumSq = () => g.node('Add', [g.node('Add', [sumSq, g.node('Mul', [g.node('Mul', [sum, m0])[0], double(g, 2)])[0]])[0], g.node('Mul', [g.node('Mul', [m0, m0])[0], positions])[0]])[0];
  const m = margin(sigma, mean, rho ?? wholeRms(rowSumSq()));
  return { centred: asRows(centredGrid), norm: g.node('Cast', [g.node('Sqrt', [normSq])[0]], 1, { to: 1 })[0], ...m, witness: meanF };
}

/**
 * Smallest norm divided by: the least normal float32, so that scaled-down tensors (activations of
 * 1e−13 and smaller) keep their scores; a zero norm belongs to a constant row, which is masked.
 */
const MIN_NORM = 2 ** -126;

/**
 * Unit rows for the right-hand side of the K×K product. Constant rows come out as whatever their
 * tiny centred values give; the scorer overwrites them with the image's first valid row (see
 * `replaceConstantRows`), so the max over c′ never picks one, with no mask over the K×K matrix.
 */
export function unitRows(g: GraphBuilder, s: Standardised): string {
  const [scale] = g.node('Div', [g.scalar(1), g.node('Max', [s.norm, g.scalar(MIN_NORM)])[0]]);
  return g.node('Mul', [s.centred, scale])[0];
}

/**
 * Rows with every constant row (`valid` false, [n, K, 1] or [n, 1, K]) replaced by the image's first
 * valid row, in the graph: the max over c′ then never picks a constant channel (SPEC §4), as with
 * `replaceConstantRows` for the originals, without a pass over the K×K matrix. The first valid row
 * is picked by a product with a one-hot vector (exact: one term is the row times 1, the others are
 * zeros). Two passes over the K×P rows, so cheaper than masking the K×K matrix when 2P < K.
 * In an image with no valid row every row becomes row 0: all its pairs are undefined anyway.
 */
export function replaceInvalidRows(g: GraphBuilder, rows: Rows, valid: string, k: number): string {
  const channelAxis = rows.channelsLast ? 2 : 1;
  const [first] = g.node('ArgMax', [g.node('Cast', [valid], 1, { to: 1 })[0]], 1, { axis: channelAxis, keepdims: 1 });
  const index = g.shared(`channels:${k}:${rows.channelsLast}`, () =>
    g.initializer(g.fresh('channels'), BigInt64Array.from({ length: k }, (_, c) => BigInt(c)), rows.channelsLast ? [1, k, 1] : [1, 1, k], 'int64'),
  );
  // [n, K, 1] picks a column of [n, P, K]; [n, 1, K] a row of [n, K, P].
  const [oneHot] = g.node('Cast', [g.node('Equal', [index, rows.channelsLast ? g.node('Reshape', [first, g.ints([0, 1, 1])])[0] : first])[0]], 1, { to: 1 });
  const [firstRow] = g.node('MatMul', rows.channelsLast ? [rows.name, oneHot] : [oneHot, rows.name]);
  return g.node('Where', [valid, rows.name, firstRow])[0];
}

/**
 * Scores rows a (from T_g x) against unit rows b (T′_g F, either layout): per image and channel,
 * the same-channel similarity and the best over channels (SPEC §4). One batched product per layer gives the K×K
 * matrix; its diagonal is the invariance. Constant rows of b must not win the max: either they were
 * replaced by a valid row before (permutations; shifts on maps with 2P < K, `replaceInvalidRows`),
 * or `validB` masks their columns with −∞ (the other shifts).
 *
 * @returns [n, K] tensors: inv, eqv (both before the a-side validity is applied)
 */
export function scoreRows(g: GraphBuilder, a: Pick<Rows, 'channelsLast'>, sa: Standardised, b: Rows, k: number, validB?: string): { inv: string; eqv: string } {
  // [n,K,K] = a as [n,K,P] times b as [n,P,K], whichever layout each side is in.
  const [sim] = g.node('FusedMatMul', [sa.centred, b.name], 1, { transA: a.channelsLast ? 1 : 0, transB: b.channelsLast ? 0 : 1 }, 'com.microsoft');
  let candidates = sim;
  if (validB) {
    const [columns] = g.node('Reshape', [validB, g.ints([0, 1, k])]);
    const [bias] = g.node('Where', [columns, g.scalar(0), g.scalar(-Infinity)]);
    [candidates] = g.node('Add', [sim, bias]);
  }
  const best = g.reduce('ReduceMax', candidates, [2], false);
  const diagonal = Array.from({ length: k }, (_, c) => c * (k + 1));
  const [same] = g.node('Gather', [g.node('Reshape', [sim, g.ints([0, k * k])])[0], g.ints(diagonal)], 1, { axis: 1 });
  const [norm] = g.node('Reshape', [g.node('Max', [sa.norm, g.scalar(MIN_NORM)])[0], g.ints([0, k])]);
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
