import { partMembers } from '../parts.js';
import { PARTS, type LayerScore, type PartScore, type ProbeInfo } from '../types.js';

/**
 * Part scores (SPEC §5): the mean of the part's layer scores, each layer weighing the same.
 * Layers that were skipped, had no defined pair, or were flagged for NaN/Inf are left out of the
 * mean. A part that has layers but none left keeps its row with null scores and `layers: 0`
 * (SPEC §3: it never disappears from a table); `undefinedWarnings` names it.
 *
 * @param flagged - names of layers left out of the averages
 */
export function aggregateParts(probes: readonly ProbeInfo[], layers: readonly LayerScore[], flagged: ReadonlySet<string> = new Set()): PartScore[] {
  const partOf = new Map(probes.map((p) => [p.name, p.part]));
  const transforms = [...new Set(layers.map((l) => l.transform))];
  const out: PartScore[] = [];
  for (const transform of transforms) {
    for (const part of PARTS) {
      const inPart = layers.filter((l) => l.transform === transform && partOf.get(l.layer) === part);
      if (inPart.length === 0) continue;
      const members = partMembers(probes, inPart, transform, part, flagged);
      const mean = (f: (l: LayerScore) => number | null) => (members.length === 0 ? null : members.reduce((s, l) => s + f(l)!, 0) / members.length);
      out.push({ part, transform, inv: mean((l) => l.inv.mean), eqv: mean((l) => l.eqv.mean), layers: members.length });
    }
  }
  return out;
}
