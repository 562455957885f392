import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultThreads, type RuntimeOptions } from './forward/session.js';
import { compareCodeUnits, listImageFiles } from './images/files.js';
import { labelsForFiles, labelsFromFolders, readLabels } from './images/labels.js';
import { requireChosenPreprocessing, resolvePreprocessing, type PreprocessingOptions } from './images/presets.js';
import { classFolderWarnings } from './images/class-folders.js';
import { decodeImage } from './images/decode.js';
import { groupBatches } from './images/group-batches.js';
import { nullName, nullPairs, nullPartners, pairBatches, shardPairs } from './images/null-order.js';
import { syntheticImage } from './images/source.js';
import { hasOwnViews, NULL_COLUMN, processBatch, SCORE_COLUMN, SHA256_COLUMN, type BatchContext } from './measure/batch.js';
import { imageHashes } from './images/hash.js';
import { DEFAULT_NULL_IMAGES } from './stats/chance.js';
import { rowLayout, type RowLayout } from './stats/per-image.js';
import { blockOfPair, DIRECT_LEAVE_OUT_MAX_IMAGES } from './measure/vector-chance.js';
import type { ColumnSpec } from './store/append-store.js';
import { batchDependentNodes } from './measure/batch-dependence.js';
import { Checkpoints } from './measure/checkpoints.js';
import { finalizeReport, type RunDescription } from './measure/finalize.js';
import { Scorer } from './measure/scorer.js';
import { messages } from './messages.js';
import { OptionError } from './option-error.js';
import { detectInput } from './model/input.js';
import { openModel, type LoadedModel } from './model/load.js';
import { defaultCacheDir, type DiscoveryCacheOptions } from './model/discovery-cache.js';
import { probeSet, type ProbeSelection } from './model/probes.js';
import { upgradeForMetric } from './onnx/upgrade.js';
import { BatchRows } from './measure/batch-rows.js';
import { FILE_COLUMN, PAIR_COLUMN, RunState } from './measure/run-state.js';
import { planVectors, vectorColumns, type VectorPlan } from './measure/vectors.js';
import { scratchBytes, scratchRoom } from './measure/pair-ordered-rows.js';
import { CrossProducts } from './scored-models/metric.js';
import { layerKey } from './scores/keys.js';
import { countPredictions, elementId, emptyState, originId, type MeasureState } from './scores/state.js';
import { groupElements } from './transforms/index.js';
import type { GroupElement, InputInfo, MeasureConfig, Preprocessing, ProbeInfo, ProbeReport, ShiftMode, Similarity, TransformName } from './types.js';

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
  /** Map nulls are scored on the first min(M, N) images of the null order (default 256, SPEC §4b). */
  readonly nullImages?: number;
  /** Measure only the null pairs k with k mod count = index (SPEC §8). */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Input layout, when detection must be overridden. */
  readonly layout?: 'NCHW' | 'NHWC';
  /** Called after each forward pass with passes done and total. */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Folder of the run's state (checkpoint and per-image store, SPEC §8), appended after every batch;
   * `merge` reads it. Default: a temporary folder, removed once the report is made.
   */
  readonly stateDir?: string;
  /** Continue the interrupted run whose state is in `stateDir` (same options required). */
  readonly resume?: boolean;
  /**
   * Called after each checkpoint is committed, with the number of images it holds (measured and
   * skipped). Checkpoints are committed by time (see `CommitClock`), after the last batch, and
   * after a batch when `checkpointNow` says so.
   */
  readonly onCheckpoint?: (saved: number) => Promise<void> | void;
  /** Asked after each batch: true commits the checkpoint now (the CLI does once SIGTERM/SIGINT came in). */
  readonly checkpointNow?: () => boolean;
  /** Receives warnings (flagged layers, skipped images). */
  readonly onWarning?: (message: string) => void;
}

/** A measurement's report together with the state it was computed from (for shards and checkpoints). */
export interface MeasureResult {
  readonly report: ProbeReport;
  /** The fixed-size state; per-image data is in the store under `stateDir`. */
  readonly state: MeasureState;
  /** Where the state is kept, or null when it was temporary (no `stateDir` given) and is gone. */
  readonly stateDir: string | null;
}

/** Hash of the options that change the numbers: a run resumes only with the same. */
export function fingerprintOf(options: MeasureOptions): string {
  const { threads: _t, batch: _b, cache: _k, cacheDir: _d, onProgress: _p, onCheckpoint: _c, checkpointNow: _n, onWarning: _w, resume: _r, stateDir: _s, ...rest } = options;
  return createHash('sha256').update(JSON.stringify({ ...rest, model: path.resolve(rest.model) })).digest('hex');
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
 * @throws OptionError when `images` is given without `preset`, `mean` or `std` (see
 *   `requireChosenPreprocessing`), and for other bad options; Error for bad models and images
 * @example
 * const result = await measure({ model: 'examples/zoo/p4cnn.onnx', transforms: ['rot90'], images: 'examples/zoo/images', preset: 'fmnist' });
 * result.report.parts[0]; // { part: 'Early', transform: 'rot90', inv: 0.06…, eqv: 1.000…, layers: 4, … } (`equiprobe measure` prints the same)
 * await writeResult('results/p4cnn', result); // the files `equiprobe measure` writes
 */
export async function measure(options: MeasureOptions): Promise<MeasureResult> {
  if (options.images !== undefined) requireChosenPreprocessing(options, options.images);
  // 1. Model and probes.
  // A model seen before is not read: its graph and SHA-256 come from the cache, its weights only if needed.
  const model = await openModel(options.model, options);
  const input = detectInput(model.proto, model.path, options.size, options.layout);
  const transforms = [...new Set<TransformName>(options.transforms ?? ['rot90'])];
  for (const t of transforms) {
    if ((t === 'rot90' || t === 'd4') && input.height !== input.width) throw new RangeError(messages.nonSquareInput(input.height, input.width, t));
  }
  const runtime: RuntimeOptions = { threads: options.threads ?? defaultThreads(), device: options.device };
  const preprocessing = resolvePreprocessing(options, input);
  const { probes, notProbed } = await probeSet(model, input, options, { ...runtime, cache: options.cache, cacheDir: options.cacheDir });

  // 2–3. Images, labels and group elements.
  // Shifts are clipped to s < min(H, W)/2 (SPEC §2 says H/2 for square inputs), so both axes keep an overlap.
  const elements = elementsFor(transforms, options.shifts ?? DEFAULT_SHIFTS, Math.min(input.height, input.width));
  const shiftMode = options.shiftMode ?? 'crop';
  const margin = transforms.includes('translate') && shiftMode === 'crop' ? Math.max(...elements.get('translate')!.map((g) => g.shift)) : 0;
  // The shard's null pairs (SPEC §4b, §8), measured in null order in batches of whole pairs.
  const all = await selectItems(options);
  const allPairs = nullPairs(all, (id) => nullName(options.images ?? null, id));
  const pairs = shardPairs(allPairs, options.shard);
  const partners = nullPartners(allPairs);
  const nullSet = new Set(allPairs.flatMap((p) => p.images).slice(0, options.nullImages ?? DEFAULT_NULL_IMAGES));
  const pairOf = new Map(pairs.flatMap((p) => p.images.map((id) => [id, p.k] as const)));
  const items = pairs.flatMap((p) => p.images);
  const labelSource = options.images ? labelSourceOf(options) : null;
  const labelOf = labelSource ? labeller(options, labelSource, [...items].sort(compareCodeUnits)) : null;
  const ownViews = transforms.filter((t) => hasOwnViews(t, shiftMode));
  const config = configOf(options, [...elements.keys()], preprocessing, elements, shiftMode, labelSource, runtime.threads!);
  const run: RunDescription = {
    model: { name: options.name ?? model.name, path: model.path, sha256: model.sha256 }, input, config, probes, notProbed, elements, skippedLayers: skippedLayerReasons(probes, elements),
  };

  // The state: fixed-size sums and co-moments, and the per-image store (SPEC §8, §4b).
  const layout = rowLayout(probes, elements);
  const ids = [...elements].flatMap(([t, list]) => list.map((g) => elementId(t, g.key)));
  const plans = planVectors(probes, ids.length, all.length);
  await warnScratchRoom(plans, all.length, items.length, options.onWarning);
  const stateDir = options.stateDir ?? (await mkdtemp(path.join(tmpdir(), 'equiprobe-state-')));
  const runState = options.resume
    ? await RunState.open(stateDir, { writable: true, fingerprint: fingerprintOf(options) })
    : await RunState.create(
        stateDir,
        fingerprintOf(options),
        emptyState(probes, elements, labelOf !== null, new Set(plans.filter((p) => p.mode === 'moments').map((p) => p.probe.name)), config.similarity === 'pearson', ownViews, Math.floor(all.length / 2)),
        [...vectorColumns(plans, [...ownViews.map(originId), ...ids]), ...perImageColumns(layout)],
      );
  const state = runState.state;
  const done = new Set([...(await runState.measuredFiles()), ...state.skipped.map((s) => s.file)]);
  const pending = pairBatches(pairs, config.batch)
    .map((group) => group.filter((id) => !done.has(id)))
    .filter((group) => group.length > 0);

  const scorer = await openScorer(model, input, probes, [...elements.values()].flat(), config.similarity, config.batch, runtime, options.cache === false ? null : (options.cacheDir ?? defaultCacheDir()));
  let succeeded = false;
  // Checkpoints by time (CommitClock), after the last batch and when asked to stop; most in the background.
  const saved = () => state.images + state.skipped.length;
  const checkpoints = new Checkpoints(() => runState.commit(), options.onCheckpoint, saved());
  const products = new CrossProducts(runtime);
  const passes = 1 + ownViews.length + ids.length;
  const total = items.length * passes;
  let forwardDone = done.size * passes;
  const context: BatchContext = {
    scorer, input, probes, elements, shiftMode, margin, skippedLayers: run.skippedLayers, state, vectors: new Map(plans.map((p) => [p.index, p.mode])), product: products.product,
    layout,
    nullPartner: (id) => (nullSet.has(id) ? partners.get(id) : undefined),
    partnerOf: (id) => partners.get(id),
    blockOf: (id) => blockOfPair(pairOf.get(id)!, state.pairs),
    onWarning: options.onWarning,
  };
  try {
    // The standard view, and translate's own enlarged view in crop mode (SPEC §2).
    const decode = options.images
      ? async (file: string) => {
          const [standard, shifted] = await Promise.all([decodeImage(file, preprocessing, 0), margin > 0 ? decodeImage(file, preprocessing, margin) : null]);
          return { standard: standard.data, shifted: shifted?.data ?? null, conversion: standard.conversion as string | null };
        }
      : async (id: string) => {
          const index = Number(id.slice('synthetic-'.length));
          return { standard: syntheticImage(index, config.seed, preprocessing, 0), shifted: margin > 0 ? syntheticImage(index, config.seed, preprocessing, margin) : null, conversion: null };
        };
    const source = groupBatches(pending, decode, (file, reason) => {
      state.skipped.push({ file, reason });
      forwardDone += passes;
      options.onWarning?.(`skipped ${file}: ${reason}`);
    });
    for await (const { files, data } of source) {
      // 3–5. Transforms, forward passes and scores for this batch.
      const rows = new BatchRows();
      const views = { standard: data.map((d) => d.standard), shifted: data.flatMap((d) => (d.shifted ? [d.shifted] : [])) };
      await processBatch(context, files, views, rows, (images) => {
        forwardDone += images;
        options.onProgress?.(forwardDone, total);
      });
      state.images += files.length;
      for (const { conversion: c } of data) if (c !== null) (state.conversions ??= {})[c] = (state.conversions[c] ?? 0) + 1;
      if (labelOf) countPredictions(state.accuracy!, rows.predictions, files.map(labelOf));
      const hashes = await imageHashes(files, options.images ? null : { seed: config.seed, preprocessing });
      await runState.append(rows.values({ [FILE_COLUMN]: files, [PAIR_COLUMN]: Int32Array.from(files, (f) => pairOf.get(f)!), [SHA256_COLUMN]: hashes }));
      await checkpoints.afterBatch(saved(), options.checkpointNow?.() ?? false);
    }
    if (options.images && state.images === 0 && state.skipped.length > 0) {
      throw new OptionError((o) => messages.noUsableImages(o, options.images!, state.skipped.length));
    }
    // The batches since the last commit, and files skipped after it.
    await checkpoints.finish(saved());
    // The end needs no model: its memory (a 20,000-class head's weights in every scored model) goes before the end's own.
    await scorer.release();
    // 6. Aggregation.
    const finished = await finalizeReport(run, state, [runState.rows], products.product, options.onWarning);
    const dependent = batchDependentNodes(model.proto);
    const report = dependent.length > 0 ? { ...finished, warnings: [...finished.warnings, messages.batchDependent(dependent)] } : finished;
    if (dependent.length > 0) options.onWarning?.(messages.batchDependent(dependent));
    succeeded = true;
    return { report, state, stateDir: options.stateDir ?? null };
  } finally {
    // A run stopped by an error may have a batch's rows or a commit still being written into its state folder.
    await checkpoints.settle();
    await runState.settle();
    await scorer.release();
    await products.release();
    // After the run, with its sessions released: the next run of this model and probe set opens the optimised models.
    if (succeeded) await scorer.writeCache();
    if (!options.stateDir) await rm(stateDir, { recursive: true, force: true });
  }
}

/**
 * The scored models of a measurement (`Scorer.open`) for a model from `openModel`: its graph,
 * upgraded for the metric where needed (opsets 7–9 to 10 where exact; others refused by name), and
 * its weights read only for a scored model the cache does not hold.
 */
export async function openScorer(model: LoadedModel, input: InputInfo, probes: readonly ProbeInfo[], elements: readonly GroupElement[], similarity: Similarity, batch: number, runtime: RuntimeOptions, cacheDir: string | null): Promise<Scorer> {
  const upgraded = upgradeForMetric(model.proto, messages.opsetTooOld);
  // The SHA-256 names the cached scored models only for the file's own graph (an upgraded copy is named by its bytes).
  const weights = { sha256: upgraded === model.proto ? model.sha256 : undefined, weights: async () => upgradeForMetric(await model.weights(), messages.opsetTooOld) };
  return Scorer.open(upgraded, input, probes, elements, similarity, batch, runtime, cacheDir, weights);
}

/**
 * Warns at the start when the end of the run (a run of over `DIRECT_LEAVE_OUT_MAX_IMAGES` images,
 * vectors kept per image) would not find room for its scratch copy of the widest such layer.
 *
 * @param runImages - images of the whole run; `images` - of this shard
 */
async function warnScratchRoom(plans: readonly VectorPlan[], runImages: number, images: number, onWarning?: (message: string) => void): Promise<void> {
  const widest = Math.max(0, ...plans.filter((p) => p.mode === 'rows').map((p) => p.probe.channels));
  if (widest === 0 || runImages <= DIRECT_LEAVE_OUT_MAX_IMAGES) return;
  const need = scratchBytes(images, widest);
  const room = await scratchRoom();
  if (room.free !== null && room.free < need) onWarning?.(messages.scratchRoom(room.dir, Math.ceil(need / 2 ** 20), Math.floor(room.free / 2 ** 20)));
}

/** Per-image store columns of SPEC §4b: each file's SHA-256 and, with map layers, their score and null rows. */
function perImageColumns(layout: RowLayout): ColumnSpec[] {
  const rows: ColumnSpec[] = layout.width > 0 ? [{ name: SCORE_COLUMN, type: 'float64', width: layout.width }, { name: NULL_COLUMN, type: 'float64', width: layout.width }] : [];
  return [{ name: SHA256_COLUMN, type: 'text', width: 1 }, ...rows];
}

/** The run's images in SPEC §8 order, cut by max images; warns about class folders (see class-folders.ts). */
async function selectItems(options: MeasureOptions): Promise<string[]> {
  let items: string[];
  if (options.images) {
    items = await listImageFiles(options.images);
    const taken = Math.min(items.length, options.maxImages ?? items.length);
    for (const w of classFolderWarnings(options.images, items, taken, labelSourceOf(options) !== null)) options.onWarning?.(w);
  } else {
    const n = options.synthetic ?? 32;
    items = Array.from({ length: n }, (_, i) => `synthetic-${String(i).padStart(6, '0')}`);
  }
  if (options.maxImages !== undefined) items = items.slice(0, options.maxImages);
  return items;
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
    nullImages: options.nullImages ?? DEFAULT_NULL_IMAGES,
    threads,
    labels,
    shard: options.shard ?? null,
  };
}
