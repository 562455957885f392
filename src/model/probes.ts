import type * as ort from 'onnxruntime-node';
import { runImages } from '../forward/run.js';
import { openSession, type RuntimeOptions } from '../forward/session.js';
import { lcg32 } from '../images/prng.js';
import { messages } from '../messages.js';
import { spatialPart } from '../parts.js';
import type { InputInfo, NotProbed, Part, ProbeInfo } from '../types.js';
import { traceAxisRoles } from './axis-roles.js';
import { defaultCacheDir, discoveryKey, type DiscoveryCacheOptions } from './discovery-cache.js';
import { readCached, writeCached } from '../cache/entries.js';
import { constantInts, indexGraph, type GraphIndex } from './graph-index.js';
import { classifyTensor, isRead, type LayoutContext, type TensorLayout } from './layout.js';
import type { LoadedModel } from './load.js';
import { blockOutputs, defaultCandidates, finalTensor, isReducePooling, residualMerges, stemOutputs } from './select.js';

/** A preset probe set, or exactly the listed tensor names (see `ProbeSelection.layers`). */
export type LayerSelection = 'default' | 'all' | 'blocks' | readonly string[];

/** Which tensors to probe: SPEC §1's default set, a preset or a list of names, then name filters. */
export interface ProbeSelection {
  /**
   * Which tensors to probe: a preset (`blocks`: one tensor per residual or transformer block, its
   * output, plus stem, Pool and Final), or exactly these names — the ones `describeProbes` and
   * `equiprobe layers` return. A name that is not a probe tensor of the model is a RangeError.
   */
  readonly layers?: LayerSelection;
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

/** What discovery found: the tensors read as maps, tokens or vectors, and the others with the reason. */
interface Discovery {
  readonly read: Discovered[];
  readonly unread: NotProbed[];
}

function discoveryImages(input: InputInfo, count: number): Float32Array[] {
  // A fixed LCG: the discovery pass only needs generic, non-constant values, the same every run.
  const rand = lcg32(12345);
  return Array.from({ length: count }, () => Float32Array.from({ length: input.channels * input.height * input.width }, () => rand() - 0.5));
}

/** Tensor shapes of one forward pass of `batch` discovery images (every type: the role tracer follows int tensors too). */
async function shapesAt(session: ort.InferenceSession, input: InputInfo, fetches: string[], batch: number) {
  const [{ tensors }] = await runImages(session, input, discoveryImages(input, batch), fetches);
  const shapes = new Map<string, readonly number[]>();
  const floats = new Set<string>();
  for (const [name, t] of Object.entries(tensors)) {
    shapes.set(name, t.dims);
    if (t.type === 'float32') floats.add(name);
  }
  const { channels: c, height: h, width: w } = input;
  shapes.set(input.name, input.layout === 'NCHW' ? [batch, c, h, w] : [batch, h, w, c]);
  return { shapes, floats };
}

function findBatchAxis(a: readonly number[], b: readonly number[] | undefined, batchA: number, batchB: number | null): number {
  if (b && batchB !== null) {
    if (a.length !== b.length) return -1;
    return a.findIndex((d, i) => d === batchA && b[i] === batchB && a.every((e, j) => j === i || e === b[j]));
  }
  // Fixed batch size: the first axis of that size (axis 1 only for sequence-first [T,N,D]).
  return a.indexOf(batchA);
}

/** The symbol of the image input's batch axis (axis 0 in both layouts), or null when it has none. */
function batchSymbol(model: LoadedModel, input: InputInfo): string | null {
  const type = model.proto.graph!.input.find((i) => i.name === input.name)?.type?.value;
  const dim = type?.case === 'tensorType' ? type.value.shape?.dim[0]?.value : undefined;
  return dim?.case === 'dimParam' && dim.value !== '' ? dim.value : null;
}

/**
 * The batch axis of every fetched float tensor from onnxruntime's shape inference, or null when
 * it does not settle all of them. A tensor settles when its inferred shape has the input's batch
 * symbol at exactly one axis, where the pass had `batch`, and its other axes are the sizes the pass
 * had (or, with no batch axis, when all its axes are those sizes): a pass at another batch size
 * would then change that axis alone (or none), which is all `findBatchAxis` looks for, so the
 * second pass is not needed. Anything inferred less precisely (an unknown or other symbolic axis)
 * leaves it to the second pass.
 */
export function inferredBatchAxes(session: ort.InferenceSession, symbol: string | null, pass: { shapes: ReadonlyMap<string, readonly number[]>; floats: ReadonlySet<string> }, batch: number): Map<string, number> | null {
  if (symbol === null) return null;
  const axes = new Map<string, number>();
  for (const meta of session.outputMetadata) {
    const dims = pass.shapes.get(meta.name);
    if (!dims || !pass.floats.has(meta.name)) continue;
    const inferred = meta.isTensor ? (meta.shape as readonly (number | string)[]) : [];
    const axis = inferred.indexOf(symbol);
    const settled = inferred.length === dims.length && (axis < 0 || dims[axis] === batch) && inferred.every((d, i) => i === axis || d === dims[i]);
    if (!settled) return null;
    axes.set(meta.name, axis);
  }
  return axes;
}

/**
 * Runs the model once (twice when the batch is dynamic and onnxruntime's shape inference does not
 * already tell the batch axis from the others, see `inferredBatchAxes`) with
 * every computed tensor fetched, traces the axis roles through the graph (SPEC §1) and reads each
 * float tensor's layout from its shape and roles.
 */
async function discoverTensors(model: LoadedModel, input: InputInfo, index: GraphIndex, options: RuntimeOptions): Promise<Discovery> {
  const candidates = index.nodes.filter((n) => !SHAPE_OPS.has(n.opType)).flatMap((n) => n.output.filter((o) => o !== ''));
  const [batchA, batchB] = input.fixedBatch !== null ? [input.fixedBatch, null] : [2, 3];
  // One session serves both passes: opening it serialises and loads the whole model. Only shapes
  // are read, which no optimisation changes, and with every tensor an output there is little to
  // fuse: unoptimised, it opens in about half the time (ResNet-50: 0.1 s instead of 0.2–0.4 s).
  const proto = await model.weights();
  const session = await openSession(proto, candidates, options, { graphOptimizationLevel: 'disabled' });
  let passA: Awaited<ReturnType<typeof shapesAt>>;
  let shapesB: Map<string, readonly number[]> | null;
  let inferred: Map<string, number> | null = null;
  try {
    passA = await shapesAt(session, input, candidates, batchA);
    inferred = batchB !== null ? inferredBatchAxes(session, batchSymbol(model, input), passA, batchA) : null;
    shapesB = batchB !== null && !inferred ? (await shapesAt(session, input, candidates, batchB)).shapes : null;
  } finally {
    await session.release();
  }
  const roles = traceAxisRoles({ nodes: index.nodes, input, shapes: passA.shapes, constantInts: constantInts(proto) });
  const order = (name: string) => index.order.get(name) ?? Infinity;
  const op = (name: string) => index.producer.get(name)?.opType ?? 'Input';
  // Float tensors that depend on the image (constants and shape arithmetic are not probe candidates).
  const tensors = [...passA.shapes]
    .filter(([name]) => passA.floats.has(name) && roles.has(name) && name !== input.name)
    .map(([name, dims]) => ({ name, dims, batchAxis: inferred?.get(name) ?? findBatchAxis(dims, shapesB?.get(name), batchA, batchB) }))
    .sort((a, b) => order(a.name) - order(b.name));
  // The patch grid: side of the first square map (the stem or patch embedding).
  const noGrid: LayoutContext = { height: input.height, width: input.width, grid: null };
  const firstMap = tensors
    .map((t) => (t.dims.length === 4 ? classifyTensor(t.dims, t.batchAxis, roles.get(t.name), noGrid) : null))
    .find((l) => l && isRead(l) && l.kind === 'map' && l.h === l.w) as TensorLayout | undefined;
  const ctx: LayoutContext = { ...noGrid, grid: firstMap?.h ?? null };
  const read: Discovered[] = [];
  const unread: NotProbed[] = [];
  for (const t of tensors) {
    const layout = classifyTensor(t.dims, t.batchAxis, roles.get(t.name), ctx);
    if (isRead(layout)) read.push({ ...t, layout, op: op(t.name), order: order(t.name) });
    else unread.push({ name: t.name, op: op(t.name), dims: t.dims, reason: layout.reason });
  }
  return { read, unread };
}

const isNumbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
const hasStrings = (o: Record<string, unknown>, keys: readonly string[]) => keys.every((k) => typeof o[k] === 'string');
const hasNumbers = (o: Record<string, unknown>, keys: readonly string[]) => keys.every((k) => typeof o[k] === 'number' && Number.isFinite(o[k]));
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** A cache entry read back has the shape of a `Discovery` (its checksum already matched; this guards against other writers). */
function isDiscovery(v: unknown): v is Discovery {
  if (!isObject(v) || !Array.isArray(v.read) || !Array.isArray(v.unread)) return false;
  const readOk = v.read.every(
    (t: unknown) =>
      isObject(t) && hasStrings(t, ['name', 'op']) && hasNumbers(t, ['order', 'batchAxis']) && isNumbers(t.dims) &&
      isObject(t.layout) && hasStrings(t.layout, ['kind', 'format']) && hasNumbers(t.layout, ['channels', 'h', 'w', 'prefixTokens']),
  );
  return readOk && v.unread.every((t: unknown) => isObject(t) && hasStrings(t, ['name', 'op', 'reason']) && isNumbers(t.dims));
}

/**
 * `discoverTensors`, kept per model SHA-256, input, equiprobe version and discovery code in the
 * user cache folder: a model seen before starts without its discovery forward passes.
 */
async function cachedDiscovery(model: LoadedModel, input: InputInfo, index: GraphIndex, options: RuntimeOptions & DiscoveryCacheOptions): Promise<Discovery> {
  if (options.cache === false) return discoverTensors(model, input, index, options);
  const dir = options.cacheDir ?? defaultCacheDir();
  const key = discoveryKey(model.sha256, input);
  const cached = await readCached(dir, key, isDiscovery);
  if (cached) return cached;
  const found = await discoverTensors(model, input, index, options);
  await writeCached(dir, key, found);
  return found;
}

function compileFilter(pattern: string | undefined, flag: string): RegExp | null {
  if (!pattern) return null;
  try {
    return new RegExp(pattern);
  } catch {
    throw new RangeError(messages.badRegex(flag, pattern));
  }
}

/** The probe set and the candidate tensors left out of it for their layout, with the reason. */
export interface ProbeSet {
  readonly probes: ProbeInfo[];
  /**
   * Candidates of the selection (every image tensor for `all`; the default or block tensors
   * otherwise) that are not read as a map, tokens or vector (SPEC §1: "not a map, with the reason").
   */
  readonly notProbed: NotProbed[];
}

/**
 * Lists the probe set that `measure` uses for a model: name, op, layout, shape and part, and the
 * candidates that could not be read with the reason. Shapes come from a real forward pass; axis
 * roles from the graph. The names returned are the ones `--include` accepts. The discovery pass's
 * result is cached per model (`options.cache`, `options.cacheDir`; see discovery-cache.ts).
 *
 * @param model - a loaded model
 * @param input - its detected image input
 * @returns probes in topological order, with parts assigned (SPEC §5)
 * @example
 * const { probes, notProbed } = await probeSet(model, input, { layers: 'all' });
 */
export async function probeSet(model: LoadedModel, input: InputInfo, selection: ProbeSelection = {}, options: RuntimeOptions & DiscoveryCacheOptions = {}): Promise<ProbeSet> {
  const index = indexGraph(model.proto);
  const { read: tensors, unread } = await cachedDiscovery(model, input, index, options);
  const byName = new Map(tensors.map((t) => [t.name, t]));
  for (const [name, flag] of [[selection.pool, '--pool'], [selection.final, '--final']] as const) {
    if (name && !byName.has(name)) throw new RangeError(messages.unknownTensor(name, flag));
  }
  const isSpatial = (t: Discovered) => t.layout.kind !== 'vector';
  const finalName = selection.final ?? finalTensor(index);
  // A map output (detection or segmentation probabilities) is the Final part too (SPEC §5).
  const final = finalName && byName.has(finalName) ? finalName : null;
  const lastSpatial = Math.max(-1, ...tensors.filter((t) => isSpatial(t) && t.name !== final).map((t) => t.order));
  const pool = selection.pool ?? tensors.find((t) => !isSpatial(t) && t.order > lastSpatial)?.name ?? null;

  let names: Set<string>;
  const listed = Array.isArray(selection.layers) ? namedLayers(selection.layers, byName, unread) : null;
  if (listed) {
    names = listed;
  } else if (selection.layers === 'all') {
    names = new Set([...tensors.map((t) => t.name), ...unread.map((t) => t.name)]);
  } else if (selection.layers === 'blocks') {
    const merges = residualMerges(index, new Map([...tensors, ...unread].map((t) => [t.name, t.dims])));
    names = new Set([...stemOutputs(index), ...blockOutputs(index, merges, (name) => byName.has(name))]);
  } else {
    names = defaultCandidates(index);
    for (const name of residualMerges(index, new Map([...tensors, ...unread].map((t) => [t.name, t.dims])))) names.add(name);
  }
  // A list of names is the probe set exactly; the presets always take Pool and Final.
  if (!listed) for (const name of [pool, final]) if (name) names.add(name);
  // A spatial ReduceMean/ReduceMax is a pooling only when it keeps the channels (not a decomposed LayerNorm).
  let chosen = tensors.filter((t) => names.has(t.name) && (!isReducePooling(t.op) || !isSpatial(t) || t.layout.channels > 1));
  const include = compileFilter(selection.include, '--include');
  const exclude = compileFilter(selection.exclude, '--exclude');
  if (include && !chosen.some((t) => include.test(t.name))) throw new RangeError(messages.includeMatchesNothing(selection.include!));
  const kept = (name: string) => (!include || include.test(name)) && (!exclude || !exclude.test(name));
  chosen = chosen.filter((t) => kept(t.name));
  if (chosen.length === 0) throw new RangeError(messages.noProbes());
  // Outside `all`, a ReduceMean over the channels is a decomposed LayerNorm, not a pooling that went missing.
  const notProbed = unread.filter((t) => names.has(t.name) && kept(t.name) && (selection.layers === 'all' || !isReducePooling(t.op)));
  return { probes: assignParts(chosen, pool, final), notProbed };
}

/** The names of a `layers` list, each checked to be a tensor that discovery read (a layout equiprobe can probe). */
function namedLayers(layers: readonly string[], read: ReadonlyMap<string, Discovered>, unread: readonly NotProbed[]): Set<string> {
  if (layers.length === 0) throw new RangeError(messages.noLayersListed());
  for (const name of layers) {
    if (typeof name !== 'string') throw new TypeError(messages.layerNotString(name));
    if (read.has(name)) continue;
    const why = unread.find((t) => t.name === name)?.reason;
    throw new RangeError(why ? messages.layerNotProbed(name, why) : messages.unknownLayer(name));
  }
  return new Set(layers);
}

/** The probes of `probeSet` alone. */
export async function listProbes(model: LoadedModel, input: InputInfo, selection: ProbeSelection = {}, options: RuntimeOptions & DiscoveryCacheOptions = {}): Promise<ProbeInfo[]> {
  return (await probeSet(model, input, selection, options)).probes;
}

function assignParts(chosen: readonly Discovered[], pool: string | null, final: string | null): ProbeInfo[] {
  const poolOrder = chosen.find((t) => t.name === pool)?.order ?? Infinity;
  const spatial = chosen.filter((t) => t.layout.kind !== 'vector' && t.order < poolOrder && t.name !== final);
  return chosen.map((t, depth) => {
    const j = spatial.indexOf(t);
    const part: Part | null = t.name === final ? 'Final' : t.name === pool ? 'Pool' : j >= 0 ? spatialPart(j, spatial.length) : null;
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
