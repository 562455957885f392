import { messages } from '../messages.js';
import type { PairScores } from '../scores/metric.js';
import { addPairScores } from '../scores/pairs.js';
import { elementId, type MeasureState } from '../scores/state.js';
import { emptySums, mergeSums, type ScoreSums } from '../scores/sums.js';
import type { RowLayout } from '../stats/per-image.js';
import { cropOriginal, transformInput } from '../transforms/index.js';
import type { GroupElement, InputInfo, ProbeInfo, ShiftMode, TransformName } from '../types.js';
import type { PassResult, Scorer } from './scorer.js';

/** What processing one batch needs; built once per run by `measure`. */
export interface BatchContext {
  readonly scorer: Scorer;
  readonly input: InputInfo;
  readonly probes: readonly ProbeInfo[];
  readonly elements: ReadonlyMap<TransformName, readonly GroupElement[]>;
  readonly shiftMode: ShiftMode;
  /** `probe\0transform` → reason, for layers a transform cannot score. */
  readonly skippedLayers: ReadonlyMap<string, string>;
  readonly state: MeasureState;
  /** Per-image row layout (SPEC §4b); offsets by probe name and transform. */
  readonly layout: RowLayout;
  /** Image id → its null partner, for the images whose null is scored (the first M of the null order). */
  readonly nullPartner: (id: string) => string | undefined;
  readonly onWarning?: (message: string) => void;
}

/** Key of `skippedLayers`. */
export function layerKey(probe: string, transform: TransformName): string {
  return `${probe}\u0000${transform}`;
}

/** Splits a batch of vectors into one plain array per image (stored in the state). */
function vectorRows(batch: Float32Array, n: number, k: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(batch.subarray(i * k, (i + 1) * k)));
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
 * inv and eqv scores, SPEC §4b) and, when given, into the layer's running sums.
 */
function addImageScores(ctx: BatchContext, result: PassResult, transform: TransformName, key: string, rows: Float64Array[], running: boolean): void {
  for (const [i, scores] of result.scores) {
    const probe = ctx.probes[i];
    if (ctx.skippedLayers.has(layerKey(probe.name, transform)) || ctx.state.nonFinite.includes(probe.name)) continue;
    const offset = offsetOf(ctx.layout, probe.name, transform, key);
    const total = ctx.state.maps[probe.name][transform][key];
    rows.forEach((row, image) => {
      const one: { inv: ScoreSums; eqv: ScoreSums } = { inv: emptySums(), eqv: emptySums() };
      addPairScores(imageScores(scores, image, probe.channels), probe.channels, one.inv, one.eqv);
      row[offset] += one.inv.sum;
      row[offset + 1] += one.inv.n;
      row[offset + 2] += one.eqv.sum;
      row[offset + 3] += one.eqv.n;
      if (running) {
        mergeSums(total.inv, one.inv);
        mergeSums(total.eqv, one.eqv);
      }
    });
  }
}

function offsetOf(layout: RowLayout, probe: string, transform: TransformName, key: string): number {
  return layout.layers.find((l) => l.probe === probe && l.transform === transform)!.offsets.get(key)!;
}

/**
 * Stages 3–5 for one batch of source images: transforms, forward passes and scores, in chunks of
 * `scorer.chunk` images (rounded down to whole pairs). Map layers add into the running sums and
 * each image's row; vector layers and predictions are stored per image. Images of the null set
 * whose partner is in the same chunk also run each element against their partner's features
 * (SPEC §4b chance level): one more element run of those images per g.
 *
 * @param files - image ids of `sources`, in the same order
 * @param sources - CHW source images of side `sourceSize` (input size plus the crop-mode margin)
 * @param tick - called after each forward pass with the number of images it ran (progress)
 */
export async function processBatch(ctx: BatchContext, files: readonly string[], sources: readonly Float32Array[], sourceSize: number, tick: (images: number) => void): Promise<void> {
  const { input, state, scorer } = ctx;
  for (const [start, end] of pairChunks(files, scorer.chunk, ctx.nullPartner)) {
    const chunk = sources.slice(start, end);
    const ids = files.slice(start, end);
    const n = chunk.length;
    const rows = ids.map(() => new Float64Array(ctx.layout.width));
    const members: number[] = [];
    const partners: number[] = [];
    ids.forEach((id, j) => {
      const partner = ctx.nullPartner(id);
      if (partner === undefined) return;
      const at = ids.indexOf(partner);
      if (at < 0) state.nullMissing.push(id);
      else {
        members.push(j);
        partners.push(at);
      }
    });
    const nullRows = members.map(() => new Float64Array(ctx.layout.width));
    const original = await scorer.runOriginal(chunk.map((src) => cropOriginal(src, input.channels, sourceSize, sourceSize, input.height, input.width)));
    tick(n);
    flagNonFinite(ctx, original.result);
    const partnerPass = members.length > 0 ? scorer.partnerPass(original.pass, partners) : null;
    state.predictions.original.push(...original.result.predicted);
    for (const [i, v] of original.result.vectors) state.vectors[ctx.probes[i].name].original.push(...vectorRows(v, n, ctx.probes[i].channels));
    for (const [t, list] of ctx.elements) {
      for (const g of list) {
        const images = chunk.map((src) => transformInput(src, input.channels, sourceSize, sourceSize, g, input.height, input.width, ctx.shiftMode));
        const moved = await scorer.runElement(images, g, original.pass);
        tick(n);
        flagNonFinite(ctx, moved);
        const id = elementId(t, g.key);
        state.predictions[id].push(...moved.predicted);
        for (const [i, v] of moved.vectors) state.vectors[ctx.probes[i].name][id].push(...vectorRows(v, n, ctx.probes[i].channels));
        addImageScores(ctx, moved, t, g.key, rows, true);
        if (partnerPass) addImageScores(ctx, await scorer.runElement(members.map((j) => images[j]), g, partnerPass), t, g.key, nullRows, false);
      }
    }
    state.perImage.push(...rows.map((r) => Array.from(r)));
    const nulls: (number[] | null)[] = ids.map(() => null);
    members.forEach((j, m) => (nulls[j] = Array.from(nullRows[m])));
    state.perImageNull.push(...nulls);
  }
}
