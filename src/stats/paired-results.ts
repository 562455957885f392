import { partMembers } from '../aggregate/parts.js';
import type { MeasureState } from '../scores/state.js';
import type { GroupElement, Part, ProbeReport, TransformName } from '../types.js';
import { partReplicates } from './bootstrap.js';
import { pairedDifference, type PairedDifference } from './paired.js';
import { layerSums, pooledMean, rowLayout } from './per-image.js';
import { mapReplicates } from './uncertainty.js';

/** One result as `compare` pairs it: the report and the per-image rows of its state. */
export interface PairedInput {
  readonly label: string;
  readonly report: ProbeReport;
  /** Per-image rows and SHA-256s (from state.json); null when the result has none. */
  readonly state: Pick<MeasureState, 'sha256' | 'perImage' | 'nonFinite'> | null;
  readonly elements: ReadonlyMap<TransformName, readonly GroupElement[]>;
}

/** Paired difference of one part score, A − B. */
export interface PairedRow extends PairedDifference {
  readonly a: string;
  readonly b: string;
  readonly transform: TransformName;
  readonly part: Part;
  readonly score: 'inv' | 'eqv';
  /** Images both results hold (matched by SHA-256). */
  readonly images: number;
}

/** Outcome of pairing two results: rows, or why they cannot be paired. */
export type PairedOutcome = { readonly rows: PairedRow[] } | { readonly reason: string };

/** Parts a paired bootstrap covers: the map parts (Pool and Final are correlations across images, see the issue note). */
const MAP_PARTS: readonly Part[] = ['Early', 'Middle', 'Late'];

/**
 * Paired comparison of two results per map part (SPEC §4b): the images both hold, matched by the
 * SHA-256 of their bytes (each image at most once), in A's sorted order; both results' replicates
 * use the same draws of those images; the difference is of the part scores over those images.
 *
 * @returns rows for every map part × transform × score both results have, or the reason there are none
 */
export function pairedParts(a: PairedInput, b: PairedInput): PairedOutcome {
  for (const r of [a, b]) {
    if (!r.state || r.state.perImage.length === 0 || r.state.sha256.length !== r.state.perImage.length) return { reason: `'${r.label}' has no per-image scores (state.json from equiprobe 0.1 with intervals is needed)` };
  }
  const waiting = new Map<string, number[]>();
  b.state!.sha256.forEach((h, i) => waiting.set(h, [...(waiting.get(h) ?? []), i]));
  const rowsA: number[][] = [];
  const rowsB: number[][] = [];
  a.state!.sha256.forEach((h, i) => {
    const j = waiting.get(h)?.shift();
    if (j === undefined) return;
    rowsA.push(a.state!.perImage[i]);
    rowsB.push(b.state!.perImage[j]);
  });
  if (rowsA.length < 2) return { reason: `'${a.label}' and '${b.label}' share ${rowsA.length} image(s) (matched by SHA-256 of the files); a paired comparison needs the same images` };
  const side = (r: PairedInput, rows: number[][]) => {
    const layout = rowLayout(r.report.probes, r.elements);
    return { layout, rows, replicates: mapReplicates(layout, rows), flagged: new Set(r.state!.nonFinite) };
  };
  const [sa, sb] = [side(a, rowsA), side(b, rowsB)];
  const out: PairedRow[] = [];
  for (const transform of a.report.config.transforms) {
    if (!b.report.config.transforms.includes(transform)) continue;
    for (const part of MAP_PARTS) {
      const estimate = (r: PairedInput, s: typeof sa, score: 'inv' | 'eqv') => {
        const members = partMembers(r.report.probes, r.report.layers, transform, part, s.flagged);
        if (members.length === 0) return null;
        const slots = members.map((l) => s.layout.layers.find((x) => x.probe === l.layer && x.transform === transform)!);
        const means = slots.map((slot) => pooledMean(layerSums(s.rows, slot)[score])).filter((v) => !Number.isNaN(v));
        if (means.length === 0) return null;
        const replicates = partReplicates(slots.map((slot) => s.replicates.get(`${slot.probe}\u0000${transform}`)![score]));
        return { estimate: means.reduce((x, y) => x + y, 0) / means.length, replicates };
      };
      for (const score of ['inv', 'eqv'] as const) {
        const [ea, eb] = [estimate(a, sa, score), estimate(b, sb, score)];
        if (!ea || !eb) continue;
        out.push({ a: a.label, b: b.label, transform, part, score, images: rowsA.length, ...pairedDifference(ea, eb) });
      }
    }
  }
  return { rows: out };
}
