import { layerKey } from '../scores/keys.js';
import type { ElementSums } from '../scores/state.js';
import { emptySums, mergeSums, statsOf } from '../scores/sums.js';
import type { GroupElement, LayerScore, ProbeInfo, TransformName } from '../types.js';

/**
 * Turns per-element running sums into layer scores (SPEC §4): the layer score pools all defined
 * (c, g, i); per-element scores are kept for per-g reporting (score against shift for translate).
 *
 * @param sums - probe → transform → element key → sums
 * @param skipped - probe → transform → reason, for layers that could not be scored
 */
export function summarizeLayers(
  probes: readonly ProbeInfo[],
  elements: ReadonlyMap<TransformName, readonly GroupElement[]>,
  sums: Readonly<Record<string, Record<string, Record<string, ElementSums>>>>,
  skipped: ReadonlyMap<string, string>,
): LayerScore[] {
  const rows: LayerScore[] = [];
  for (const [transform, list] of elements) {
    for (const probe of probes) {
      const reason = skipped.get(layerKey(probe.name, transform));
      const byKey = sums[probe.name]?.[transform] ?? {};
      const inv = emptySums();
      const eqv = emptySums();
      const perElement = list.map((g) => {
        const s = byKey[g.key] ?? { inv: emptySums(), eqv: emptySums() };
        mergeSums(inv, s.inv);
        mergeSums(eqv, s.eqv);
        return { key: g.key, shift: g.shift, inv: statsOf(s.inv), eqv: statsOf(s.eqv) };
      });
      rows.push({ layer: probe.name, transform, inv: statsOf(inv), eqv: statsOf(eqv), elements: perElement, ...(reason ? { skipped: reason } : {}) });
    }
  }
  return rows;
}
