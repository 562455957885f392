import path from 'node:path';
import { existsSync } from 'node:fs';
import { defaultThreads, type RuntimeOptions } from './forward/session.js';
import { listImageFiles } from './images/files.js';
import { labelsForFiles, labelsFromFolders, readLabels } from './images/labels.js';
import { resolvePreprocessing, type PreprocessingOptions } from './images/presets.js';
import { imageBatches, syntheticImage } from './images/source.js';
import { layerKey, processBatch, type BatchContext } from './measure/batch.js';
import { finalizeReport, type RunDescription } from './measure/finalize.js';
import { Scorer } from './measure/scorer.js';
import { messages } from './messages.js';
import { detectInput } from './model/input.js';
import { loadModel } from './model/load.js';
import type { DiscoveryCacheOptions } from './model/discovery-cache.js';
import { probeSet, type ProbeSelection } from './model/probes.js';
import { upgradeForMetric } from './onnx/upgrade.js';
import { MetricEngine } from './scores/metric.js';
import { emptyState, type MeasureState } from './scores/state.js';
import { groupElements } from './transforms/index.js';
import type { GroupElement, MeasureConfig, Preprocessing, ProbeInfo, ProbeReport, ShiftMode, Similarity, TransformName } from './types.js';

/** Options of `measure`; the CLI flags map onto these one to one. */
export interface MeasureOptions extends ProbeSelection, RuntimeOptions, PreprocessingOptions, DiscoveryCacheOptions {
  /** Path to the `.onnx` file. */
  readonly model: string;
  /** Model name in results (default: the file name without `.onnx`); correlate/compare match by it. */
  readonly name?: string;
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
  /** CSV `file,label`; default: `labels.csv` in the image folder. */
  readonly labels?: string;
  /** Class names, one per line; with it, class subfolders give the labels. */
  readonly classes?: string;
  /** Measure only images j with j mod count = index (SPEC §8). */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Input layout, when detection must be overridden. */
  readonly layout?: 'NCHW' | 'NHWC';
  /** Called after each forward pass with passes done and total. */
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

/** Group elements of each transform (SPEC §2), in the order the transforms were asked for. */
export function elementsFor(transforms: readonly TransformName[], shifts: readonly number[], height: number): Map<TransformName, GroupElement[]> {
  return new Map(transforms.map((t) => [t, groupElements(t, { shifts, height })]));
}

/** Layers a transform cannot score, with the reason kept in the result (SPEC §2). */
export function skippedLayerReasons(probes: readonly ProbeInfo[], elements: ReadonlyMap<TransformName, readonly GroupElement[]>): Map<string, string> {
  const reasons = new Map<string, string>();
  for (const [t, list] of elements) {
    for (const p of probes) {
      if (p.kind !== 'vector' && p.h !== p.w && list.some((g) => g.quarterTurns % 2 === 1)) reasons.set(layerKey(p.name, t), messages.nonSquareMap(p.h, p.w));
    }
  }
  return reasons;
}

/**
 * Measures layer-wise invariance and equivariance of an ONNX model (SPEC §1–§8).
 *
 * Stages:
 *  1. model: load, detect the image input, list probes (one discovery forward pass);
 *  2. probe set: images (files or seeded synthetic), preprocessing, shard and max-images cut;
 *  3. transforms: group elements g of each transform, applied to the inputs;
 *  4–5. forward passes and scores: the model with the metric appended (scored models) runs the
 *     originals, then each T_g x, and returns invariance/equivariance per (c, g, i), added into
 *     running sums; vector layers are scored over all images at the end;
 *  6. aggregation: layer, part and accuracy summaries into a `ProbeReport`.
 *
 * @example
 * const { report } = await measure({ model: 'examples/zoo/p4cnn.onnx', transforms: ['rot90'], images: 'examples/zoo/images', preset: 'fmnist' });
 * report.parts; // [{ part: 'Early', transform: 'rot90', inv: 0.41, eqv: 0.99, layers: 3 }, ...]
 */
export async function measure(options: MeasureOptions): Promise<MeasureResult> {
  // 1. Model and probes.
  const model = await loadModel(options.model);
  const input = detectInput(model.proto, model.path, options.size, options.layout);
  const transforms = [...new Set<TransformName>(options.transforms ?? ['rot90'])];
  for (const t of transforms) {
    if ((t === 'rot90' || t === 'd4') && input.height !== input.width) throw new RangeError(messages.nonSquareInput(input.height, input.width, t));
  }
  const runtime: RuntimeOptions = { threads: options.threads ?? defaultThreads(), device: options.device };
  const preprocessing = resolvePreprocessing(options, input);
  const { probes, notProbed } = await probeSet(model, input, options, { ...runtime, cache: options.cache, cacheDir: options.cacheDir });

  // 2–3. Images, labels and group elements.
  const elements = elementsFor(transforms, options.shifts ?? DEFAULT_SHIFTS, input.height);
  const shiftMode = options.shiftMode ?? 'crop';
  const margin = transforms.includes('translate') && shiftMode === 'crop' ? Math.max(...elements.get('translate')!.map((g) => g.shift)) : 0;
  const items = await selectItems(options);
  const labelSource = options.images ? labelSourceOf(options) : null;
  const labelOf = labelSource ? labeller(options, labelSource, items) : null;
  const state = options.resume ?? emptyState(probes, elements, labelOf !== null);
  const done = new Set([...state.processed, ...state.skipped.map((s) => s.file)]);
  const pending = items.filter((id) => !done.has(id));
  const config = configOf(options, [...elements.keys()], preprocessing, elements, shiftMode, labelSource, runtime.threads!);
  const run: RunDescription = {
    model: { name: options.name ?? model.name, path: model.path, sha256: model.sha256 }, input, config, probes, notProbed, elements, skippedLayers: skippedLayerReasons(probes, elements),
  };

  // Opsets 7–9 are upgraded to 10 where exact (the metric's Slice needs 10); others are refused by name.
  const scorer = await Scorer.open(upgradeForMetric(model.proto, messages.opsetTooOld), input, probes, [...elements.values()].flat(), config.similarity, config.batch, runtime);
  const engine = await MetricEngine.open(config.similarity, runtime);
  const passes = 1 + [...elements.values()].reduce((s, l) => s + l.length, 0);
  const total = items.length * passes;
  let forwardDone = (state.processed.length + state.skipped.length) * passes;
  const context: BatchContext = { scorer, input, probes, elements, shiftMode, skippedLayers: run.skippedLayers, state, onWarning: options.onWarning };
  try {
    const source = options.images
      ? imageBatches(pending, preprocessing, margin, config.batch, (file: string, reason: string) => {
          state.skipped.push({ file, reason });
          forwardDone += passes;
          options.onWarning?.(`skipped ${file}: ${reason}`);
        })
      : syntheticBatches(pending, config.seed, preprocessing, margin, config.batch);
    for await (const { files, data } of source) {
      // 3–5. Transforms, forward passes and scores for this batch.
      await processBatch(context, data, preprocessing.size + margin, (images) => {
        forwardDone += images;
        options.onProgress?.(forwardDone, total);
      });
      state.processed.push(...files);
      if (labelOf) state.labels!.push(...files.map(labelOf));
      await options.onCheckpoint?.(state);
    }
    if (options.images && state.processed.length === 0 && state.skipped.length > 0) {
      throw new Error(messages.noUsableImages(options.images, state.skipped.length));
    }
    // 6. Aggregation.
    return { report: await finalizeReport(run, state, engine), state };
  } finally {
    await scorer.release();
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

async function* syntheticBatches(ids: readonly string[], seed: number, prep: Preprocessing, margin: number, batch: number) {
  for (let start = 0; start < ids.length; start += batch) {
    const files = ids.slice(start, start + batch);
    yield { files, data: files.map((id) => syntheticImage(Number(id.slice('synthetic-'.length)), seed, prep, margin)) };
  }
}

/** Where labels come from: `--labels`, else `labels.csv` in the image folder, else class subfolders with `--classes`. */
function labelSourceOf(options: MeasureOptions): string | null {
  if (options.labels) return options.labels;
  const inFolder = path.join(options.images!, 'labels.csv');
  if (existsSync(inFolder)) return inFolder;
  return options.classes ? `folders:${options.classes}` : null;
}

/** Resolves every image's label up front, so a missing label fails before any work is done. */
function labeller(options: MeasureOptions, source: string, files: readonly string[]): (file: string) => number {
  const labels = source.startsWith('folders:')
    ? labelsFromFolders(options.images!, files, source.slice('folders:'.length))
    : labelsForFiles(readLabels(source), options.images!, files);
  const byFile = new Map(files.map((f, i) => [f, labels[i]]));
  return (file) => byFile.get(file)!;
}

function configOf(
  options: MeasureOptions,
  transforms: TransformName[],
  preprocessing: Preprocessing,
  elements: ReadonlyMap<TransformName, readonly GroupElement[]>,
  shiftMode: ShiftMode,
  labels: string | null,
  threads: number,
): MeasureConfig {
  return {
    transforms,
    images: options.images ?? null,
    synthetic: options.images ? null : (options.synthetic ?? 32),
    seed: options.seed ?? 0,
    preprocessing,
    shifts: elements.get('translate')?.map((g) => g.shift) ?? [],
    shiftMode,
    layers: options.layers ?? 'default',
    include: options.include ?? null,
    exclude: options.exclude ?? null,
    similarity: options.similarity ?? 'pearson',
    maxImages: options.maxImages ?? null,
    batch: options.batch ?? 32,
    threads,
    labels,
  };
}
