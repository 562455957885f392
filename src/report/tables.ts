import { stringify } from 'csv-stringify/sync';
import type { ProbeReport } from '../types.js';
import { stableNumber } from './precision.js';

/** A score cell: rounded (see `precision.ts`), empty when undefined. */
const round = (v: number) => (Number.isFinite(v) ? stableNumber(v) : '');

/**
 * Rows of `layers.csv` and `layers.json`: one per layer × transform (tidy: every column named, one
 * observation a row). `skipped` is a boolean with the reason in `skip_reason` (empty when scored).
 */
export function layerRows(report: ProbeReport): Record<string, string | number | boolean>[] {
  const probes = new Map(report.probes.map((p) => [p.name, p]));
  return report.layers.map((l) => {
    const p = probes.get(l.layer)!;
    return {
      model: report.model.name,
      layer: l.layer,
      op: p.op,
      layout: p.kind,
      channels: p.channels,
      h: p.h,
      w: p.w,
      part: p.part ?? '',
      depth: p.depth,
      transform: l.transform,
      inv_mean: round(l.inv.mean),
      inv_std: round(l.inv.std),
      eqv_mean: round(l.eqv.mean),
      eqv_std: round(l.eqv.std),
      inv_defined_pairs: l.inv.defined,
      inv_undefined_pairs: l.inv.undefinedPairs,
      eqv_defined_pairs: l.eqv.defined,
      eqv_undefined_pairs: l.eqv.undefinedPairs,
      skipped: l.skipped !== undefined,
      skip_reason: l.skipped ?? '',
    };
  });
}

/** `layers.csv`: {@link layerRows} as CSV. */
export function layersCsv(report: ProbeReport): string {
  return stringify(layerRows(report), { header: true, cast: { boolean: (b) => String(b) } });
}

/** `parts.csv`: one row per transform × part. */
export function partsCsv(report: ProbeReport): string {
  const rows = report.parts.map((p) => ({ model: report.model.name, transform: p.transform, part: p.part, inv: round(p.inv), eqv: round(p.eqv), layers: p.layers }));
  return stringify(rows, { header: true, columns: ['model', 'transform', 'part', 'inv', 'eqv', 'layers'] });
}

/** `elements.csv`: per layer and group element (per-g scores; for translate, the shift, else empty). */
export function elementsCsv(report: ProbeReport): string {
  const rows = report.layers.flatMap((l) =>
    l.elements.map((e) => ({
      model: report.model.name,
      layer: l.layer,
      transform: l.transform,
      element: e.key,
      // A shift only means something for translate; elsewhere the cell is empty (not 0).
      shift: l.transform === 'translate' ? e.shift : '',
      inv_mean: round(e.inv.mean),
      eqv_mean: round(e.eqv.mean),
      inv_defined_pairs: e.inv.defined,
      inv_undefined_pairs: e.inv.undefinedPairs,
      eqv_defined_pairs: e.eqv.defined,
      eqv_undefined_pairs: e.eqv.undefinedPairs,
    })),
  );
  const columns = ['model', 'layer', 'transform', 'element', 'shift', 'inv_mean', 'eqv_mean', 'inv_defined_pairs', 'inv_undefined_pairs', 'eqv_defined_pairs', 'eqv_undefined_pairs'];
  return stringify(rows, { header: true, columns });
}
