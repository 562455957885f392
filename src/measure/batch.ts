import { messages } from '../messages.js';
import { addPairScores } from '../scores/pairs.js';
import { elementId, originId, type MeasureState } from '../scores/state.js';
import { cropOriginal, shiftImage, transformInput } from '../transforms/index.js';
import type { GroupElement, InputInfo, ProbeInfo, ShiftMode, TransformName } from '../types.js';
import type { PassResult, Scorer } from './scorer.js';

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

/** Whether a transform starts from its own views rather than the standard view (SPEC §2: translate in crop mode). */
export function hasOwnViews(transform: TransformName, shiftMode: ShiftMode): boolean {
  return transform === 'translate' && shiftMode === 'crop';
}

/** Runs an untransformed chunk and stores its predictions and vectors under `id` ('original' or `originId`). */
async function runUntransformed(ctx: BatchContext, images: readonly Float32Array[], id: string, tick: (images: number) => void) {
  const run = await ctx.scorer.runOriginal(images);
  tick(images.length);
  flagNonFinite(ctx, run.result);
  ctx.state.predictions[id].push(...run.result.predicted);
  for (const [i, v] of run.result.vectors) ctx.state.vectors[ctx.probes[i].name][id].push(...vectorRows(v, images.length, ctx.probes[i].channels));
  return run.pass;
}

/**
 * Stages 3–5 for one batch of images: transforms, forward passes and scores, in chunks of
 * `scorer.chunk` images. Map layers add into the running sums; vector layers and predictions are
 * stored per image. Rotations, flips, accuracy and the roll/zero shifts start from the standard
 * view; translate in crop mode from its own enlarged view, whose (0,0) crop is its x (one more
 * untransformed pass), so no transform's images depend on the others of the run (SPEC §2).
 *
 * @param views - per image the standard view (CHW, H×W) and, in crop mode, translate's enlarged
 *   view ((H + margin)×(W + margin)); `shifted` is empty otherwise
 * @param tick - called after each forward pass with the number of images it ran (progress)
 */
export async function processBatch(ctx: BatchContext, views: { readonly standard: readonly Float32Array[]; readonly shifted: readonly Float32Array[] }, tick: (images: number) => void): Promise<void> {
  const { input, state, scorer } = ctx;
  const [H, W, C] = [input.height, input.width, input.channels];
  const [bigH, bigW] = [H + ctx.margin, W + ctx.margin];
  for (let start = 0; start < views.standard.length; start += scorer.chunk) {
    const chunk = views.standard.slice(start, start + scorer.chunk);
    const enlarged = views.shifted.slice(start, start + scorer.chunk);
    const n = chunk.length;
    const original = await runUntransformed(ctx, chunk, 'original', tick);
    for (const [t, list] of ctx.elements) {
      const own = hasOwnViews(t, ctx.shiftMode);
      const base = own ? await runUntransformed(ctx, enlarged.map((src) => cropOriginal(src, C, bigH, bigW, H, W)), originId(t), tick) : original;
      for (const g of list) {
        const images = own ? enlarged.map((src) => shiftImage(src, C, bigH, bigW, g.shift, H, W, 'crop')) : chunk.map((src) => transformInput(src, C, H, W, g, H, W, ctx.shiftMode));
        const moved = await scorer.runElement(images, g, base);
        tick(n);
        flagNonFinite(ctx, moved);
        const id = elementId(t, g.key);
        state.predictions[id].push(...moved.predicted);
        for (const [i, v] of moved.vectors) state.vectors[ctx.probes[i].name][id].push(...vectorRows(v, n, ctx.probes[i].channels));
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
