import { formatTable } from './text-tables.js';
import type { ProbeReport, ScoreUncertainty } from '../types.js';

/** `[lo, hi]` to 3 decimals, or `-` without an interval. */
function interval(u: ScoreUncertainty | undefined): string {
  return u && u.lo !== null && u.hi !== null ? `[${u.lo.toFixed(3)}, ${u.hi.toFixed(3)}]` : '-';
}

/** The short terminal summary of a measurement: part scores per transform, and accuracy when known. */
export function formatSummary(report: ProbeReport): string {
  const images = report.config.images === null ? `${report.images.used} synthetic noise images` : `${report.images.used} images`;
  const lines = [`${report.model.name}: ${images}, ${report.probes.length} probes, ${report.config.similarity}`];
  const rows = report.parts.map((p) => ({
    transform: p.transform,
    part: p.part,
    inv: p.inv,
    'inv 95%': interval(p.uncertainty?.inv),
    eqv: p.eqv,
    'eqv 95%': interval(p.uncertainty?.eqv),
    'eqv null': p.uncertainty?.eqv.chance ?? null,
    'eqv excess': p.uncertainty?.eqv.excess ?? null,
    layers: p.layers,
  }));
  lines.push(
    formatTable(rows, ['transform', 'part', { key: 'inv', digits: 3 }, 'inv 95%', { key: 'eqv', digits: 3 }, 'eqv 95%', { key: 'eqv null', digits: 3 }, { key: 'eqv excess', digits: 3 }, 'layers']),
  );
  if (report.images.skipped.length > 0) lines.push(`${report.images.skipped.length} image file(s) skipped (see result.json)`);
  if (report.accuracy) {
    const acc = report.accuracy;
    lines.push(`top-1 ${acc.top1.toFixed(4)}` + acc.transforms.map((t) => `, ${t.transform} group-avg ${t.groupAverage.toFixed(4)}`).join(''));
  }
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}
