import type { GroupElement, ProbeInfo, TransformName } from '../types.js';
import { emptySums, mergeSums, type ScoreSums } from './sums.js';

/** Running sums of one layer under one group element. */
export interface ElementSums {
  inv: ScoreSums;
  eqv: ScoreSums;
}

/**
 * Everything a measurement accumulates, as plain JSON-able data: map-layer sums, the per-image
 * vectors that vector layers need (SPEC §8), and the predicted classes. Checkpoints and shards
 * store exactly this, so resuming and merging reproduce a single run.
 */
export interface MeasureState {
  /** Files (or synthetic indices) already processed, in order. */
  processed: string[];
  skipped: { file: string; reason: string }[];
  /** probe → transform → element key → sums (map and token layers). */
  maps: Record<string, Record<string, Record<string, ElementSums>>>;
  /** probe → 'original' or 'transform:key' → one vector per processed image. */
  vectors: Record<string, Record<string, number[][]>>;
  /** 'original' or 'transform:key' → predicted class per processed image. */
  predictions: Record<string, number[]>;
  /** True class per processed image, when labels are known (SPEC §7). */
  labels: number[] | null;
  /** probes flagged for NaN/Inf outputs. */
  nonFinite: string[];
}

/** Key of a group element in `vectors` and `predictions`. */
export function elementId(transform: TransformName, key: string): string {
  return `${transform}:${key}`;
}

/**
 * Key in `vectors` and `predictions` of a transform's own untransformed view x, for a transform
 * that does not start from the standard view (translate in crop mode, SPEC §2: x is the (0,0)
 * crop of its enlarged view). Its elements are compared with it, not with `original`.
 */
export function originId(transform: TransformName): string {
  return elementId(transform, 'origin');
}

/**
 * A fresh state for these probes and elements.
 *
 * @param ownOrigins - transforms with their own untransformed view (`originId`)
 */
export function emptyState(
  probes: readonly ProbeInfo[],
  elements: ReadonlyMap<TransformName, readonly GroupElement[]>,
  withLabels: boolean,
  ownOrigins: readonly TransformName[] = [],
): MeasureState {
  const state: MeasureState = { processed: [], skipped: [], maps: {}, vectors: {}, predictions: { original: [] }, labels: withLabels ? [] : null, nonFinite: [] };
  for (const t of ownOrigins) state.predictions[originId(t)] = [];
  for (const probe of probes) {
    if (probe.kind === 'vector') {
      state.vectors[probe.name] = { original: [] };
      for (const t of ownOrigins) state.vectors[probe.name][originId(t)] = [];
      for (const [t, list] of elements) for (const g of list) state.vectors[probe.name][elementId(t, g.key)] = [];
    } else {
      state.maps[probe.name] = {};
      for (const [t, list] of elements) {
        state.maps[probe.name][t] = Object.fromEntries(list.map((g) => [g.key, { inv: emptySums(), eqv: emptySums() }]));
      }
    }
  }
  for (const [t, list] of elements) for (const g of list) state.predictions[elementId(t, g.key)] = [];
  return state;
}

/**
 * Merges shard states into one (SPEC §8): map sums add; per-image vectors, predictions and file
 * lists are concatenated in the shards' order and then put back into sorted file order, so the
 * result equals a single run over all images.
 */
export function mergeStates(states: readonly MeasureState[]): MeasureState {
  const [first, ...rest] = states;
  const merged: MeasureState = structuredClone(first);
  for (const s of rest) {
    merged.processed.push(...s.processed);
    merged.skipped.push(...s.skipped);
    for (const [probe, byT] of Object.entries(s.maps)) {
      for (const [t, byKey] of Object.entries(byT)) {
        for (const [key, sums] of Object.entries(byKey)) {
          mergeSums(merged.maps[probe][t][key].inv, sums.inv);
          mergeSums(merged.maps[probe][t][key].eqv, sums.eqv);
        }
      }
    }
    for (const [probe, byId] of Object.entries(s.vectors)) for (const [id, list] of Object.entries(byId)) merged.vectors[probe][id].push(...list);
    for (const [id, list] of Object.entries(s.predictions)) merged.predictions[id].push(...list);
    if (merged.labels && s.labels) merged.labels.push(...s.labels);
    for (const name of s.nonFinite) if (!merged.nonFinite.includes(name)) merged.nonFinite.push(name);
  }
  // Restore the sorted image order of a single run.
  const order = merged.processed.map((file, i) => ({ file, i })).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)).map((e) => e.i);
  const reorder = <T>(list: T[]) => order.map((i) => list[i]);
  merged.processed = reorder(merged.processed);
  for (const byId of Object.values(merged.vectors)) for (const id of Object.keys(byId)) byId[id] = reorder(byId[id]);
  for (const id of Object.keys(merged.predictions)) merged.predictions[id] = reorder(merged.predictions[id]);
  if (merged.labels) merged.labels = reorder(merged.labels);
  merged.skipped.sort((a, b) => (a.file < b.file ? -1 : 1));
  return merged;
}
