import { messages } from '../messages.js';
import { addChunk, type CrossProduct } from '../scores/co-moments.js';
import type { PairScores } from '../scored-models/metric.js';
import { addPairScores } from '../scores/pairs.js';
import { elementId, originId, type MeasureState } from '../scores/state.js';
import { emptySums, mergeSums, type ScoreSums } from '../scores/sums.js';
import type { RowLayout } from '../stats/per-image.js';
import { blockMomentsId, layerKey, nullMomentsId } from '../scores/keys.js';
import { cropOriginal, shiftImage, transformInput } from '../transforms/index.js';
import type { GroupElement, InputInfo, ProbeInfo, ShiftMode, TransformName } from '../types.js';
import type { BatchRows } from './batch-rows.js';
import type { OriginalPass, PassResult, Scorer } from './scorer.js';
import { vectorColumn, type VectorPlan } from './vectors.js';

/** What processing one batch needs; built once per run by `measure`. */
export interface BatchContext {
  readonly scorer: Scorer;
  readonly input: InputInfo;
  readonly probes: readonly ProbeInfo[];
  readonly elements: ReadonlyMap<TransformName, readonly GroupElement[]>;
  readonly shiftMode: ShiftMode;
  /** Extra pixels per side of translate's enlarged views (crop mode), else 0. */
  readonly margin: number;
  /** `probe\0transform` → reason, for layers a transform cannot score. */
  readonly skippedLayers: ReadonlyMap<string, string>;
  readonly state: MeasureState;
  /** Probe index → how the vector probe keeps its data (SPEC §8). */
  readonly vectors: ReadonlyMap<number, VectorPlan['mode']>;
  /** Cross products for the co-moments of vector probes. */
  readonly product: CrossProduct;
  /** Per-image row layout of the map layers (SPEC §4b). */
  readonly layout: RowLayout;
  /** Image id → its null partner, for the images whose map null is scored (the first M of the null order). */
  readonly nullPartner: (id: string) => string | undefined;
  /** Image id → its null partner, for every paired image (vector nulls). */
  readonly partnerOf: (id: string) => string | undefined;
  /** Image id → its jackknife block (SPEC §4b: 20 blocks of consecutive null pairs). */
  readonly blockOf: (id: string) => number;
  readonly onWarning?: (message: string) => void;
}

/** Store columns of the per-image map rows: scores and null scores (NaN outside the null set), and each file's SHA-256. */
export const SCORE_COLUMN = 'scores';
export const NULL_COLUMN = 'null';
export const SHA256_COLUMN = 'sha256';

/**
 * Keeps a chunk's vectors of one element (SPEC §8): appended per image for probes kept that way,
 * folded into the co-moments with the untransformed images' vectors (`base`) otherwise, and then
 * also into the co-moments of each image's jackknife block and of the null (SPEC §4b).
 */
async function keepVectors(ctx: BatchContext, rows: BatchRows, id: string, moved: PassResult, base: PassResult, ids: readonly string[]): Promise<void> {
  const n = ids.length;
  for (const [i, v] of moved.vectors) {
    const name = ctx.probes[i].name;
    if (ctx.vectors.get(i) === 'rows') rows.push(vectorColumn(name, id), v);
    else if (!ctx.state.nonFinite.includes(name)) {
      const k = ctx.probes[i].channels;
      const b = base.vectors.get(i)!;
      const moments = ctx.state.moments[name];
      await addChunk(moments[id], v, b, n, ctx.product);
      const byBlock = new Map<number, number[]>();
      ids.forEach((image, j) => byBlock.set(ctx.blockOf(image), [...(byBlock.get(ctx.blockOf(image)) ?? []), j]));
      for (const [block, members] of byBlock) await addChunk(moments[blockMomentsId(id, block)], gatherRows(v, members, k), gatherRows(b, members, k), members.length, ctx.product);
      // v′(x_j) against v(x_partner(j)), both directions of each pair in the chunk.
      const paired = ids.flatMap((image, j) => {
        const at = ids.indexOf(ctx.partnerOf(image) ?? '');
        return at < 0 ? [] : [[j, at] as const];
      });
      await addChunk(moments[nullMomentsId(id)], gatherRows(v, paired.map(([j]) => j), k), gatherRows(b, paired.map(([, p]) => p), k), paired.length, ctx.product);
    }
  }
}

/** Rows `indices` of n × k image-major values. */
function gatherRows(values: Float32Array, indices: readonly number[], k: number): Float32Array {
  const out = new Float32Array(indices.length * k);
  indices.forEach((from, j) => out.set(values.subarray(from * k, (from + 1) * k), j * k));
  return out;
}

/**
 * Chunks of at most `size` consecutive images that do not split a null pair (images come in null
 * order, partners next to each other), unless a chunk holds one image.
 *
 * @returns [start, end) index ranges
 */
export function pairChunks(ids: readonly string[], size: number, partnerOf: (id: string) => string | undefined): [number, number][] {
  const out: [number, number][] = [];
  for (let start = 0; start < ids.length; ) {
    let end = Math.min(start + size, ids.length);
    if (end < ids.length && end - 1 > start && partnerOf(ids[end - 1]) === ids[end]) end -= 1;
    out.push([start, end]);
    start = end;
  }
  return out;
}

/** Image `image`'s rows of a chunk's pair scores. */
function imageScores(s: PairScores, image: number, k: number): PairScores {
  const [from, to] = [image * k, (image + 1) * k];
  return { inv: s.inv.subarray(from, to), eqv: s.eqv.subarray(from, to), marginA: s.marginA.subarray(from, to), marginB: s.marginB.subarray(from, to) };
}

/**
 * Adds each image's scores of one element run into its per-image row (sum and count of its defined
 * inv and eqv scores, SPEC §4b) and, when `running`, into the layer's running sums.
 *
 * @param rows - n rows of `layout.width`, image-major
 */
function addImageScores(ctx: BatchContext, result: PassResult, transform: TransformName, key: string, rows: Float64Array, running: boolean): void {
  const width = ctx.layout.width;
  for (const [i, scores] of result.scores) {
    const probe = ctx.probes[i];
    if (ctx.skippedLayers.has(layerKey(probe.name, transform)) || ctx.state.nonFinite.includes(probe.name)) continue;
    const offset = ctx.layout.layers.find((l) => l.probe === probe.name && l.transform === transform)!.offsets.get(key)!;
    const total = ctx.state.maps[probe.name][transform][key];
    for (let image = 0; image * width < rows.length; image++) {
      const one: { inv: ScoreSums; eqv: ScoreSums } = { inv: emptySums(), eqv: emptySums() };
      addPairScores(imageScores(scores, image, probe.channels), probe.channels, one.inv, one.eqv);
      const at = image * width + offset;
      rows[at] += one.inv.sum;
      rows[at + 1] += one.inv.n;
      rows[at + 2] += one.eqv.sum;
      rows[at + 3] += one.eqv.n;
      if (running) {
        mergeSums(total.inv, one.inv);
        mergeSums(total.eqv, one.eqv);
      }
    }
  }
}

/** Flags probes that held NaN or ±Inf (once, with a warning); they are left out of every score. */
function flagNonFinite(ctx: BatchContext, result: PassResult): void {
  for (const [i, finite] of result.finite) {
    const name = ctx.probes[i].name;
    if (!finite && !ctx.state.nonFinite.includes(name)) {
      ctx.state.nonFinite.push(name);
      ctx.onWarning?.(messages.nonFinite(name));
    }
  }
}

/** Whether a transform starts from its own views rather than the standard view (SPEC §2: translate in crop mode). */
export function hasOwnViews(transform: TransformName, shiftMode: ShiftMode): boolean {
  return transform === 'translate' && shiftMode === 'crop';
}

/** Runs an untransformed chunk and keeps its predictions and per-image vectors under `id` ('original' or `originId`). */
async function runUntransformed(ctx: BatchContext, images: readonly Float32Array[], id: string, rows: BatchRows, tick: (images: number) => void) {
  const run = await ctx.scorer.runOriginal(images);
  tick(images.length);
  flagNonFinite(ctx, run.result);
  rows.predict(id, run.result.predicted);
  for (const [i, v] of run.result.vectors) if (ctx.vectors.get(i) === 'rows') rows.push(vectorColumn(ctx.probes[i].name, id), v);
  return run;
}

/**
 * Stages 3–5 for one batch of images: transforms, forward passes and scores, in chunks of
 * `scorer.chunk` images that keep null pairs together. Map layers add into the running sums and
 * each image's row; vector layers add into their co-moments or go to `rows` per image, as does
 * every predicted class. Rotations, flips, accuracy and the roll/zero shifts start from the
 * standard view; translate in crop mode from its own enlarged view, whose (0,0) crop is its x (one
 * more untransformed pass), so no transform's images depend on the others of the run (SPEC §2).
 * Images of the map null set whose partner is in the same chunk also run each element against
 * their partner's untransformed features (SPEC §4b chance level): one more element run of those
 * images per g.
 *
 * @param files - image ids, in the order of the views
 * @param views - per image the standard view (CHW, H×W) and, in crop mode, translate's enlarged
 *   view ((H + margin)×(W + margin)); `shifted` is empty otherwise
 * @param rows - receives the batch's per-image values
 * @param tick - called after each forward pass with the number of images it ran (progress)
 */
export async function processBatch(
  ctx: BatchContext,
  files: readonly string[],
  views: { readonly standard: readonly Float32Array[]; readonly shifted: readonly Float32Array[] },
  rows: BatchRows,
  tick: (images: number) => void,
): Promise<void> {
  const { input, state, scorer } = ctx;
  const [H, W, C] = [input.height, input.width, input.channels];
  const [bigH, bigW] = [H + ctx.margin, W + ctx.margin];
  const width = ctx.layout.width;
  for (const [start, end] of pairChunks(files, scorer.chunk, ctx.partnerOf)) {
    const chunk = views.standard.slice(start, end);
    const enlarged = views.shifted.slice(start, end);
    const ids = files.slice(start, end);
    const n = chunk.length;
    const members: number[] = [];
    const partners: number[] = [];
    ids.forEach((id, j) => {
      const partner = ctx.nullPartner(id);
      if (partner === undefined) return;
      const at = ids.indexOf(partner);
      if (at < 0) state.nullMissing += 1;
      else {
        members.push(j);
        partners.push(at);
      }
    });
    const scoreRows = new Float64Array(n * width);
    const memberRows = new Float64Array(members.length * width);
    const original = await runUntransformed(ctx, chunk, 'original', rows, tick);
    for (const [t, list] of ctx.elements) {
      const own = hasOwnViews(t, ctx.shiftMode);
      const base = own ? await runUntransformed(ctx, enlarged.map((data) => cropOriginal({ data, channels: C, height: bigH, width: bigW }, { height: H, width: W })), originId(t), rows, tick) : original;
      const partnerPass: OriginalPass | null = members.length > 0 ? scorer.partnerPass(base.pass, partners) : null;
      for (const g of list) {
        const images = own
          ? enlarged.map((data) => shiftImage({ data, channels: C, height: bigH, width: bigW }, g.shift, { height: H, width: W, mode: 'crop' }))
          : chunk.map((data) => transformInput({ data, channels: C, height: H, width: W }, g, { height: H, width: W, mode: ctx.shiftMode }));
        const moved = await scorer.runElement(images, g, base.pass);
        tick(n);
        flagNonFinite(ctx, moved);
        const id = elementId(t, g.key);
        rows.predict(id, moved.predicted);
        await keepVectors(ctx, rows, id, moved, base.result, ids);
        addImageScores(ctx, moved, t, g.key, scoreRows, true);
        if (partnerPass) addImageScores(ctx, await scorer.runElement(members.map((j) => images[j]), g, partnerPass), t, g.key, memberRows, false);
      }
    }
    if (width === 0) continue;
    rows.push(SCORE_COLUMN, scoreRows);
    const nullRows = new Float64Array(n * width).fill(NaN);
    members.forEach((j, m) => nullRows.set(memberRows.subarray(m * width, (m + 1) * width), j * width));
    rows.push(NULL_COLUMN, nullRows);
  }
}
