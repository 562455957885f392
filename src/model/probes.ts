import type * as ort from 'onnxruntime-node';
import { runImages } from '../forward/run.js';
import { openSession, type RuntimeOptions } from '../forward/session.js';
import { messages } from '../messages.js';
import type { InputInfo, Part, ProbeInfo } from '../types.js';
import { indexGraph, type GraphIndex } from './graph.js';
import { classifyTensor, type LayoutContext, type TensorLayout } from './layout.js';
import type { LoadedModel } from './load.js';
import { defaultCandidates, finalTensor, isReducePooling, residualMerges } from './select.js';

/** Which tensors to probe: SPEC §1's default set or every recognised tensor, then name filters. */
export interface ProbeSelection {
  readonly layers?: 'default' | 'all';
  /** Keep only names matching this regular expression. */
  readonly include?: string;
  /** Drop names matching this regular expression. */
  readonly exclude?: string;
  /** Override the detected Pool tensor. */
  readonly pool?: string;
  /** Override the detected Final tensor. */
  readonly final?: string;
}

/** Ops that never carry image features; skipping them keeps the discovery pass small. */
const SHAPE_OPS = new Set(['Shape', 'Size', 'Constant', 'ConstantOfShape', 'Range', 'NonZero']);

interface Discovered {
  readonly name: string;
  readonly op: string;
  readonly order: number;
  readonly dims: readonly number[];
  readonly batchAxis: number;
  readonly layout: TensorLayout;
}

function discoveryImages(input: InputInfo, count: number): Float32Array[] {
  // A fixed LCG: the discovery pass only needs generic, non-constant values, the same every run.
  let state = 12345;
  return Array.from({ length: count }, () =>
    Float32Array.from({ length: input.channels * input.height * input.width }, () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32 - 0.5;
    }),
  );
}

/** Float tensor shapes of one forward pass of `batch` discovery images. */
async function shapesAt(session: ort.InferenceSession, input: InputInfo, fetches: string[], batch: number) {
  const [{ tensors }] = await runImages(session, input, discoveryImages(input, batch), fetches);
  const shapes = new Map<string, readonly number[]>();
  for (const [name, t] of Object.entries(tensors)) if (t.type === 'float32') shapes.set(name, t.dims);
  return shapes;
}

function findBatchAxis(a: readonly number[], b: readonly number[] | undefined, batchA: number, batchB: number | null): number {
  if (b && batchB !== null) {
    if (a.length !== b.length) return -1;
    return a.findIndex((d, i) => d === batchA && b[i] === batchB && a.every((e, j) => j === i || e === b[j]));
  }
  // Fixed batch size: the first axis of that size (axis 1 only for sequence-first [T,N,D]).
  return a.indexOf(batchA);
}

/**
 * Runs the model once (twice when the batch is dynamic, to tell the batch axis from others) with
 * every computed tensor fetched, and classifies each tensor's layout.
 */
async function discoverTensors(model: LoadedModel, input: InputInfo, index: GraphIndex, options: RuntimeOptions): Promise<Discovered[]> {
  const candidates = index.nodes.filter((n) => !SHAPE_OPS.has(n.opType)).flatMap((n) => n.output.filter((o) => o !== ''));
  const [batchA, batchB] = input.fixedBatch !== null ? [input.fixedBatch, null] : [2, 3];
  // One session serves both passes: opening it serialises and loads the whole model.
  const session = await openSession(model.proto, candidates, options);
  let shapesA: Map<string, readonly number[]>;
  let shapesB: Map<string, readonly number[]> | null;
  try {
    shapesA = await shapesAt(session, input, candidates, batchA);
    shapesB = batchB !== null ? await shapesAt(session, input, candidates, batchB) : null;
  } finally {
    await session.release();
  }
  const withAxis = [...shapesA].map(([name, dims]) => ({ name, dims, batchAxis: findBatchAxis(dims, shapesB?.get(name), batchA, batchB) }))
    .filter((t) => t.batchAxis >= 0);
  const order = (name: string) => index.order.get(name) ?? Infinity;
  withAxis.sort((a, b) => order(a.name) - order(b.name));
  // The patch grid: side of the first square map (the stem or patch embedding).
  const noGrid: LayoutContext = { height: input.height, width: input.width, inputLayout: input.layout, grid: null };
  const firstMap = withAxis
    .map((t) => (t.dims.length === 4 ? classifyTensor(t.dims, t.batchAxis, noGrid) : null))
    .find((l) => l?.kind === 'map' && l.h === l.w);
  const ctx: LayoutContext = { ...noGrid, grid: firstMap?.h ?? null };
  const found: Discovered[] = [];
  for (const t of withAxis) {
    const layout = classifyTensor(t.dims, t.batchAxis, ctx);
    if (layout) found.push({ ...t, layout, op: index.producer.get(t.name)?.opType ?? 'Input', order: order(t.name) });
  }
  return found;
}

function compileFilter(pattern: string | undefined, flag: string): RegExp | null {
  if (!pattern) return null;
  try {
    return new RegExp(pattern);
  } catch {
    throw new RangeError(`${flag} '${pattern}' is not a valid regular expression. Quote it and check its syntax.`);
  }
}

/**
 * Lists the probe set that `measure` uses for a model: name, op, layout, shape and part.
 * Shapes come from a real forward pass. The names returned are the ones `--include` accepts.
 *
 * @param model - a loaded model
 * @param input - its detected image input
 * @returns probes in topological order, with parts assigned (SPEC §5)
 * @example
 * const probes = await listProbes(model, input); // [{ name: '/stem/Conv_output_0', kind: 'map', channels: 20, h: 28, ... }, ...]
 */
export async function listProbes(model: LoadedModel, input: InputInfo, selection: ProbeSelection = {}, options: RuntimeOptions = {}): Promise<ProbeInfo[]> {
  const index = indexGraph(model.proto);
  const tensors = await discoverTensors(model, input, index, options);
  const byName = new Map(tensors.map((t) => [t.name, t]));
  for (const [name, flag] of [[selection.pool, '--pool'], [selection.final, '--final']] as const) {
    if (name && !byName.has(name)) throw new RangeError(messages.unknownTensor(name, flag));
  }
  const isSpatial = (t: Discovered) => t.layout.kind !== 'vector';
  const lastSpatial = Math.max(-1, ...tensors.filter(isSpatial).map((t) => t.order));
  const pool = selection.pool ?? tensors.find((t) => !isSpatial(t) && t.order > lastSpatial)?.name ?? null;
  const finalName = selection.final ?? finalTensor(index);
  const final = finalName && byName.get(finalName)?.layout.kind === 'vector' ? finalName : null;

  let chosen: Discovered[];
  if (selection.layers === 'all') {
    chosen = tensors;
  } else {
    const names = defaultCandidates(index);
    for (const name of residualMerges(index, new Map(tensors.map((t) => [t.name, t.dims])))) names.add(name);
    for (const name of [pool, final]) if (name) names.add(name);
    // A spatial ReduceMean/ReduceMax is a pooling only when it keeps the channels (not a decomposed LayerNorm).
    chosen = tensors.filter((t) => names.has(t.name) && (!isReducePooling(t.op) || !isSpatial(t) || t.layout.channels > 1));
  }
  const include = compileFilter(selection.include, '--include');
  const exclude = compileFilter(selection.exclude, '--exclude');
  if (include && !chosen.some((t) => include.test(t.name))) throw new RangeError(messages.includeMatchesNothing(selection.include!));
  chosen = chosen.filter((t) => (!include || include.test(t.name)) && (!exclude || !exclude.test(t.name)));
  if (chosen.length === 0) throw new RangeError(messages.noProbes());
  return assignParts(chosen, pool, final);
}

function assignParts(chosen: readonly Discovered[], pool: string | null, final: string | null): ProbeInfo[] {
  const poolOrder = chosen.find((t) => t.name === pool)?.order ?? Infinity;
  const spatial = chosen.filter((t) => t.layout.kind !== 'vector' && t.order < poolOrder);
  const parts: Part[] = ['Early', 'Middle', 'Late'];
  return chosen.map((t, depth) => {
    const j = spatial.indexOf(t);
    const part: Part | null = t.name === final ? 'Final' : t.name === pool ? 'Pool' : j >= 0 ? parts[Math.floor((3 * j) / spatial.length)] : null;
    return {
      name: t.name,
      op: t.op,
      depth,
      kind: t.layout.kind,
      format: t.layout.format,
      dims: t.dims,
      batchAxis: t.batchAxis,
      channels: t.layout.channels,
      h: t.layout.h,
      w: t.layout.w,
      prefixTokens: t.layout.prefixTokens,
      part,
    };
  });
}
