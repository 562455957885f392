/**
 * What `equiprobe correlate` does, minus commander and the disk write: choose the accuracy
 * source, correlate part scores with it (SPEC §6), and build the output files
 * (correlation.csv, correlation.json, one score-vs-accuracy scatter per part × transform).
 */
import { readFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import type { OutputFile } from '../report/atomic.js';
import { correlationScatter } from '../report/plots.js';
import type { LoadedReport } from '../report/read.js';
import { renderSpec } from '../report/render.js';
import { snakeKeys } from '../report/disk-format.js';
import { toJson } from '../report/write.js';
import type { ProbeReport } from '../types.js';
import * as msg from '../report/command-messages.js';
import { accuracyFromReports, correlateReports, correlationPoints, parseAccuracyCsv, type CorrelationRow } from '../correlation/correlate.js';
import { fixed, formatTable } from '../report/text-tables.js';

/** Where the accuracy values came from. */
export type AccuracySource =
  | { readonly kind: 'csv'; readonly path: string; readonly column: string }
  | { readonly kind: 'reports' };

/** Options of {@link resolveAccuracy} (named after the CLI flags). */
export interface AccuracyOptions {
  /** Path of a CSV with columns model,accuracy; without it, the reports' recorded top-1 is used. */
  readonly accuracy?: string;
  /** CSV column to read instead of `accuracy` (only with `accuracy`). */
  readonly column?: string;
}

/** Accuracy per model with its source. */
export interface ResolvedAccuracy {
  readonly accuracy: ReadonlyMap<string, number>;
  readonly source: AccuracySource;
}

/**
 * Picks the accuracy for correlation: the CSV when given, else the top-1 accuracy each result
 * recorded when measured with labels. Every model of `reports` must get a value.
 *
 * @param reports - Results to correlate.
 * @param options - `accuracy` CSV path and value `column`, see {@link AccuracyOptions}.
 * @returns Accuracy per model name and where it came from.
 * @throws Error when the CSV cannot be read; RangeError when the CSV is malformed, lacks models
 *   (listing them and the CSV names that match no result), or no accuracy source exists.
 * @example
 * resolveAccuracy([r18, r50], { accuracy: 'acc.csv' });
 * // { accuracy: Map { 'r18' => 0.69, 'r50' => 0.76 }, source: { kind: 'csv', path: 'acc.csv', column: 'accuracy' } }
 */
export function resolveAccuracy(reports: readonly ProbeReport[], options: AccuracyOptions = {}): ResolvedAccuracy {
  const names = [...new Set(reports.map((r) => r.model.name))];
  if (options.accuracy === undefined) {
    if (options.column !== undefined) throw new RangeError(msg.columnWithoutCsv(options.column));
    const recorded = accuracyFromReports(reports);
    if (recorded.size === 0) throw new RangeError(msg.noAccuracySource());
    const missing = names.filter((n) => !recorded.has(n));
    if (missing.length > 0) throw new RangeError(msg.missingRecordedAccuracy(missing));
    return { accuracy: recorded, source: { kind: 'reports' } };
  }
  const file = options.accuracy;
  const column = options.column ?? 'accuracy';
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(msg.accuracyCsvUnreadable(file, e.code ?? e.message));
  }
  const accuracy = parseAccuracyCsv(text, file, column);
  const missing = names.filter((n) => !accuracy.has(n));
  if (missing.length > 0) {
    const unused = [...accuracy.keys()].filter((n) => !names.includes(n));
    throw new RangeError(msg.unmatchedModels(file, missing, unused));
  }
  return { accuracy, source: { kind: 'csv', path: file, column } };
}

/** Options of {@link correlationOutputs}. */
export interface CorrelateOptions extends AccuracyOptions {
  /** Draw the scatter plots (default true). */
  readonly plots?: boolean;
}

/** Everything `correlate` prints and writes. */
export interface CorrelationOutputs {
  readonly rows: readonly CorrelationRow[];
  readonly accuracy: ResolvedAccuracy;
  /** Terminal table (no final newline). */
  readonly table: string;
  /** correlation.csv, correlation.json, then `scatter_<transform>_<part>.svg/.png` per part × transform. */
  readonly files: readonly OutputFile[];
}

/**
 * Correlates part scores of several results with accuracy and builds the files of
 * `equiprobe correlate`.
 *
 * @param loaded - Results from `readReports`, one or more per model (distinct transforms).
 * @param options - Accuracy source and whether to draw plots.
 * @returns Rows, the terminal table and the output files (not yet written).
 * @throws RangeError when fewer than two models are given, accuracy is missing for a model, or
 *   a model has two scores for one part and transform.
 * @example
 * const out = await correlationOutputs(await readReports(dirs), { accuracy: 'acc.csv' });
 * await writeFilesAtomic('results/correlate', out.files);
 */
export async function correlationOutputs(loaded: readonly LoadedReport[], options: CorrelateOptions = {}): Promise<CorrelationOutputs> {
  const reports = loaded.map((l) => l.report);
  const names = [...new Set(reports.map((r) => r.model.name))];
  if (names.length < 2) throw new RangeError(msg.tooFewModels(names));
  const resolved = resolveAccuracy(reports, options);
  const rows = correlateReports(reports, resolved.accuracy);
  const files: OutputFile[] = [
    { name: 'correlation.csv', content: correlationCsv(rows) },
    { name: 'correlation.json', content: correlationJson(rows, resolved, loaded) },
  ];
  if (options.plots ?? true) {
    for (const { transform, part } of uniquePairs(rows)) {
      const drawable = (['inv', 'eqv'] as const).some(
        (kind) => correlationPoints(reports, resolved.accuracy, part, transform, kind).length > 0,
      );
      if (!drawable) continue;
      const { svg, png } = await renderSpec(correlationScatter(reports, resolved.accuracy, part, transform));
      const base = scatterFileBase(transform, part);
      files.push({ name: `${base}.svg`, content: svg }, { name: `${base}.png`, content: png });
    }
  }
  return { rows, accuracy: resolved, table: formatCorrelationTable(rows), files };
}

/**
 * Base name of a scatter plot file, e.g. `scatter_rot90_late`.
 *
 * @example
 * scatterFileBase('rot90', 'Late'); // 'scatter_rot90_late'
 */
export function scatterFileBase(transform: string, part: string): string {
  return `scatter_${transform}_${part.toLowerCase()}`;
}

/**
 * `correlation.csv`: one row per transform × part × score with columns
 * transform, part, score, rho, n, p (empty when undefined).
 *
 * @example
 * correlationCsv(rows); // 'transform,part,score,rho,n,p\nrot90,Early,inv,1,4,0.0833333333333\n…'
 */
export function correlationCsv(rows: readonly CorrelationRow[]): string {
  const out = rows.map((r) => ({ transform: r.transform, part: r.part, score: r.score, rho: precise(r.rho), n: r.n, p: precise(r.p) }));
  return stringify(out, { header: true, columns: ['transform', 'part', 'score', 'rho', 'n', 'p'] });
}

/**
 * `correlation.json`: the accuracy source, each model's accuracy and result path, and the rows
 * (6 significant digits, null where undefined), keys snake_cased like result.json.
 */
export function correlationJson(rows: readonly CorrelationRow[], accuracy: ResolvedAccuracy, loaded: readonly LoadedReport[]): string {
  return toJson(snakeKeys({
    method: 'spearman',
    pValue: 'two-sided; exact permutation for n <= 9, t-approximation with n-2 degrees of freedom above',
    accuracySource: accuracy.source,
    models: loaded.map((l) => ({ model: l.report.model.name, result: l.file, accuracy: accuracy.accuracy.get(l.report.model.name) ?? null })),
    rows,
  }));
}

/**
 * The terminal table of `correlate`: transform, part, score, ρ, n, p.
 *
 * @example
 * formatCorrelationTable(rows);
 * // "transform  part   score    rho  n       p\n---------  …\nrot90      Early  inv    1.000  4  0.0833"
 */
export function formatCorrelationTable(rows: readonly CorrelationRow[]): string {
  const display = rows.map((r) => ({
    transform: r.transform,
    part: r.part,
    score: r.score,
    rho: r.rho === null ? '-' : fixed(r.rho, 3),
    n: r.n,
    p: r.p === null ? '-' : r.p !== 0 && r.p < 1e-4 ? r.p.toExponential(1) : r.p.toFixed(4),
  }));
  return formatTable(display, [
    'transform',
    'part',
    'score',
    { key: 'rho', align: 'right' },
    'n',
    { key: 'p', align: 'right' },
  ]);
}

/** Distinct (transform, part) pairs in row order. */
function uniquePairs(rows: readonly CorrelationRow[]): Pick<CorrelationRow, 'transform' | 'part'>[] {
  const seen = new Set<string>();
  const out: Pick<CorrelationRow, 'transform' | 'part'>[] = [];
  for (const r of rows) {
    const key = `${r.transform}|${r.part}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ transform: r.transform, part: r.part });
  }
  return out;
}

/** Twelve significant digits: float noise (0.9999999999999998) goes, small p-values stay. */
function precise(v: number | null): number | '' {
  return v === null || !Number.isFinite(v) ? '' : Number(v.toPrecision(12));
}
