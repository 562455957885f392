import { stringify } from 'csv-stringify/sync';
import type { ProbeReport, Uncertainty } from '../types.js';
import { stableNumber } from './precision.js';

/** A number cell: rounded (see `precision.ts`), empty when undefined. */
const round = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? stableNumber(v) : '');

/** Interval, chance-level and excess columns of a layer or part (SPEC §4b), empty when absent. */
export const UNCERTAINTY_COLUMNS = [
  'inv_lo', 'inv_hi', 'eqv_lo', 'eqv_hi', 'interval_reason',
  'inv_null', 'eqv_null', 'inv_above', 'eqv_above', 'inv_excess', 'eqv_excess', 'inv_excess_reason', 'eqv_excess_reason',
] as const;

/** The columns of `UNCERTAINTY_COLUMNS` for one layer or part. */
export function uncertaintyColumns(u: Uncertainty | undefined): Record<(typeof UNCERTAINTY_COLUMNS)[number], number | string> {
  return {
    inv_lo: round(u?.inv.lo),
    inv_hi: round(u?.inv.hi),
    eqv_lo: round(u?.eqv.lo),
    eqv_hi: round(u?.eqv.hi),
    interval_reason: u?.eqv.intervalReason ?? u?.inv.intervalReason ?? '',
    inv_null: round(u?.inv.chance),
    eqv_null: round(u?.eqv.chance),
    inv_above: round(u?.inv.above),
    eqv_above: round(u?.eqv.above),
    inv_excess: round(u?.inv.excess),
    eqv_excess: round(u?.eqv.excess),
    inv_excess_reason: u?.inv.excessReason ?? '',
    eqv_excess_reason: u?.eqv.excessReason ?? '',
  };
}

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
      defined_pairs: l.inv.defined,
      undefined_pairs: l.inv.undefinedPairs,
      near_constant: l.inv.nearConstant,
      one_sided: l.inv.oneSided,
      skipped: l.skipped !== undefined,
      skip_reason: l.skipped ?? '',
      ...uncertaintyColumns(l.uncertainty),
    };
  });
}

/** `layers.csv`: {@link layerRows} as CSV. */
export function layersCsv(report: ProbeReport): string {
  return stringify(layerRows(report), { header: true, cast: { boolean: (b) => String(b) } });
}

/** `parts.csv`: one row per transform × part. */
export function partsCsv(report: ProbeReport): string {
  const rows = report.parts.map((p) => ({ model: report.model.name, transform: p.transform, part: p.part, inv: round(p.inv), eqv: round(p.eqv), layers: p.layers, ...uncertaintyColumns(p.uncertainty) }));
  return stringify(rows, { header: true, columns: ['model', 'transform', 'part', 'inv', 'eqv', 'layers', ...UNCERTAINTY_COLUMNS] });
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
      defined_pairs: e.inv.defined,
      undefined_pairs: e.inv.undefinedPairs,
      near_constant: e.inv.nearConstant,
      one_sided: e.inv.oneSided,
    })),
  );
  return stringify(rows, {
    header: true,
    columns: ['model', 'layer', 'transform', 'element', 'shift', 'inv_mean', 'eqv_mean', 'defined_pairs', 'undefined_pairs', 'near_constant', 'one_sided'],
  });
}
