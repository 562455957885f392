import type { ProbeReport } from '../types.js';
import { writeFilesAtomic, type OutputFile } from './atomic.js';
import { fromDisk, toDisk } from './disk-format.js';
import { layerDepthPlot, shiftPlot } from './plots.js';
import { renderSpec } from './render.js';
import { stableNumber } from './precision.js';
import { elementsCsv, layerRows, layersCsv, partsCsv } from './tables.js';

/** JSON with NaN written as null (JSON has no NaN), numbers at a fixed precision (byte-stable re-runs), indented for people. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, (_k, v) => (typeof v !== 'number' ? v : Number.isFinite(v) ? stableNumber(v) : null), 2)}\n`;
}

/** The text of result.json: the report in its on-disk form (snake_case keys, see `disk-format.ts`). */
export function resultJson(report: ProbeReport): string {
  return toJson(toDisk(report));
}

/**
 * The files of one measurement's result folder: `result.json` (the ProbeReport), `layers.csv`
 * and the same rows as `layers.json` (a records array: `pandas.read_json` reads it), `parts.csv`,
 * `elements.csv`, and plots drawn from the report (score by layer depth per transform; score
 * against shift). The run's state (for `merge`) is the `state/` folder beside them.
 */
export async function resultFiles(measured: ProbeReport, plots = true): Promise<OutputFile[]> {
  const json = resultJson(measured);
  // Tables and plots show exactly the numbers of result.json (rounded), so they are as stable as it is.
  const report = fromDisk(JSON.parse(json));
  const files: OutputFile[] = [
    { name: 'result.json', content: json },
    { name: 'layers.json', content: toJson(layerRows(report)) },
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

/**
 * Writes a measurement's result files (those of {@link resultFiles}) atomically: a reader never
 * sees half-written files, and an earlier result there is replaced only when all are written.
 * The state for `merge` stays where `measure`'s `stateDir` put it.
 *
 * @param dir - the result folder (created if missing)
 * @param result - what `measure` or `mergeResults` returned
 * @param options - `plots: false` skips the PNG/SVG plots
 * @example
 * await writeResult('results/p4cnn', await measure({ model: 'p4cnn.onnx', preset: 'fmnist', images: 'val' }));
 */
export async function writeResult(dir: string, result: { readonly report: ProbeReport }, options: { readonly plots?: boolean } = {}): Promise<void> {
  await writeFilesAtomic(dir, await resultFiles(result.report, options.plots ?? true));
}
