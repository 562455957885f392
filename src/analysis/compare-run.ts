/**
 * What `equiprobe compare` does, minus commander and the disk write: a side-by-side table of
 * part scores for the terminal, compare.csv, and per transform the Fig. 5/7-style plot.
 */
import { stringify } from 'csv-stringify/sync';
import type { OutputFile } from '../report/atomic.js';
import { comparePlot } from '../report/plots.js';
import { uniqueModelLabels } from '../report/plots-theme.js';
import type { LoadedReport } from '../report/read.js';
import { renderSpec } from '../report/render.js';
import { PARTS, TRANSFORM_NAMES, type ProbeReport, type TransformName } from '../types.js';
import { elementsFor } from '../pipeline.js';
import type { MapImageSums } from '../measure/per-image-read.js';
import { pairedParts, type PairedInput, type PairedOutcome, type PairedRow } from './paired-results.js';
import { rowLayout, type RowLayout } from '../stats/per-image.js';
import { stableNumber } from '../report/precision.js';
import { fixed, formatTable, partsTable, type PartsTableRow } from '../report/text-tables.js';

/** Options of {@link compareOutputs}. */
export interface CompareOptions {
  /** Draw the plots (default true). */
  readonly plots?: boolean;
  /** Reads a result's per-image map sums (from its folder), or null; enables paired differences against the first result. */
  readonly readImages?: (loaded: LoadedReport, layout: RowLayout) => Promise<MapImageSums | null>;
}

/** Everything `compare` prints and writes. */
export interface CompareOutputs {
  /** Part scores of all results, one row per model × transform × part (models by unique label). */
  readonly rows: readonly PartsTableRow[];
  /** Terminal table, one line per transform × part and inv/eqv columns per model (no final newline). */
  readonly table: string;
  /** compare.csv, compare_paired.csv (with states), then `compare_<transform>.svg/.png` per transform. */
  readonly files: readonly OutputFile[];
  /** Paired differences of each result against the first (SPEC §4b), or why there are none. */
  readonly paired: readonly PairedOutcome[];
}

/**
 * Builds the table and files of `equiprobe compare`.
 *
 * @param loaded - Results from `readReports`, in the order to show them.
 * @param options - Whether to draw plots.
 * @returns Rows, terminal table and output files (not yet written).
 * @example
 * const out = await compareOutputs(await readReports(['results/r18', 'results/vit']));
 * await writeFilesAtomic('results/compare', out.files); // compare.csv, compare_rot90.png, …
 */
export async function compareOutputs(loaded: readonly LoadedReport[], options: CompareOptions = {}): Promise<CompareOutputs> {
  const reports = loaded.map((l) => l.report);
  const rows = labelledPartsTable(reports);
  const files: OutputFile[] = [{ name: 'compare.csv', content: compareCsv(rows) }];
  const labels = uniqueModelLabels(reports);
  const inputs: PairedInput[] = [];
  if (options.readImages) {
    for (const [i, l] of loaded.entries()) {
      const layout = rowLayout(l.report.probes, elementsFor(l.report.config.transforms, l.report.config.shifts, l.report.model.input.height));
      inputs.push({ label: labels[i], report: l.report, images: await options.readImages(l, layout), layout });
    }
  }
  const paired = inputs.slice(1).map((b) => pairedParts(inputs[0], b));
  const pairedRows = paired.flatMap((o) => ('rows' in o ? o.rows : []));
  if (pairedRows.length > 0) files.push({ name: 'compare_paired.csv', content: pairedCsv(pairedRows) });
  if (options.plots ?? true) {
    for (const transform of transformsOf(reports)) {
      const { svg, png } = await renderSpec(comparePlot(reports, transform));
      files.push({ name: `compare_${transform}.svg`, content: svg }, { name: `compare_${transform}.png`, content: png });
    }
  }
  const table = [formatCompareTable(rows), ...paired.map((o) => ('rows' in o ? formatPairedTable(o.rows) : `paired differences: none — ${o.reason}`))].join('\n\n');
  return { rows, table, files, paired };
}

/**
 * Part scores of several results, like `partsTable`, but with models named by their unique
 * label (`r18`, `r18 (2)`) so two results of one model stay apart.
 */
export function labelledPartsTable(reports: readonly ProbeReport[]): PartsTableRow[] {
  const labels = uniqueModelLabels(reports);
  return reports.flatMap((r, i) => partsTable([r]).map((row) => ({ ...row, model: labels[i] })));
}

/**
 * `compare.csv`: tidy, one row per model × transform × part with columns
 * model, transform, part, inv, eqv, layers (scores to 6 decimals, empty when undefined).
 */
export function compareCsv(rows: readonly PartsTableRow[]): string {
  const out = rows.map((r) => ({ ...r, inv: round(r.inv), eqv: round(r.eqv) }));
  return stringify(out, { header: true, columns: ['model', 'transform', 'part', 'inv', 'eqv', 'layers'] });
}

/**
 * Side-by-side terminal table: one line per transform × part, columns `<model> inv` and
 * `<model> eqv` for each model in input order; `-` where a model lacks that part.
 *
 * @example
 * formatCompareTable(rows);
 * // "transform  part    r18 inv  r18 eqv  vit inv  vit eqv\n…\nrot90      Early    0.1234   0.4567   0.2000   0.5000"
 */
export function formatCompareTable(rows: readonly PartsTableRow[]): string {
  const models = [...new Set(rows.map((r) => r.model))];
  const byKey = new Map(rows.map((r) => [`${r.model}|${r.transform}|${r.part}`, r]));
  const wide: Record<string, string>[] = [];
  for (const transform of TRANSFORM_NAMES) {
    for (const part of PARTS) {
      if (!rows.some((r) => r.transform === transform && r.part === part)) continue;
      const line: Record<string, string> = { transform, part };
      for (const m of models) {
        const r = byKey.get(`${m}|${transform}|${part}`);
        line[`${m} inv`] = formatScore(r?.inv);
        line[`${m} eqv`] = formatScore(r?.eqv);
      }
      wide.push(line);
    }
  }
  const scoreColumns = models.flatMap((m) => [`${m} inv`, `${m} eqv`].map((key) => ({ key, align: 'right' as const })));
  return formatTable(wide, ['transform', 'part', ...scoreColumns]);
}

/**
 * `compare_paired.csv`: per pair of results, transform, part and score: A − B over the images both
 * hold, its paired-bootstrap 95 % interval and p-value (SPEC §4b).
 */
export function pairedCsv(rows: readonly PairedRow[]): string {
  const out = rows.map((r) => ({ a: r.a, b: r.b, transform: r.transform, part: r.part, score: r.score, images: r.images, difference: round(r.difference), lo: round(r.interval.lo), hi: round(r.interval.hi), p: round(r.p) }));
  return stringify(out, { header: true, columns: ['a', 'b', 'transform', 'part', 'score', 'images', 'difference', 'lo', 'hi', 'p'] });
}

/** Terminal table of paired differences, one line per transform × part × score. */
export function formatPairedTable(rows: readonly PairedRow[]): string {
  if (rows.length === 0) return 'paired differences: none (no map part in common)';
  const head = `paired differences ${rows[0].a} − ${rows[0].b} on ${rows[0].images} shared images (95 % paired bootstrap; Pool and Final, correlations across images, are not paired)`;
  const lines = rows.map((r) => ({
    transform: r.transform,
    part: r.part,
    score: r.score,
    difference: formatScore(r.difference),
    '95%': r.interval.lo === null || r.interval.hi === null ? '-' : `[${r.interval.lo.toFixed(4)}, ${r.interval.hi.toFixed(4)}]`,
    p: r.p === null ? '-' : r.p.toFixed(4),
  }));
  return `${head}\n${formatTable(lines, ['transform', 'part', 'score', { key: 'difference', align: 'right' }, '95%', { key: 'p', align: 'right' }])}`;
}

/** Transforms with part scores in any report, in registry order. */
function transformsOf(reports: readonly ProbeReport[]): TransformName[] {
  return TRANSFORM_NAMES.filter((t) => reports.some((r) => r.parts.some((p) => p.transform === t)));
}

/** Four decimals always (formatTable would print a score of exactly 1 as `1`); `-` for none (null in JSON when a part had no defined pairs). */
function formatScore(v: number | null | undefined): string {
  return typeof v === 'number' && Number.isFinite(v) ? fixed(v, 4) : '-';
}

function round(v: number | null): number | '' {
  return typeof v === 'number' && Number.isFinite(v) ? stableNumber(v) : '';
}
