import { messages } from '../messages.js';
import { addPairScores } from '../scores/pairs.js';
import { elementId, type MeasureState } from '../scores/state.js';
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
 * Stages 3–5 for one batch of source images: transforms, forward passes and scores, in chunks of
 * `scorer.chunk` images. Map layers add into the running sums; vector layers and predictions are
 * stored per image.
 *
 * @param sources - CHW source images of side `sourceSize` (input size plus the crop-mode margin)
 * @param tick - called after each forward pass with the number of images it ran (progress)
 */
export async function processBatch(ctx: BatchContext, sources: readonly Float32Array[], sourceSize: number, tick: (images: number) => void): Promise<void> {
  const { input, state, scorer } = ctx;
  for (let start = 0; start < sources.length; start += scorer.chunk) {
    const chunk = sources.slice(start, start + scorer.chunk);
    const n = chunk.length;
    const original = await scorer.runOriginal(chunk.map((src) => cropOriginal(src, input.channels, sourceSize, sourceSize, input.height, input.width)));
    tick(n);
    flagNonFinite(ctx, original.result);
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
