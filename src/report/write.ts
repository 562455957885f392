import type { ProbeReport } from '../types.js';
import type { OutputFile } from './atomic.js';
import { layerDepthPlot, shiftPlot } from './plots.js';
import { renderSpec } from './render.js';
import { elementsCsv, layersCsv, partsCsv } from './tables.js';

/** JSON with NaN written as null (JSON has no NaN), indented for people. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}

/**
 * The files of one measurement's result folder: `result.json` (the ProbeReport), `layers.csv`,
 * `parts.csv`, `elements.csv`, and plots drawn from the report (score by layer depth per
 * transform; score against shift). The run's state (for `merge`) is the `state/` folder beside them.
 */
export async function resultFiles(report: ProbeReport, plots = true): Promise<OutputFile[]> {
  const files: OutputFile[] = [
    { name: 'result.json', content: toJson(report) },
    { name: 'layers.csv', content: layersCsv(report) },
    { name: 'parts.csv', content: partsCsv(report) },
    { name: 'elements.csv', content: elementsCsv(report) },
  ];
  if (!plots) return files;
  for (const transform of report.config.transforms) {
    const { svg, png } = await renderSpec(layerDepthPlot(report, transform));
    files.push({ name: `layers_${transform}.svg`, content: svg }, { name: `layers_${transform}.png`, content: png });
  }
  if (report.config.transforms.includes('translate')) {
    const { svg, png } = await renderSpec(shiftPlot(report));
    files.push({ name: 'shift.svg', content: svg }, { name: 'shift.png', content: png });
  }
  return files;
}
