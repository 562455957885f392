import type { LayerScore, Part, ProbeInfo, TransformName } from './types.js';

/** The spatial parts (SPEC §5), in depth order. */
const SPATIAL_PARTS: readonly Part[] = ['Early', 'Middle', 'Late'];

/**
 * The part of the j-th of `count` spatial layers before the pool (SPEC §5): thirds by index,
 * ⌊3j / count⌋ → Early, Middle, Late. The one place the split is written; probe sets and the
 * known-answer networks' documented layers both use it.
 *
 * @example spatialPart(0, 4) === 'Early'; spatialPart(2, 4) === 'Middle'; spatialPart(3, 4) === 'Late'
 */
export function spatialPart(j: number, count: number): Part {
  return SPATIAL_PARTS[Math.floor((3 * j) / count)];
}

/** The layers a part score averages: the part's layers under the transform that were scored, not flagged, and had a defined pair. */
export function partMembers(probes: readonly ProbeInfo[], layers: readonly LayerScore[], transform: TransformName, part: Part, flagged: ReadonlySet<string>): LayerScore[] {
  const partOf = new Map(probes.map((p) => [p.name, p.part]));
  return layers.filter(
    (l) => l.transform === transform && partOf.get(l.layer) === part && !l.skipped && !flagged.has(l.layer) && l.inv.mean !== null && l.eqv.mean !== null,
  );
}
