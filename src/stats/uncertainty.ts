import { partMembers } from '../parts.js';
import type { LayerScore, PartScore, ProbeInfo, ScoreUncertainty, Uncertainty } from '../types.js';
import { bootstrapReplicates, partReplicates, percentileInterval, type Interval, type PerImageSums } from './bootstrap.js';
import { excessOf } from './chance.js';
import { jackknifeInterval } from './jackknife.js';
import type { RowLayout } from './per-image.js';

/** Reason of a layer without an interval or null because it was not scored (skipped, flagged, no defined pair). */
export const NOT_SCORED = 'not_scored';
/** Reason of a score without a chance level: no null pair was scored (e.g. fewer than two images). */
export const NO_NULL_PAIRS = 'no_null_pairs';

/** Jackknife estimates and chance level of one vector layer (see `vectorEstimates`). */
export interface VectorInputs {
  readonly leaveOut: { readonly inv: readonly number[]; readonly eqv: readonly number[] } | null;
  readonly intervalReason?: string;
  readonly chance: { readonly inv: number; readonly eqv: number };
}

/** What the intervals and nulls of one result are computed from. */
export interface UncertaintyInputs {
  readonly probes: readonly ProbeInfo[];
  readonly layout: RowLayout;
  /** Per `layout.layers` entry: the map layer's bootstrap replicates (`mapReplicates`, or streamed from disk). */
  readonly replicates: readonly { readonly inv: Float64Array; readonly eqv: Float64Array }[];
  /** Per `layout.layers` entry: the map layer's chance level. */
  readonly chance: readonly { readonly inv: number; readonly eqv: number }[];
  /** `probe\0transform` → vector-layer estimates. */
  readonly vectors: ReadonlyMap<string, VectorInputs>;
  /** Layers left out of the part averages (NaN/Inf). */
  readonly flagged: ReadonlySet<string>;
}

// The (layer, transform) key of scores/keys.ts's `layerKey`, written here because stats/ sits below scores/.
const key = (layer: string, transform: string) => `${layer}\u0000${transform}`;

function scoreUncertainty(score: number | null, interval: Interval, chance: number): ScoreUncertainty {
  const c = Number.isFinite(chance) ? chance : null;
  const e = c === null ? { above: null, excess: null, reason: NO_NULL_PAIRS } : excessOf(score, c);
  return {
    lo: interval.lo,
    hi: interval.hi,
    ...(interval.reason ? { intervalReason: interval.reason } : {}),
    chance: c,
    above: e.above,
    excess: e.excess,
    ...(e.reason ? { excessReason: e.reason } : {}),
  };
}

const NONE: Uncertainty = {
  inv: { lo: null, hi: null, intervalReason: NOT_SCORED, chance: null, above: null, excess: null, excessReason: NOT_SCORED },
  eqv: { lo: null, hi: null, intervalReason: NOT_SCORED, chance: null, above: null, excess: null, excessReason: NOT_SCORED },
};

/**
 * Bootstrap replicates of every map layer × transform (SPEC §4b), all from the same draws.
 *
 * @returns `layer\0transform` → inv and eqv replicates
 */
export function mapReplicates(layout: RowLayout, scores: readonly { readonly inv: PerImageSums; readonly eqv: PerImageSums }[]): Map<string, { inv: Float64Array; eqv: Float64Array }> {
  const reps = bootstrapReplicates(scores.flatMap((s) => [s.inv, s.eqv]));
  return new Map(layout.layers.map((slots, i) => [key(slots.probe, slots.transform), { inv: reps[2 * i], eqv: reps[2 * i + 1] }]));
}

/**
 * Adds intervals, chance levels and excess scores (SPEC §4b) to layer and part scores: bootstrap
 * intervals for map layers and parts of map layers (Early, Middle, Late), block-jackknife
 * intervals for vector layers and parts of them (Pool, Final); a part's chance level is the mean
 * of its layers' and its excess comes from its mean score and mean chance level.
 */
export function addUncertainty(layers: readonly LayerScore[], parts: readonly PartScore[], inputs: UncertaintyInputs): { layers: LayerScore[]; parts: PartScore[] } {
  const kindOf = new Map(inputs.probes.map((p) => [p.name, p.kind]));
  const replicates = new Map(inputs.layout.layers.map((slots, i) => [key(slots.probe, slots.transform), inputs.replicates[i]]));
  const chanceOf = new Map<string, { inv: number; eqv: number }>();
  inputs.layout.layers.forEach((slots, l) => chanceOf.set(key(slots.probe, slots.transform), inputs.chance[l]));
  for (const [k, v] of inputs.vectors) chanceOf.set(k, v.chance);

  const scored = (l: LayerScore) => !l.skipped && !inputs.flagged.has(l.layer) && Number.isFinite(l.inv.mean) && Number.isFinite(l.eqv.mean);
  const outLayers = layers.map((l): LayerScore => {
    if (!scored(l) || l.inv.mean === null || l.eqv.mean === null) return { ...l, uncertainty: NONE };
    const [inv, eqv] = [l.inv.mean, l.eqv.mean];
    const k = key(l.layer, l.transform);
    const chance = chanceOf.get(k) ?? { inv: NaN, eqv: NaN };
    if (kindOf.get(l.layer) === 'vector') {
      const v = inputs.vectors.get(k);
      const interval = (score: number, leaveOut: readonly number[] | undefined): Interval =>
        leaveOut ? jackknifeInterval(score, leaveOut) : { lo: null, hi: null, reason: v?.intervalReason ?? NOT_SCORED };
      return {
        ...l,
        uncertainty: {
          inv: scoreUncertainty(inv, stripSe(interval(inv, v?.leaveOut?.inv)), chance.inv),
          eqv: scoreUncertainty(eqv, stripSe(interval(eqv, v?.leaveOut?.eqv)), chance.eqv),
        },
      };
    }
    const reps = replicates.get(k)!;
    return { ...l, uncertainty: { inv: scoreUncertainty(inv, percentileInterval(reps.inv), chance.inv), eqv: scoreUncertainty(eqv, percentileInterval(reps.eqv), chance.eqv) } };
  });

  const outParts = parts.map((p): PartScore => {
    const members = partMembers(inputs.probes, layers, p.transform, p.part, inputs.flagged);
    if (members.length === 0) return { ...p, uncertainty: NONE };
    const keys = members.map((l) => key(l.layer, l.transform));
    const meanChance = (score: 'inv' | 'eqv') => keys.reduce((s, k) => s + (chanceOf.get(k)?.[score] ?? NaN), 0) / keys.length;
    const vectors = members.every((l) => kindOf.get(l.layer) === 'vector');
    const maps = members.every((l) => kindOf.get(l.layer) !== 'vector');
    const interval = (score: 'inv' | 'eqv'): Interval => {
      if (maps) return percentileInterval(partReplicates(keys.map((k) => replicates.get(k)![score])));
      if (!vectors) return { lo: null, hi: null, reason: 'maps_and_vectors_in_one_part' };
      const leaveOuts = keys.map((k) => inputs.vectors.get(k)?.leaveOut?.[score]);
      if (leaveOuts.some((x) => !x)) return { lo: null, hi: null, reason: inputs.vectors.get(keys[0])?.intervalReason ?? NOT_SCORED };
      const blocks = leaveOuts[0]!.map((_, j) => leaveOuts.reduce((s, x) => s + x![j], 0) / leaveOuts.length);
      return stripSe(jackknifeInterval(p[score] ?? NaN, blocks));
    };
    return { ...p, uncertainty: { inv: scoreUncertainty(p.inv, interval('inv'), meanChance('inv')), eqv: scoreUncertainty(p.eqv, interval('eqv'), meanChance('eqv')) } };
  });
  return { layers: outLayers, parts: outParts };
}

function stripSe(i: Interval & { se?: number | null }): Interval {
  return { lo: i.lo, hi: i.hi, ...(i.reason ? { reason: i.reason } : {}) };
}
