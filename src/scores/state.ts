import type { GroupElement, ProbeInfo, TransformName } from '../types.js';
import { chanceMomentIds } from './keys.js';
import { emptyCoMoments, mergeCoMoments, type CoMoments } from './co-moments.js';
import { emptySums, mergeSums, type ScoreSums } from './sums.js';

/** Running sums of one layer under one group element. */
export interface ElementSums {
  inv: ScoreSums;
  eqv: ScoreSums;
}

/** Top-1 counts (SPEC §7) over the images measured, per 'original' and per element id. */
export interface AccuracyCounts {
  images: number;
  /** Predictions equal to the label. */
  correct: Record<string, number>;
  /** Predictions equal to the prediction for the original image (elements only). */
  unchanged: Record<string, number>;
}

/**
 * The fixed-size part of what a measurement accumulates (SPEC §8): map-layer sums, the co-moments
 * of vector layers kept that way, top-1 counts and the list of skipped files. Its size does not
 * depend on the number of images; what does (file names, per-image vectors) is appended to the
 * run's per-image store (src/measure/run-state.ts). Checkpoints and shards store exactly these two,
 * so resuming and merging reproduce a single run.
 */
export interface MeasureState {
  /** Images measured (rows of the per-image store). */
  images: number;
  skipped: { file: string; reason: string }[];
  /** probe → transform → element key → sums (map and token layers). */
  maps: Record<string, Record<string, Record<string, ElementSums>>>;
  /** Vector probes kept as co-moments: probe → element id → statistics. The others keep per-image vectors in the store. */
  moments: Record<string, Record<string, CoMoments>>;
  /** Top-1 counts, when labels are known. */
  accuracy: AccuracyCounts | null;
  /** probes flagged for NaN/Inf outputs. */
  nonFinite: string[];
  /** Null pairs of the whole run, ⌊N/2⌋ (all shards alike): the jackknife blocks follow from it (SPEC §4b). */
  pairs: number;
  /** Images of the map null set left out because their partner ran in another chunk (warned). */
  nullMissing: number;
  /** Image files per channel conversion done on decoding (e.g. `rgba→rgb`, `none`); absent for synthetic images. */
  conversions?: Record<string, number>;
}

/** Key of a group element in `moments`, accuracy counts and per-image columns. */
export function elementId(transform: TransformName, key: string): string {
  return `${transform}:${key}`;
}

/**
 * Key in per-image columns and accuracy counts of a transform's own untransformed view x, for a
 * transform that does not start from the standard view (translate in crop mode, SPEC §2: x is the
 * (0,0) crop of its enlarged view). Its elements are compared with it, not with `original`.
 */
export function originId(transform: TransformName): string {
  return elementId(transform, 'origin');
}

/**
 * A fresh state for these probes and elements.
 *
 * @param momentProbes - vector probes kept as co-moments (see `planVectors`)
 * @param centred - Pearson (true) or cosine similarity
 * @param ownOrigins - transforms with their own untransformed view (`originId`)
 */
export function emptyState(
  probes: readonly ProbeInfo[],
  elements: ReadonlyMap<TransformName, readonly GroupElement[]>,
  withLabels: boolean,
  momentProbes: ReadonlySet<string>,
  centred: boolean,
  ownOrigins: readonly TransformName[] = [],
  pairs = 0,
): MeasureState {
  const ids = [...elements].flatMap(([t, list]) => list.map((g) => elementId(t, g.key)));
  const untransformed = ['original', ...ownOrigins.map(originId)];
  const state: MeasureState = {
    images: 0,
    skipped: [],
    maps: {},
    moments: {},
    accuracy: withLabels ? { images: 0, correct: Object.fromEntries([...untransformed, ...ids].map((id) => [id, 0])), unchanged: Object.fromEntries(ids.map((id) => [id, 0])) } : null,
    nonFinite: [],
    pairs,
    nullMissing: 0,
  };
  for (const probe of probes) {
    if (probe.kind === 'vector') {
      // With each element's own co-moments, those of its null and jackknife blocks (SPEC §4b).
      const all = ids.flatMap((id) => [id, ...chanceMomentIds(id)]);
      if (momentProbes.has(probe.name)) state.moments[probe.name] = Object.fromEntries(all.map((id) => [id, emptyCoMoments(probe.channels, centred)]));
    } else {
      state.maps[probe.name] = {};
      for (const [t, list] of elements) {
        state.maps[probe.name][t] = Object.fromEntries(list.map((g) => [g.key, { inv: emptySums(), eqv: emptySums() }]));
      }
    }
  }
  return state;
}

/**
 * Adds a batch's predictions to the top-1 counts. An element's prediction is unchanged when it
 * equals the untransformed image's: its transform's own view (`originId`) where it has one, else `original`.
 *
 * @param predictions - 'original', 'transform:origin' and element id → predicted class per image of the batch
 * @param labels - true class per image of the batch
 */
export function countPredictions(counts: AccuracyCounts, predictions: Readonly<Record<string, readonly number[]>>, labels: readonly number[]): void {
  counts.images += labels.length;
  for (const [id, predicted] of Object.entries(predictions)) {
    const identity = id in counts.unchanged ? (predictions[`${id.slice(0, id.indexOf(':'))}:origin`] ?? predictions.original) : null;
    predicted.forEach((c, i) => {
      if (c === labels[i]) counts.correct[id] += 1;
      if (identity && c === identity[i]) counts.unchanged[id] += 1;
    });
  }
}

/**
 * Merges shard states into one (SPEC §8): sums and counts add, co-moments merge by Chan's update,
 * skipped files are put in sorted order; the result equals a single run over all images.
 */
export function mergeStates(states: readonly MeasureState[]): MeasureState {
  const [first, ...rest] = states;
  const merged: MeasureState = structuredClone(first);
  for (const s of rest) {
    merged.images += s.images;
    merged.nullMissing += s.nullMissing;
    merged.skipped.push(...s.skipped);
    for (const [probe, byT] of Object.entries(s.maps)) {
      for (const [t, byKey] of Object.entries(byT)) {
        for (const [key, sums] of Object.entries(byKey)) {
          mergeSums(merged.maps[probe][t][key].inv, sums.inv);
          mergeSums(merged.maps[probe][t][key].eqv, sums.eqv);
        }
      }
    }
    for (const [probe, byId] of Object.entries(s.moments)) {
      for (const [id, m] of Object.entries(byId)) {
        const into = (merged.moments[probe] ??= {});
        if (into[id]) mergeCoMoments(into[id], m);
        else into[id] = structuredClone(m);
      }
    }
    if (merged.accuracy && s.accuracy) {
      merged.accuracy.images += s.accuracy.images;
      for (const [id, n] of Object.entries(s.accuracy.correct)) merged.accuracy.correct[id] += n;
      for (const [id, n] of Object.entries(s.accuracy.unchanged)) merged.accuracy.unchanged[id] += n;
    }
    for (const name of s.nonFinite) if (!merged.nonFinite.includes(name)) merged.nonFinite.push(name);
    for (const [conversion, n] of Object.entries(s.conversions ?? {})) (merged.conversions ??= {})[conversion] = (merged.conversions[conversion] ?? 0) + n;
  }
  merged.skipped.sort((a, b) => (a.file < b.file ? -1 : 1));
  return merged;
}
