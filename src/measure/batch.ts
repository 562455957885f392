import { messages } from '../messages.js';
import { addChunk, type CrossProduct } from '../scores/co-moments.js';
import { addPairScores } from '../scores/pairs.js';
import { elementId, originId, type MeasureState } from '../scores/state.js';
import { cropOriginal, shiftImage, transformInput } from '../transforms/index.js';
import type { GroupElement, InputInfo, ProbeInfo, ShiftMode, TransformName } from '../types.js';
import type { BatchRows } from './batch-rows.js';
import type { PassResult, Scorer } from './scorer.js';
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
  readonly onWarning?: (message: string) => void;
}

/** Key of `skippedLayers`. */
export function layerKey(probe: string, transform: TransformName): string {
  return `${probe}\u0000${transform}`;
}

/**
 * Keeps a chunk's vectors of one element (SPEC §8): appended per image for probes kept that way,
 * folded into the co-moments with the untransformed images' vectors (`base`) otherwise.
 */
async function keepVectors(ctx: BatchContext, rows: BatchRows, id: string, moved: PassResult, base: PassResult, n: number): Promise<void> {
  for (const [i, v] of moved.vectors) {
    const name = ctx.probes[i].name;
    if (ctx.vectors.get(i) === 'rows') rows.push(vectorColumn(name, id), v);
    else if (!ctx.state.nonFinite.includes(name)) await addChunk(ctx.state.moments[name][id], v, base.vectors.get(i)!, n, ctx.product);
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
 * `scorer.chunk` images. Map layers add into the running sums; vector layers add into their
 * co-moments or go to `rows` per image, as does every predicted class. Rotations, flips, accuracy
 * and the roll/zero shifts start from the standard view; translate in crop mode from its own
 * enlarged view, whose (0,0) crop is its x (one more untransformed pass), so no transform's images
 * depend on the others of the run (SPEC §2).
 *
 * @param views - per image the standard view (CHW, H×W) and, in crop mode, translate's enlarged
 *   view ((H + margin)×(W + margin)); `shifted` is empty otherwise
 * @param rows - receives the batch's per-image values
 * @param tick - called after each forward pass with the number of images it ran (progress)
 */
export async function processBatch(
  ctx: BatchContext,
  views: { readonly standard: readonly Float32Array[]; readonly shifted: readonly Float32Array[] },
  rows: BatchRows,
  tick: (images: number) => void,
): Promise<void> {
  const { input, state, scorer } = ctx;
  const [H, W, C] = [input.height, input.width, input.channels];
  const [bigH, bigW] = [H + ctx.margin, W + ctx.margin];
  for (let start = 0; start < views.standard.length; start += scorer.chunk) {
    const chunk = views.standard.slice(start, start + scorer.chunk);
    const enlarged = views.shifted.slice(start, start + scorer.chunk);
    const n = chunk.length;
    const original = await runUntransformed(ctx, chunk, 'original', rows, tick);
    for (const [t, list] of ctx.elements) {
      const own = hasOwnViews(t, ctx.shiftMode);
      const base = own ? await runUntransformed(ctx, enlarged.map((src) => cropOriginal(src, C, bigH, bigW, H, W)), originId(t), rows, tick) : original;
      for (const g of list) {
        const images = own ? enlarged.map((src) => shiftImage(src, C, bigH, bigW, g.shift, H, W, 'crop')) : chunk.map((src) => transformInput(src, C, H, W, g, H, W, ctx.shiftMode));
        const moved = await scorer.runElement(images, g, base.pass);
        tick(n);
        flagNonFinite(ctx, moved);
        const id = elementId(t, g.key);
        rows.predict(id, moved.predicted);
        await keepVectors(ctx, rows, id, moved, base.result, n);
        for (const [i, scores] of moved.scores) {
          const probe = ctx.probes[i];
          if (ctx.skippedLayers.has(layerKey(probe.name, t)) || state.nonFinite.includes(probe.name)) continue;
          const sums = state.maps[probe.name][t][g.key];
          addPairScores(scores, probe.channels, sums.inv, sums.eqv);
        }
      }
    }
  }
}
