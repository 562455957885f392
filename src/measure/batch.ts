import { messages } from '../messages.js';
import { addChunk, type CrossProduct } from '../scores/co-moments.js';
import { addPairScores } from '../scores/pairs.js';
import { elementId, type MeasureState } from '../scores/state.js';
import { cropOriginal, transformInput } from '../transforms/index.js';
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
 * folded into the co-moments with the original images' vectors otherwise.
 */
async function keepVectors(ctx: BatchContext, rows: BatchRows, id: string, moved: PassResult, original: PassResult, n: number): Promise<void> {
  for (const [i, v] of moved.vectors) {
    const name = ctx.probes[i].name;
    if (ctx.vectors.get(i) === 'rows') rows.push(vectorColumn(name, id), v);
    else if (!ctx.state.nonFinite.includes(name)) await addChunk(ctx.state.moments[name][id], v, original.vectors.get(i)!, n, ctx.product);
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

/**
 * Stages 3–5 for one batch of source images: transforms, forward passes and scores, in chunks of
 * `scorer.chunk` images. Map layers add into the running sums; vector layers add into their
 * co-moments or go to `rows` per image, as does every predicted class.
 *
 * @param sources - CHW source images of side `sourceSize` (input size plus the crop-mode margin)
 * @param rows - receives the batch's per-image values
 * @param tick - called after each forward pass with the number of images it ran (progress)
 */
export async function processBatch(ctx: BatchContext, sources: readonly Float32Array[], sourceSize: number, rows: BatchRows, tick: (images: number) => void): Promise<void> {
  const { input, state, scorer } = ctx;
  for (let start = 0; start < sources.length; start += scorer.chunk) {
    const chunk = sources.slice(start, start + scorer.chunk);
    const n = chunk.length;
    const original = await scorer.runOriginal(chunk.map((src) => cropOriginal(src, input.channels, sourceSize, sourceSize, input.height, input.width)));
    tick(n);
    flagNonFinite(ctx, original.result);
    rows.predict('original', original.result.predicted);
    for (const [i, v] of original.result.vectors) if (ctx.vectors.get(i) === 'rows') rows.push(vectorColumn(ctx.probes[i].name, 'original'), v);
    for (const [t, list] of ctx.elements) {
      for (const g of list) {
        const images = chunk.map((src) => transformInput(src, input.channels, sourceSize, sourceSize, g, input.height, input.width, ctx.shiftMode));
        const moved = await scorer.runElement(images, g, original.pass);
        tick(n);
        flagNonFinite(ctx, moved);
        const id = elementId(t, g.key);
        rows.predict(id, moved.predicted);
        await keepVectors(ctx, rows, id, moved, original.result, n);
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
