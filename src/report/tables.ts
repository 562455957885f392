import { stringify } from 'csv-stringify/sync';
import type { ProbeReport } from '../types.js';

const round = (v: number | null) => (v !== null && Number.isFinite(v) ? Number(v.toFixed(6)) : '');

/**
 * `layers.csv`: one row per layer × transform (tidy: every column named, one observation a row).
 */
export function layersCsv(report: ProbeReport): string {
  const probes = new Map(report.probes.map((p) => [p.name, p]));
  const rows = report.layers.map((l) => {
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
      skipped: l.skipped ?? '',
    };
  });
  return stringify(rows, { header: true });
}

/** `parts.csv`: one row per transform × part. */
export function partsCsv(report: ProbeReport): string {
  const rows = report.parts.map((p) => ({ model: report.model.name, transform: p.transform, part: p.part, inv: round(p.inv), eqv: round(p.eqv), layers: p.layers }));
  return stringify(rows, { header: true, columns: ['model', 'transform', 'part', 'inv', 'eqv', 'layers'] });
}

/** `elements.csv`: per layer and group element (per-g scores; for translate, the shift). */
export function elementsCsv(report: ProbeReport): string {
  const rows = report.layers.flatMap((l) =>
    l.elements.map((e) => ({
      model: report.model.name,
      layer: l.layer,
      transform: l.transform,
      element: e.key,
      shift: e.shift,
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
