import type { MetricEngine } from '../scores/metric.js';
import { scoreVectors } from '../scores/pairs.js';
import { elementId, type MeasureState } from '../scores/state.js';
import { emptySums, mergeSums, type ScoreSums } from '../scores/sums.js';
import { JACKKNIFE_MIN_IMAGES, jackknifeBlocks, TOO_FEW_FOR_JACKKNIFE } from '../stats/jackknife.js';
import { nullName, nullPairs, nullPartners } from '../images/null-order.js';
import type { GroupElement, ProbeInfo, TransformName } from '../types.js';

/** Jackknife estimates and chance level of a vector layer's inv and eqv (pooled over g). */
export interface VectorEstimates {
  /** θ̂₍ⱼ₎ of inv and eqv without block j, for the 20 blocks; null with a reason under 40 images. */
  readonly leaveOut: { readonly inv: number[]; readonly eqv: number[] } | null;
  readonly intervalReason?: string;
  /** Chance level of inv and eqv: v′_c(x_j) against v_c′(x_partner(j)) across the paired j (NaN when undefined). */
  readonly chance: { readonly inv: number; readonly eqv: number };
}

const meanOf = (s: ScoreSums) => (s.n > 0 ? s.sum / s.n : NaN);

/** A vector layer's inv and eqv over some images, pooled over the transform's elements (SPEC §4). */
async function pooledScores(engine: MetricEngine, moved: readonly (readonly Float32Array[])[], original: readonly Float32Array[], k: number): Promise<{ inv: number; eqv: number }> {
  const inv = emptySums();
  const eqv = emptySums();
  if (original.length >= 3) {
    for (const m of moved) {
      const one = { inv: emptySums(), eqv: emptySums() };
      await scoreVectors(engine, m, original, k, one.inv, one.eqv);
      mergeSums(inv, one.inv);
      mergeSums(eqv, one.eqv);
    }
  }
  return { inv: meanOf(inv), eqv: meanOf(eqv) };
}

/**
 * Intervals and chance level of the vector layers (SPEC §4b): the delete-one-block jackknife over
 * 20 blocks of consecutive null pairs (each block's images left out in turn, the layer re-scored
 * over the rest) and the null over all pairs whose two images were processed.
 *
 * @param state - in sorted image order (`sortState`)
 * @returns `probe\0transform` → estimates, for every vector layer not flagged for NaN/Inf
 */
export async function vectorEstimates(
  probes: readonly ProbeInfo[],
  elements: ReadonlyMap<TransformName, readonly GroupElement[]>,
  state: MeasureState,
  imageFolder: string | null,
  engine: MetricEngine,
): Promise<Map<string, VectorEstimates>> {
  const out = new Map<string, VectorEstimates>();
  const vectors = probes.filter((p) => p.kind === 'vector' && !state.nonFinite.includes(p.name));
  if (vectors.length === 0) return out;
  // The pairs of the images this state holds (a shard holds whole pairs; skipped files keep their place).
  const pairs = nullPairs([...state.processed, ...state.skipped.map((s) => s.file)], (id) => nullName(imageFolder, id));
  const order = pairs.flatMap((p) => p.images);
  const partners = nullPartners(pairs);
  const index = new Map(state.processed.map((id, i) => [id, i]));
  const n = state.processed.length;
  // Jackknife blocks of the processed images, by their position in the null order.
  const blockOf = new Map<string, number>();
  jackknifeBlocks(order.length).forEach((positions, b) => positions.forEach((p) => blockOf.set(order[p], b)));
  const blocks = n >= JACKKNIFE_MIN_IMAGES ? Array.from({ length: 20 }, (_, b) => state.processed.flatMap((id, i) => (blockOf.get(id) === b ? [] : [i]))) : null;
  // Null: image j's transformed vector against its partner's original, both directions of each processed pair.
  const paired = state.processed.flatMap((id, i) => {
    const partner = partners.get(id);
    const at = partner === undefined ? undefined : index.get(partner);
    return at === undefined ? [] : [[i, at] as const];
  });
  for (const probe of vectors) {
    const stored = state.vectors[probe.name];
    const original = stored.original.map((v) => Float32Array.from(v));
    for (const [t, list] of elements) {
      const moved = list.map((g) => stored[elementId(t, g.key)].map((v) => Float32Array.from(v)));
      let leaveOut: VectorEstimates['leaveOut'] = null;
      if (blocks) {
        leaveOut = { inv: [], eqv: [] };
        for (const keep of blocks) {
          const s = await pooledScores(engine, moved.map((m) => keep.map((i) => m[i])), keep.map((i) => original[i]), probe.channels);
          leaveOut.inv.push(s.inv);
          leaveOut.eqv.push(s.eqv);
        }
      }
      const chance = await pooledScores(engine, moved.map((m) => paired.map(([j]) => m[j])), paired.map(([, p]) => original[p]), probe.channels);
      out.set(`${probe.name}\u0000${t}`, { leaveOut, ...(blocks ? {} : { intervalReason: TOO_FEW_FOR_JACKKNIFE }), chance });
    }
  }
  return out;
}
