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
import { stableNumber } from '../report/precision.js';
import { fixed, formatTable, partsTable, type PartsTableRow } from './tables.js';

/** Options of {@link compareOutputs}. */
export interface CompareOptions {
  /** Draw the plots (default true). */
  readonly plots?: boolean;
}

/** Everything `compare` prints and writes. */
export interface CompareOutputs {
  /** Part scores of all results, one row per model × transform × part (models by unique label). */
  readonly rows: readonly PartsTableRow[];
  /** Terminal table, one line per transform × part and inv/eqv columns per model (no final newline). */
  readonly table: string;
  /** compare.csv, then `compare_<transform>.svg/.png` per transform. */
  readonly files: readonly OutputFile[];
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
  if (options.plots ?? true) {
    for (const transform of transformsOf(reports)) {
      const { svg, png } = await renderSpec(comparePlot(reports, transform));
      files.push({ name: `compare_${transform}.svg`, content: svg }, { name: `compare_${transform}.png`, content: png });
    }
  }
  return { rows, table: formatCompareTable(rows), files };
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
