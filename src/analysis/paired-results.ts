import { partMembers } from '../parts.js';
import type { MapImageSums } from '../measure/per-image-read.js';
import { layerKey } from '../scores/keys.js';
import type { Part, ProbeReport, TransformName } from '../types.js';
import { partReplicates, type PerImageSums } from '../stats/bootstrap.js';
import { pairedDifference, type PairedDifference } from '../stats/paired.js';
import { pooledMean, type RowLayout } from '../stats/per-image.js';
import { mapReplicates, NOT_SCORED } from '../stats/uncertainty.js';

/** One result as `compare` pairs it: the report and its per-image map sums. */
export interface PairedInput {
  readonly label: string;
  readonly report: ProbeReport;
  /** Per-image sums and SHA-256s (from its state folder); null when the result has none. */
  readonly images: MapImageSums | null;
  readonly layout: RowLayout;
}

/** Paired difference of one part score, A − B. */
export interface PairedRow extends PairedDifference {
  readonly a: string;
  readonly b: string;
  readonly transform: TransformName;
  readonly part: Part;
  readonly score: Kind;
  /** Images both results hold (matched by SHA-256). */
  readonly images: number;
}

/** Outcome of pairing two results: rows, or why they cannot be paired. */
export type PairedOutcome = { readonly rows: PairedRow[] } | { readonly reason: string };

/** Scores compared: raw, and excess over chance (null replicates from null pairs as units). */
type Kind = 'inv' | 'eqv' | 'inv_excess' | 'eqv_excess';
const KINDS: readonly Kind[] = ['inv', 'eqv', 'inv_excess', 'eqv_excess'];

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
    if (!r.images || r.images.files.length === 0 || r.images.scores.length === 0) return { reason: `'${r.label}' has no per-image scores (its state/ folder is missing, or it has no map layer)` };
  }
  // Images both results hold, matched by SHA-256 (each at most once), in A's sorted order.
  const waiting = new Map<string, number[]>();
  b.images!.sha256.forEach((h, i) => waiting.set(h, [...(waiting.get(h) ?? []), i]));
  const rowsA: number[] = [];
  const rowsB: number[] = [];
  a.images!.sha256.forEach((h, i) => {
    const j = waiting.get(h)?.shift();
    if (j === undefined) return;
    rowsA.push(i);
    rowsB.push(j);
  });
  if (rowsA.length < 2) return { reason: `'${a.label}' and '${b.label}' share ${rowsA.length} image(s) (matched by SHA-256 of the files); a paired comparison needs the same images` };
  const pick = (s: PerImageSums, rows: readonly number[]): PerImageSums => ({ sum: Float64Array.from(rows, (i) => s.sum[i]), count: Float64Array.from(rows, (i) => s.count[i]) });
  // Null replicates resample null pairs as units (SPEC §4b): A's pairs of the shared images, for both sides.
  const unitOf = new Map<number, number>();
  const units = rowsA.map((i) => {
    const k = a.images!.pairs[i];
    if (!unitOf.has(k)) unitOf.set(k, unitOf.size);
    return unitOf.get(k)!;
  });
  const byUnit = (s: PerImageSums, rows: readonly number[]): PerImageSums => {
    const out = { sum: new Float64Array(unitOf.size), count: new Float64Array(unitOf.size) };
    rows.forEach((i, j) => {
      out.sum[units[j]] += s.sum[i];
      out.count[units[j]] += s.count[i];
    });
    return out;
  };
  const side = (r: PairedInput, rows: readonly number[]) => {
    const scores = r.images!.scores.map((l) => ({ inv: pick(l.inv, rows), eqv: pick(l.eqv, rows) }));
    const nulls = r.images!.nulls.map((l) => ({ inv: byUnit(l.inv, rows), eqv: byUnit(l.eqv, rows) }));
    return { r, scores, nulls, replicates: mapReplicates(r.layout, scores), nullReplicates: mapReplicates(r.layout, nulls) };
  };
  const [sa, sb] = [side(a, rowsA), side(b, rowsB)];
  const out: PairedRow[] = [];
  for (const transform of a.report.config.transforms) {
    if (!b.report.config.transforms.includes(transform)) continue;
    for (const part of MAP_PARTS) {
      const estimate = (s: typeof sa, kind: Kind): { estimate: number; replicates: Float64Array } | null => {
        if (kind === 'inv_excess' || kind === 'eqv_excess') {
          const score = kind === 'inv_excess' ? 'inv' : 'eqv';
          const [raw, chance] = [scoreEstimate(s, score), scoreEstimate(s, score, true)];
          if (!raw || !chance) return null;
          // Unclipped excess per replicate; saturated chance (1 − null < 0.05) gives NaN, so no interval.
          const excess = (x: number, c: number) => (1 - c < 0.05 ? NaN : (x - c) / (1 - c));
          return { estimate: excess(raw.estimate, chance.estimate), replicates: raw.replicates.map((x, i) => excess(x, chance.replicates[i])) };
        }
        return scoreEstimate(s, kind);
      };
      const scoreEstimate = (s: typeof sa, score: 'inv' | 'eqv', chance = false) => {
        // Layers left out of the part (flagged for NaN/Inf) carry the `not_scored` reason.
        const flagged = new Set(s.r.report.layers.filter((l) => l.uncertainty?.inv.intervalReason === NOT_SCORED).map((l) => l.layer));
        const members = partMembers(s.r.report.probes, s.r.report.layers, transform, part, flagged);
        if (members.length === 0) return null;
        const at = members.map((l) => s.r.layout.layers.findIndex((x) => x.probe === l.layer && x.transform === transform)).filter((i) => i >= 0);
        const means = at.map((i) => pooledMean((chance ? s.nulls : s.scores)[i][score])).filter((v) => !Number.isNaN(v));
        if (means.length === 0 || (chance && means.length < at.length)) return null;
        const replicates = partReplicates(at.map((i) => (chance ? s.nullReplicates : s.replicates).get(layerKey(s.r.layout.layers[i].probe, transform))![score]));
        return { estimate: means.reduce((x, y) => x + y, 0) / means.length, replicates };
      };
      for (const score of KINDS) {
        const [ea, eb] = [estimate(sa, score), estimate(sb, score)];
        if (!ea || !eb) continue;
        out.push({ a: a.label, b: b.label, transform, part, score, images: rowsA.length, ...pairedDifference(ea, eb) });
      }
    }
  }
  return { rows: out };
}
