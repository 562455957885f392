import type * as ort from 'onnxruntime-node';
import { readProbeBatch } from '../forward/read.js';
import { runImages } from '../forward/run.js';
import { messages } from '../messages.js';
import type { MapAlignment, MetricEngine } from '../scores/metric.js';
import { scoreMapPairs } from '../scores/pairs.js';
import { elementId, type MeasureState } from '../scores/state.js';
import { cropOriginal, mapShift, mapSteps, transformInput } from '../transforms/index.js';
import type { GroupElement, InputInfo, ProbeInfo, ShiftMode, TransformName } from '../types.js';

/** What processing one batch needs; built once per run by `measure`. */
export interface BatchContext {
  readonly session: ort.InferenceSession;
  readonly engine: MetricEngine;
  readonly input: InputInfo;
  readonly probes: readonly ProbeInfo[];
  readonly elements: ReadonlyMap<TransformName, readonly GroupElement[]>;
  readonly shiftMode: ShiftMode;
  /** `probe\0transform` → reason, for layers a transform cannot score. */
  readonly skippedLayers: ReadonlyMap<string, string>;
  /** The model output whose argmax is the predicted class. */
  readonly outputName: string;
  readonly state: MeasureState;
  readonly onWarning?: (message: string) => void;
}

/** Key of `skippedLayers`. */
export function layerKey(probe: string, transform: TransformName): string {
  return `${probe}\u0000${transform}`;
}

/** True when no value is NaN or ±Inf: a float64 sum of float32 values can only be non-finite then. */
function allFinite(data: Float32Array): boolean {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i];
  return Number.isFinite(sum);
}

/**
 * Forward pass of a set of images: per probe, the batch as one n×K×h×w array (a view of
 * onnxruntime's output where the layout already is that, so nothing is copied); plus predicted classes.
 */
async function forwardProbes(ctx: BatchContext, images: readonly Float32Array[]): Promise<{ maps: Map<string, Float32Array>; predicted: number[] }> {
  const chunks = await runImages(ctx.session, ctx.input, images, ctx.probes.map((p) => p.name).concat(ctx.outputName));
  const parts = new Map<string, Float32Array[]>(ctx.probes.map((p) => [p.name, []]));
  const predicted: number[] = [];
  for (const { tensors, count } of chunks) {
    for (const probe of ctx.probes) {
      const t = tensors[probe.name];
      const data = t.data as Float32Array;
      if (!ctx.state.nonFinite.includes(probe.name) && !allFinite(data)) {
        ctx.state.nonFinite.push(probe.name);
        ctx.onWarning?.(messages.nonFinite(probe.name));
      }
      parts.get(probe.name)!.push(readProbeBatch(data, t.dims, probe, count));
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
  const maps = new Map([...parts].map(([name, list]) => [name, list.length === 1 ? list[0] : concat(list)]));
  return { maps, predicted };
}

function concat(list: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(list.reduce((s, a) => s + a.length, 0));
  let offset = 0;
  for (const a of list) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}

/** How the metric graph brings F onto F' for element g (SPEC §2): a map shift for translate, else a permutation. */
function alignmentOf(probe: ProbeInfo, g: GroupElement, inputHeight: number): MapAlignment {
  return g.transform === 'translate' ? { shift: mapShift(g.shift, probe.h, inputHeight) } : { steps: mapSteps(g) };
}

/** Splits a batch of vectors into one plain array per image (stored in the state). */
function vectorRows(batch: Float32Array, n: number, k: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(batch.subarray(i * k, (i + 1) * k)));
}

/**
 * Stages 3–5 for one batch of source images: transforms, forward passes, scores. Map layers add
 * into the running sums; vector layers and predictions are stored per image.
 *
 * @param sources - CHW source images of side `sourceSize` (input size plus the crop-mode margin)
 * @param tick - called after each forward pass of the batch (progress)
 */
export async function processBatch(ctx: BatchContext, sources: readonly Float32Array[], sourceSize: number, tick: () => void): Promise<void> {
  const { input, state } = ctx;
  const crop = (src: Float32Array) => cropOriginal(src, input.channels, sourceSize, sourceSize, input.height, input.width);
  const original = await forwardProbes(ctx, sources.map(crop));
  tick();
  state.predictions.original.push(...original.predicted);
  const n = sources.length;
  for (const probe of ctx.probes) {
    if (probe.kind === 'vector') state.vectors[probe.name].original.push(...vectorRows(original.maps.get(probe.name)!, n, probe.channels));
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
          state.vectors[probe.name][id].push(...vectorRows(after, n, probe.channels));
          continue;
        }
        if (ctx.skippedLayers.has(layerKey(probe.name, t)) || state.nonFinite.includes(probe.name)) continue;
        const sums = state.maps[probe.name][t][g.key];
        const shape = { n, k: probe.channels, h: probe.h, w: probe.w };
        await scoreMapPairs(ctx.engine, after, original.maps.get(probe.name)!, shape, alignmentOf(probe, g, input.height), sums.inv, sums.eqv);
      }
    }
  }
}
