import { formatTable } from '../analysis/tables.js';
import type { ProbeReport } from '../types.js';

/** The short terminal summary of a measurement: part scores per transform, and accuracy when known. */
export function formatSummary(report: ProbeReport): string {
  const images = report.config.images === null ? `${report.images.used} synthetic noise images` : `${report.images.used} images`;
  const lines = [`${report.model.name}: ${images}, ${report.probes.length} probes, ${report.config.similarity}`];
  lines.push(formatTable(report.parts.map((p) => ({ ...p })), ['transform', 'part', { key: 'inv', digits: 3 }, { key: 'eqv', digits: 3 }, 'layers']));
  if (report.images.skipped.length > 0) lines.push(`${report.images.skipped.length} image file(s) skipped (see result.json)`);
  if (report.accuracy) {
    const acc = report.accuracy;
    lines.push(`top-1 ${acc.top1.toFixed(4)}` + acc.transforms.map((t) => `, ${t.transform} group-avg ${t.groupAverage.toFixed(4)}`).join(''));
  }
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}
