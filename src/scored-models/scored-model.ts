import type { ModelProto } from 'onnx-buf';
import { messages } from '../messages.js';
import { GraphBuilder, type Dim } from '../onnx/graph.js';
import type { ProbeInfo, Similarity } from '../types.js';
import { channelsLastRows, gatherPositions, gridOf, probeRows, replaceInvalidRows, scoreRows, spatialView, standardise, tensorRms, unitRows, type Grid, type Rows, type Standardised } from './rows.js';

/**
 * The probed model with the metric appended (issue: "appended to the probed model so that a
 * session returns per-layer scores instead of activation maps"). Activations never leave
 * onnxruntime except the originals' unit rows, which every transformed pass needs:
 *
 *  - the *original* model runs the untransformed images and returns, per map probe, the unit
 *    rows of F (standardised, SPEC §3) as channels last, and the raw map for shifts;
 *  - an *element* model runs T_g x, takes those rows as inputs, moves them by T′_g (a Gather of
 *    positions given as an input, so one model serves every rotation and flip) and returns per
 *    probe and image the invariance and equivariance of every channel: K numbers, not K×h×w.
 *
 * Names of added inputs and outputs are `equiprobe/<what>/<probe index>`.
 */
export const tensorName = {
  unit: (probe: number) => `equiprobe/unit/${probe}`,
  /** T′_g of a permutation element as source positions, per map size h×w. */
  positions: (size: string) => `equiprobe/positions/${size}`,
  raw: (probe: number) => `equiprobe/raw/${probe}`,
  /** ρ of the original's whole map (SPEC §3), [n, 1, 1] float64, for the shift model's overlap windows. */
  rho: (probe: number) => `equiprobe/rho/${probe}`,
  /** σ over the constant-row threshold of SPEC §3 per image and channel, of T′F (b) and F′ (a). */
  marginB: (probe: number) => `equiprobe/margin_b/${probe}`,
  marginA: (probe: number) => `equiprobe/margin_a/${probe}`,
  inv: (probe: number) => `equiprobe/inv/${probe}`,
  eqv: (probe: number) => `equiprobe/eqv/${probe}`,
  witness: (probe: number) => `equiprobe/witness/${probe}`,
  /** Overlap bounds of a shift, per map size h×w: the end of F′'s window and the start of F's. */
  aEnd: (size: string) => `equiprobe/a_end/${size}`,
  bStart: (size: string) => `equiprobe/b_start/${size}`,
} as const;

/** What the scored models are built for. */
export interface ScoringPlan {
  readonly probes: readonly ProbeInfo[];
  readonly similarity: Similarity;
  /** Whether any element is a rotation or flip (the original model then returns unit rows). */
  readonly permutations: boolean;
  readonly shifts: boolean;
  /** Probe indices (into `probes`) of the map layers to score. */
  readonly scored: readonly number[];
  /**
   * The batch axis of the model's image input (its symbol or fixed size), given to the added
   * inputs: see `modelBatchDim`.
   */
  readonly batch: Dim;
}

/**
 * The batch axis of a model input (its symbol, its fixed size, or `n` when it has neither), for
 * the added inputs. onnxruntime reuses a freed buffer only for a tensor of provably the same
 * shape, so the metric keeps the model's batch symbol on every tensor (its Reshapes copy the batch
 * axis with 0 instead of inferring it with −1): with unknown batch axes no buffer is reused, the
 * planner's free list grows with every tensor, and opening ResNet-50's scored models took seconds,
 * growing with the square of the number of probes.
 */
export function modelBatchDim(model: ModelProto, inputName: string): Dim {
  const type = model.graph!.input.find((i) => i.name === inputName)?.type?.value;
  const dim = type?.case === 'tensorType' ? type.value.shape?.dim[0]?.value : undefined;
  if (dim?.case === 'dimParam' && dim.value !== '') return dim.value;
  if (dim?.case === 'dimValue') return Number(dim.value);
  return 'n';
}

const INT64_MAX = 9223372036854775807n;

function builder(model: ModelProto): GraphBuilder {
  const opset = Number(model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 17n);
  // The metric's Slice takes its bounds as inputs, which needs opset 10: older models come upgraded (onnx/upgrade.ts).
  if (opset < 10) throw new RangeError(messages.opsetTooOld(opset));
  return new GraphBuilder('equiprobe', { opset, namespace: 'equiprobe/t/' });
}

/** Vector probes are small (K per image) and scored over all images at the end: they are returned as they are. */
function exposeVectors(g: GraphBuilder, model: ModelProto, plan: ScoringPlan): void {
  const outputs = new Set(model.graph!.output.map((o) => o.name));
  for (const probe of plan.probes) if (probe.kind === 'vector' && !outputs.has(probe.name)) g.output(probe.name);
}

/** Adds a per-probe "witness" scalar: non-finite exactly when a row of the probe held NaN or ±Inf. */
function witness(g: GraphBuilder, perRow: string, index: number): void {
  g.node('ReduceSum', [g.node('Reshape', [perRow, g.ints([-1])])[0]], [tensorName.witness(index)], { keepdims: 0 });
  g.output(tensorName.witness(index));
}

/** Outputs a per-row margin (SPEC §3) as [n, K] float32. */
function marginOutput(g: GraphBuilder, s: Standardised, k: number, name: string): void {
  g.node('Reshape', [s.margin, g.ints([0, k])], [name]);
  g.output(name);
}

/**
 * The model that runs the original images: per scored map probe, the unit rows of F as channels
 * last (`unit/i`), their constant-row margins (`margin_b/i`), and for shifts the raw map (`raw/i`)
 * and its ρ (`rho/i`).
 *
 * @param reuse - return a view of the model's remembered buffer, valid until the next reusing
 *   build for the model (see `serialiseAppended`); likewise for `permutationModel` and `shiftModel`
 */
export function originalModel(model: ModelProto, plan: ScoringPlan, reuse = false): Uint8Array {
  const g = builder(model);
  for (const i of plan.scored) {
    const probe = plan.probes[i];
    const rows = probeRows(g, probe, probe.name);
    const grid = gridOf(g, rows, probe);
    const s = standardise(g, grid, plan.similarity);
    witness(g, s.witness, i);
    if (plan.permutations) {
      g.node('Identity', [channelsLastRows(g, { ...rows, name: unitRows(g, s) }).name], [tensorName.unit(i)]);
      g.output(tensorName.unit(i));
      marginOutput(g, s, probe.channels, tensorName.marginB(i));
    }
    if (plan.shifts) {
      g.node('Identity', [grid.name], [tensorName.raw(i)]);
      g.output(tensorName.raw(i));
      g.node('Identity', [s.rho], [tensorName.rho(i)]);
      g.output(tensorName.rho(i), undefined, 'double');
    }
  }
  exposeVectors(g, model, plan);
  return g.appendTo(model, reuse);
}

/**
 * Outputs inv, eqv and the a-side margins of one probe as [n, K].
 *
 * @param a - F′ as a grid (or a window of it)
 * @param rhoA - ρ of the whole F′ when `a` is a window of it (shifts)
 */
function scoreOutputs(g: GraphBuilder, a: Grid, b: Rows, probe: ProbeInfo, i: number, similarity: Similarity, validB?: string, rhoA?: string): void {
  const sa = standardise(g, a, similarity, rhoA);
  witness(g, sa.witness, i);
  const { inv, eqv } = scoreRows(g, a, sa, b, probe.channels, validB);
  g.node('Identity', [inv], [tensorName.inv(i)]);
  g.node('Identity', [eqv], [tensorName.eqv(i)]);
  g.output(tensorName.inv(i));
  g.output(tensorName.eqv(i));
  marginOutput(g, sa, probe.channels, tensorName.marginA(i));
}

/**
 * The model that runs T_g x for a rotation or flip: inputs `unit/i` (the originals' unit rows from
 * `originalModel`) per scored probe and `positions/h×w` (T′_g as source positions) per map size;
 * outputs inv/eqv/margin_a per probe.
 */
export function permutationModel(model: ModelProto, plan: ScoringPlan, reuse = false): Uint8Array {
  const g = builder(model);
  const sizes = new Set<string>();
  for (const i of plan.scored) {
    const probe = plan.probes[i];
    const size = `${probe.h}x${probe.w}`;
    if (!sizes.has(size)) {
      sizes.add(size);
      g.input(tensorName.positions(size), [probe.h * probe.w], 'int64');
    }
    const a = gridOf(g, probeRows(g, probe, probe.name), probe);
    const unit = g.input(tensorName.unit(i), [plan.batch, probe.h * probe.w, probe.channels]);
    scoreOutputs(g, a, { name: gatherPositions(g, unit, tensorName.positions(size)), channelsLast: true }, probe, i, plan.similarity);
  }
  exposeVectors(g, model, plan);
  return g.appendTo(model, reuse);
}

/**
 * The model that runs T_g x for a shift: input `raw/i` per scored probe is the original's map; the
 * overlap windows (SPEC §2: F′[0:h−d_y, 0:w−d_x] against F[d_y:h, d_x:w]) come in as `a_end/h×w`
 * and `b_start/h×w` per map size, so one model serves every shift. Both sides are standardised over
 * the overlap, with ρ from the whole maps (SPEC §3: `rho/i` of the original, computed here for F′);
 * outputs also `margin_b/i`.
 */
export function shiftModel(model: ModelProto, plan: ScoringPlan, reuse = false): Uint8Array {
  const g = builder(model);
  const sizes = new Set<string>();
  for (const i of plan.scored) {
    const probe = plan.probes[i];
    const a = probeRows(g, probe, probe.name);
    const [hAxis, wAxis] = a.channelsLast ? [1, 2] : [2, 3];
    const raw = g.input(tensorName.raw(i), a.channelsLast ? [plan.batch, probe.h, probe.w, probe.channels] : [plan.batch, probe.channels, probe.h, probe.w]);
    const size = `${probe.h}x${probe.w}`;
    if (!sizes.has(size)) {
      sizes.add(size);
      g.input(tensorName.aEnd(size), [2], 'int64');
      g.input(tensorName.bStart(size), [2], 'int64');
    }
    const axes = g.ints([hAxis, wAxis]);
    const [aWindow] = g.node('Slice', [spatialView(g, a, probe), g.ints([0, 0]), tensorName.aEnd(size), axes]);
    const [bWindow] = g.node('Slice', [raw, tensorName.bStart(size), g.shared('window-end', () => g.initializer(g.fresh('end'), BigInt64Array.of(INT64_MAX, INT64_MAX), [2], 'int64')), axes]);
    // A Slice with bounds given at run time has no known dims; both windows are h′×w′ of this map size.
    const [k, wh, ww] = [probe.channels, `equiprobe/window_h/${size}`, `equiprobe/window_w/${size}`];
    for (const window of [aWindow, bWindow]) g.shape(window, a.channelsLast ? [plan.batch, wh, ww, k] : [plan.batch, k, wh, ww]);
    const rowsShape = a.channelsLast ? [plan.batch, `equiprobe/window/${size}`, k] : [plan.batch, k, `equiprobe/window/${size}`];
    const [aGrid, bGrid] = [aWindow, bWindow].map((window): Grid => ({ name: window, channelsLast: a.channelsLast, channels: k, rowsShape }));
    const sb = standardise(g, bGrid, plan.similarity, g.input(tensorName.rho(i), [plan.batch, 1, 1], 'double'));
    marginOutput(g, sb, probe.channels, tensorName.marginB(i));
    const unit = { name: unitRows(g, sb), channelsLast: a.channelsLast };
    const rhoA = tensorRms(g, a);
    if (2 * probe.h * probe.w < k) {
      // Few positions, many channels: replacing constant rows costs less than masking the K×K matrix.
      scoreOutputs(g, aGrid, { ...unit, name: replaceInvalidRows(g, unit, sb.valid, k) }, probe, i, plan.similarity, undefined, rhoA);
    } else {
      scoreOutputs(g, aGrid, unit, probe, i, plan.similarity, g.node('Reshape', [sb.valid, g.ints([0, k])])[0], rhoA);
    }
  }
  exposeVectors(g, model, plan);
  return g.appendTo(model, reuse);
}
