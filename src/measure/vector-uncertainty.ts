import type { CrossProduct } from '../scores/co-moments.js';
import { layerKey } from '../scores/keys.js';
import { elementId, originId, type ElementSums, type MeasureState } from '../scores/state.js';
import type { AppendStore } from '../store/append-store.js';
import { JACKKNIFE_MIN_IMAGES, TOO_FEW_FOR_JACKKNIFE } from '../stats/jackknife.js';
import type { VectorInputs } from '../stats/uncertainty.js';
import { chanceFromRows, chanceFromState, emptyChance, mergeChance, type ElementChance } from './vector-chance.js';
import type { GroupElement, ProbeInfo, ShiftMode, TransformName } from '../types.js';
import { hasOwnViews } from './batch.js';
import { PAIR_COLUMN } from './run-state.js';
import { vectorColumn } from './vectors.js';

const meanOf = (s: { n: number; sum: number }) => (s.n > 0 ? s.sum / s.n : NaN);

/**
 * Jackknife estimates and chance level of every vector layer × transform (SPEC §4b), pooled over
 * the transform's elements, from the state's co-moments or the per-image stores.
 *
 * @param points - filled with the elements' own scores where they came with the estimates
 *   (`ElementChance.point`), keyed `layerKey(probe, element id)`, so the end need not score them again
 * @returns `probe\0transform` → estimates, for every vector layer not flagged for NaN/Inf
 */
export async function vectorEstimates(
  probes: readonly ProbeInfo[],
  elements: ReadonlyMap<TransformName, readonly GroupElement[]>,
  state: MeasureState,
  stores: readonly AppendStore[],
  centred: boolean,
  product: CrossProduct,
  shiftMode: ShiftMode,
  points?: Map<string, ElementSums>,
): Promise<Map<string, VectorInputs>> {
  const out = new Map<string, VectorInputs>();
  for (const probe of probes) {
    if (probe.kind !== 'vector' || state.nonFinite.includes(probe.name)) continue;
    for (const [t, list] of elements) {
      const pooled = emptyChance();
      for (const g of list) {
        const id = elementId(t, g.key);
        const moments = state.moments[probe.name];
        let chance: ElementChance;
        if (moments?.[id]) chance = chanceFromState(moments, id);
        else {
          // A transform with its own untransformed view (translate in crop mode) is compared with it.
          const base = hasOwnViews(t, shiftMode) ? originId(t) : 'original';
          const columns = { moved: vectorColumn(probe.name, id), original: vectorColumn(probe.name, base), pair: PAIR_COLUMN };
          const holding = stores.filter((s) => s.columns.some((c) => c.name === columns.moved));
          chance = await chanceFromRows(holding, columns, probe.channels, centred, state.pairs, product);
        }
        if (chance.point) points?.set(layerKey(probe.name, id), chance.point);
        mergeChance(pooled, chance);
      }
      const enough = state.images >= JACKKNIFE_MIN_IMAGES;
      out.set(layerKey(probe.name, t), {
        leaveOut: enough ? { inv: pooled.leaveOut.map((s) => meanOf(s.inv)), eqv: pooled.leaveOut.map((s) => meanOf(s.eqv)) } : null,
        ...(enough ? {} : { intervalReason: TOO_FEW_FOR_JACKKNIFE }),
        chance: { inv: meanOf(pooled.null.inv), eqv: meanOf(pooled.null.eqv) },
      });
    }
  }
  return out;
}
