import { createRequire } from 'node:module';
import path from 'node:path';
import { existsSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { accuracyReport } from './aggregate/accuracy.js';
import { summarizeLayers } from './aggregate/layers.js';
import { aggregateParts } from './aggregate/parts.js';
import { readProbeImage } from './forward/read.js';
import { runImages } from './forward/run.js';
import { defaultThreads, openSession, type RuntimeOptions } from './forward/session.js';
import { listImageFiles } from './images/files.js';
import { labelsFromFolders, readLabels } from './images/labels.js';
import { resolvePreprocessing, type PreprocessingOptions } from './images/presets.js';
import { imageBatches, syntheticImage } from './images/source.js';
import { messages } from './messages.js';
import { detectInput } from './model/input.js';
import { loadModel } from './model/load.js';
import { listProbes, type ProbeSelection } from './model/probes.js';
import { MetricEngine } from './scores/metric.js';
import { scoreMapPairs, scoreVectors, type MapPair } from './scores/pairs.js';
import { elementId, emptyState, type ElementSums, type MeasureState } from './scores/state.js';
import { emptySums } from './scores/sums.js';
import { cropOriginal, groupElements, mapShift, overlapPair, transformInput, transformMap } from './transforms/index.js';
import type { GroupElement, InputInfo, MeasureConfig, ProbeInfo, ProbeReport, ShiftMode, Similarity, TransformName } from './types.js';

/** Options of `measure`; the CLI flags map onto these one to one. */
export interface MeasureOptions extends ProbeSelection, RuntimeOptions, PreprocessingOptions {
  /** Path to the `.onnx` file. */
  readonly model: string;
  readonly transforms?: readonly TransformName[];
  /** Folder of PNG/JPEG images (recursive); without it, `synthetic` seeded noise images. */
  readonly images?: string;
  readonly synthetic?: number;
  readonly seed?: number;
  readonly shifts?: readonly number[];
  readonly shiftMode?: ShiftMode;
  readonly similarity?: Similarity;
  readonly maxImages?: number;
  readonly batch?: number;
  /** CSV `file,label`; default: `labels.csv` in the image folder, or class subfolders. */
  readonly labels?: string;
  /** Class names, one per line, for class subfolders. */
  readonly classes?: string;
  /** Measure only images j with j mod count = index (SPEC §8). */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Input layout, when detection must be overridden. */
  readonly layout?: 'NCHW' | 'NHWC';
  /** Called after each batch with forward passes done and total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called after each batch with the state to checkpoint. */
  readonly onCheckpoint?: (state: MeasureState) => Promise<void>;
  /** State of an interrupted run to continue from. */
  readonly resume?: MeasureState;
  /** Receives warnings (flagged layers, skipped images). */
  readonly onWarning?: (message: string) => void;
}

/** A measurement's report together with the state it was computed from (for shards and checkpoints). */
export interface MeasureResult {
  readonly report: ProbeReport;
  readonly state: MeasureState;
}

const DEFAULT_SHIFTS = Array.from({ length: 32 }, (_, i) => i + 1);

function toolVersion(): string {
  const require = createRequire(import.meta.url);
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      return (require(candidate) as { version: string }).version;
    } catch {
      // compiled (dist/src) and source (src) layouts sit at different depths
    }
  }
  return 'unknown';
}

/**
 * Measures layer-wise invariance and equivariance of an ONNX model (SPEC §1–§8).
 *
 * Stages:
 *  1. model: load, detect the image input, list probes (one discovery forward pass);
 *  2. probe set: images (files or seeded synthetic), preprocessing, shard and max-images cut;
 *  3. transforms: group elements g of each transform, applied to the inputs;
 *  4. forward passes: originals and each T_g x, probe tensors fetched as extra outputs;
 *  5. scores: invariance/equivariance per (c, g, i) into running sums (metric graph for the max);
 *  6. aggregation: layer, part and accuracy summaries into a `ProbeReport`.
 *
 * @example
 * const { report } = await measure({ model: 'zoo/p4cnn.onnx', transforms: ['rot90'], images: 'zoo/images', preset: 'fmnist' });
 * report.parts; // [{ part: 'Early', transform: 'rot90', inv: 0.41, eqv: 0.99, layers: 3 }, ...]
 */
export async function measure(options: MeasureOptions): Promise<MeasureResult> {
  // 1. Model and probes.
  const model = await loadModel(options.model);
  const input = detectInput(model.proto, model.path, options.size, options.layout);
  const transforms = [...new Set(options.transforms ?? ['rot90'])];
  for (const t of transforms) {
    if ((t === 'rot90' || t === 'd4') && input.height !== input.width) throw new RangeError(messages.nonSquareInput(input.height, input.width, t));
  }
  const runtime: RuntimeOptions = { threads: options.threads ?? defaultThreads(), device: options.device };
  const probes = await listProbes(model, input, options, runtime);
  const preprocessing = resolvePreprocessing(options, input);

  // 2–3. Images and group elements.
  const shifts = options.shifts ?? DEFAULT_SHIFTS;
  const elements = new Map<TransformName, GroupElement[]>(transforms.map((t) => [t, groupElements(t, { shifts, height: input.height })]));
  const shiftMode = options.shiftMode ?? 'crop';
  const margin = transforms.includes('translate') && shiftMode === 'crop' ? Math.max(...elements.get('translate')!.map((g) => g.shift)) : 0;
  const items = await selectItems(options);
  const state = options.resume ?? emptyState(probes, elements);
  const done = new Set([...state.processed, ...state.skipped.map((s) => s.file)]);
  const pending = items.filter((id) => !done.has(id));
  const batch = options.batch ?? 32;
  const similarity = options.similarity ?? 'pearson';
  const skippedLayers = skippedLayerReasons(probes, elements);
  const fetches = [...new Set([...probes.map((p) => p.name), model.proto.graph!.output[0].name])];

  const session = await openSession(model.proto, fetches, runtime);
  const engine = await MetricEngine.open(runtime);
  const passes = 1 + [...elements.values()].reduce((s, l) => s + l.length, 0);
  const total = items.length * passes;
  let forwardDone = state.processed.length * passes;
  const context: BatchContext = { session, engine, input, probes, elements, shiftMode, similarity, skippedLayers, outputName: fetches[fetches.length - 1], state, onWarning: options.onWarning };
  try {
    const source = options.images
      ? imageBatches(pending, preprocessing, margin, batch, (file: string, reason: string) => {
          state.skipped.push({ file, reason });
          options.onWarning?.(`Skipped ${file}: ${reason}`);
        })
      : syntheticBatches(pending, options.seed ?? 0, preprocessing, margin, batch);
    for await (const { files, data } of source) {
      // 4–5. Forward passes and scores for this batch.
      await processBatch(context, data, preprocessing.size + margin, () => {
        forwardDone += data.length;
        options.onProgress?.(forwardDone, total);
      });
      state.processed.push(...files);
      await options.onCheckpoint?.(state);
    }
    // 6. Vector layers need all images; then aggregate.
    const sums = await finalSums(context);
    const report = buildReport({ options, model: { name: model.name, path: model.path, sha256: model.sha256 }, input, probes, elements, state, sums, preprocessing, shifts, shiftMode, similarity, batch, threads: runtime.threads!, skippedLayers });
    return { report, state };
  } finally {
    await session.release();
    await engine.release();
  }
}

async function selectItems(options: MeasureOptions): Promise<string[]> {
  let items: string[];
  if (options.images) {
    items = await listImageFiles(options.images);
  } else {
    const n = options.synthetic ?? 32;
    items = Array.from({ length: n }, (_, i) => `synthetic-${String(i).padStart(6, '0')}`);
  }
  if (options.maxImages !== undefined) items = items.slice(0, options.maxImages);
  if (options.shard) {
    const { index, count } = options.shard;
    items = items.filter((_, j) => j % count === index);
  }
  return items;
}

async function* syntheticBatches(ids: readonly string[], seed: number, prep: ReturnType<typeof resolvePreprocessing>, margin: number, batch: number) {
  for (let start = 0; start < ids.length; start += batch) {
    const files = ids.slice(start, start + batch);
    yield { files, data: files.map((id) => syntheticImage(Number(id.slice('synthetic-'.length)), seed, prep, margin)) };
  }
}

/** Layers a transform cannot score, with the reason kept in the result (SPEC §2). */
function skippedLayerReasons(probes: readonly ProbeInfo[], elements: ReadonlyMap<TransformName, readonly GroupElement[]>): Map<string, string> {
  const reasons = new Map<string, string>();
  for (const [t, list] of elements) {
    for (const p of probes) {
      if (p.kind !== 'vector' && p.h !== p.w && list.some((g) => g.quarterTurns % 2 === 1)) reasons.set(`${p.name}\u0000${t}`, messages.nonSquareMap(p.h, p.w));
    }
  }
  return reasons;
}

interface BatchContext {
  readonly session: ort.InferenceSession;
  readonly engine: MetricEngine;
  readonly input: InputInfo;
  readonly probes: readonly ProbeInfo[];
  readonly elements: ReadonlyMap<TransformName, readonly GroupElement[]>;
  readonly shiftMode: ShiftMode;
  readonly similarity: Similarity;
  readonly skippedLayers: ReadonlyMap<string, string>;
  readonly outputName: string;
  readonly state: MeasureState;
  readonly onWarning?: (message: string) => void;
}

/** Forward pass of a set of images: per probe, one K×h×w map per image; plus predicted classes. */
async function forwardProbes(ctx: BatchContext, images: readonly Float32Array[]): Promise<{ maps: Map<string, Float32Array[]>; predicted: number[] }> {
  const chunks = await runImages(ctx.session, ctx.input, images, ctx.probes.map((p) => p.name).concat(ctx.outputName));
  const maps = new Map<string, Float32Array[]>(ctx.probes.map((p) => [p.name, []]));
  const predicted: number[] = [];
  for (const { tensors, count } of chunks) {
    for (const probe of ctx.probes) {
      const t = tensors[probe.name];
      const data = t.data as Float32Array;
      if (!ctx.state.nonFinite.includes(probe.name) && data.some((v) => !Number.isFinite(v))) {
        ctx.state.nonFinite.push(probe.name);
        ctx.onWarning?.(messages.nonFinite(probe.name));
      }
      for (let n = 0; n < count; n++) maps.get(probe.name)!.push(readProbeImage(data, t.dims, probe, n));
    }
    const out = tensors[ctx.outputName];
    const classes = out.dims[out.dims.length - 1];
    const logits = out.data as Float32Array;
    for (let n = 0; n < count; n++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (logits[n * classes + c] > logits[n * classes + best]) best = c;
      predicted.push(best);
    }
  }
  return { maps, predicted };
}

/** The pair (F', T'F) of SPEC §4 for one image: a permuted map, or the overlap of shifted maps. */
function makePair(probe: ProbeInfo, g: GroupElement, transformed: Float32Array, original: Float32Array, inputHeight: number): MapPair & { p: number } {
  if (g.transform === 'translate') {
    const d = mapShift(g.shift, probe.h, inputHeight);
    const { a, b, h, w } = overlapPair(transformed, original, probe.channels, probe.h, probe.w, d);
    return { a, b, p: h * w };
  }
  return { a: transformed, b: transformMap(original, probe.channels, probe.h, probe.w, g), p: probe.h * probe.w };
}

async function processBatch(ctx: BatchContext, sources: readonly Float32Array[], sourceSize: number, tick: () => void): Promise<void> {
  const { input, state } = ctx;
  const crop = (src: Float32Array) => cropOriginal(src, input.channels, sourceSize, sourceSize, input.height, input.width);
  const original = await forwardProbes(ctx, sources.map(crop));
  tick();
  state.predictions.original.push(...original.predicted);
  for (const probe of ctx.probes) {
    if (probe.kind === 'vector') state.vectors[probe.name].original.push(...original.maps.get(probe.name)!.map((v) => Array.from(v)));
  }
  for (const [t, list] of ctx.elements) {
    for (const g of list) {
      const images = sources.map((src) => transformInput(src, input.channels, sourceSize, sourceSize, g, input.height, input.width, ctx.shiftMode));
      const moved = await forwardProbes(ctx, images);
      tick();
      const id = elementId(t, g.key);
      state.predictions[id].push(...moved.predicted);
      for (const probe of ctx.probes) {
        const after = moved.maps.get(probe.name)!;
        if (probe.kind === 'vector') {
          state.vectors[probe.name][id].push(...after.map((v) => Array.from(v)));
          continue;
        }
        if (ctx.skippedLayers.has(`${probe.name}\u0000${t}`) || state.nonFinite.includes(probe.name)) continue;
        const before = original.maps.get(probe.name)!;
        const pairs = after.map((a, i) => makePair(probe, g, a, before[i], input.height));
        const sums = state.maps[probe.name][t][g.key];
        await scoreMapPairs(ctx.engine, pairs, probe.channels, pairs[0]?.p ?? 0, ctx.similarity, sums.inv, sums.eqv);
      }
    }
  }
}

/** Map sums from the state plus vector-layer sums computed over all images (SPEC §4). */
async function finalSums(ctx: BatchContext): Promise<Record<string, Record<string, Record<string, ElementSums>>>> {
  const sums = structuredClone(ctx.state.maps);
  for (const probe of ctx.probes) {
    if (probe.kind !== 'vector') continue;
    sums[probe.name] = {};
    const stored = ctx.state.vectors[probe.name];
    const original = stored.original.map((v) => Float32Array.from(v));
    for (const [t, list] of ctx.elements) {
      sums[probe.name][t] = {};
      for (const g of list) {
        const s = { inv: emptySums(), eqv: emptySums() };
        if (original.length >= 3 && !ctx.state.nonFinite.includes(probe.name)) {
          const moved = stored[elementId(t, g.key)].map((v) => Float32Array.from(v));
          await scoreVectors(ctx.engine, moved, original, probe.channels, ctx.similarity, s.inv, s.eqv);
        }
        sums[probe.name][t][g.key] = s;
      }
    }
  }
  return sums;
}

interface ReportInputs {
  readonly options: MeasureOptions;
  readonly model: { name: string; path: string; sha256: string };
  readonly input: InputInfo;
  readonly probes: readonly ProbeInfo[];
  readonly elements: ReadonlyMap<TransformName, readonly GroupElement[]>;
  readonly state: MeasureState;
  readonly sums: Record<string, Record<string, Record<string, ElementSums>>>;
  readonly preprocessing: ReturnType<typeof resolvePreprocessing>;
  readonly shifts: readonly number[];
  readonly shiftMode: ShiftMode;
  readonly similarity: Similarity;
  readonly batch: number;
  readonly threads: number;
  readonly skippedLayers: ReadonlyMap<string, string>;
}

function buildReport(r: ReportInputs): ProbeReport {
  const { options, state } = r;
  const used = state.predictions.original.length;
  const warnings = state.nonFinite.map((name) => messages.nonFinite(name));
  if (used < 3 && r.probes.some((p) => p.kind === 'vector')) warnings.push(messages.tooFewImages(used));
  const layers = summarizeLayers(r.probes, r.elements, r.sums, r.skippedLayers);
  const labelSource = options.images ? labelSourceOf(options) : null;
  const config: MeasureConfig = {
    transforms: [...r.elements.keys()],
    images: options.images ?? null,
    synthetic: options.images ? null : (options.synthetic ?? 32),
    seed: options.seed ?? 0,
    preprocessing: r.preprocessing,
    shifts: r.elements.get('translate')?.map((g) => g.shift) ?? [...r.shifts],
    shiftMode: r.shiftMode,
    layers: options.layers ?? 'default',
    include: options.include ?? null,
    exclude: options.exclude ?? null,
    similarity: r.similarity,
    maxImages: options.maxImages ?? null,
    batch: r.batch,
    threads: r.threads,
    labels: labelSource,
  };
  return {
    schemaVersion: 1,
    tool: { name: 'equiprobe', version: toolVersion(), onnxruntime: ort.env.versions.common ?? 'unknown' },
    model: { ...r.model, input: r.input },
    config,
    images: { used, skipped: state.skipped.map((s) => ({ file: options.images ? path.relative(options.images, s.file) : s.file, reason: s.reason })) },
    probes: r.probes,
    layers,
    parts: aggregateParts(r.probes, layers, new Set(state.nonFinite)),
    accuracy: labelSource ? accuracyOf(options, labelSource, state, r.elements) : null,
    warnings,
    createdAt: new Date().toISOString(),
  };
}

/** Where labels come from: `--labels`, else `labels.csv` in the image folder, else class subfolders (or none). */
function labelSourceOf(options: MeasureOptions): string | null {
  if (options.labels) return options.labels;
  const inFolder = path.join(options.images!, 'labels.csv');
  if (existsSync(inFolder)) return inFolder;
  return options.classes ? 'folders' : null;
}

function accuracyOf(options: MeasureOptions, source: string, state: MeasureState, elements: ReadonlyMap<TransformName, readonly GroupElement[]>) {
  const files = state.processed;
  let labels: number[];
  if (source === 'folders') {
    labels = labelsFromFolders(options.images!, files, options.classes);
  } else {
    const table = readLabels(source);
    labels = files.map((f) => {
      const rel = path.relative(options.images!, f).split(path.sep).join('/');
      const label = table.get(rel) ?? table.get(path.basename(f));
      if (label === undefined) throw new RangeError(`Image '${rel}' has no label in '${source}'. Add a row 'file,label' for it.`);
      return label;
    });
  }
  return accuracyReport(state.predictions, labels, elements);
}
