/**
 * Correlation of part scores with accuracy across models (SPEC §6), and the two sources of
 * accuracy: a `model,accuracy` CSV or the top-1 accuracy stored in each result.
 */
import { readFileSync } from 'node:fs';
import { PARTS, TRANSFORM_NAMES, type Part, type ProbeReport, type ScoreName, type TransformName } from '../types.js';
import { CsvSyntaxError, parseCsv, type CsvRecord } from '../csv.js';
import * as msg from './messages.js';
import { spearman } from './spearman.js';

/** Which score of a part is correlated: invariance or equivariance, raw or as excess over chance (SPEC §4b). */
export type CorrelatedScore = ScoreName | `${ScoreName}_excess`;

/** The raw score kinds, in the order rows and plots use. */
export const SCORE_KINDS: readonly CorrelatedScore[] = ['inv', 'eqv'];

/** Excess-over-chance kinds, correlated too when the results carry chance levels. */
export const EXCESS_KINDS: readonly CorrelatedScore[] = ['inv_excess', 'eqv_excess'];

/** A part's score of one kind (null when it has none, e.g. a saturated chance level). */
export function partScore(ps: ProbeReport['parts'][number], kind: CorrelatedScore): number | null {
  if (kind === 'inv' || kind === 'eqv') return ps[kind];
  return ps.uncertainty?.[kind === 'inv_excess' ? 'inv' : 'eqv'].excess ?? null;
}

/** Spearman correlation of one part score with accuracy across models. */
export interface CorrelationRow {
  readonly part: Part;
  readonly score: CorrelatedScore;
  readonly transform: TransformName;
  /** Spearman's ρ, or null when all scores or all accuracies are tied. */
  readonly rho: number | null;
  /** Number of models with this part score. */
  readonly n: number;
  /** Two-sided p-value, or null when rho is null or n < 3. */
  readonly p: number | null;
}

/** One model's point in a correlation: its part score and accuracy. */
export interface CorrelationPoint {
  readonly model: string;
  readonly score: number;
  readonly accuracy: number;
}

/**
 * Spearman's ρ between part score and accuracy for each transform × part × {inv, eqv} present
 * in the reports, and also for {inv_excess, eqv_excess} when the results carry chance levels. Models are matched by `report.model.name`. A model lacking a part
 * (e.g. no Pool detected) or with a non-finite score is left out of that row only.
 *
 * @param reports - One or more results; several results of one model are fine as long as they
 *   do not score the same transform twice.
 * @param accuracy - Accuracy per model name, e.g. from {@link readAccuracyCsv}.
 * @returns Rows ordered by transform, then part (Early…Final), then inv before eqv.
 * @throws RangeError when a model has no accuracy, or one model has two scores for one row.
 * @example
 * correlateReports([r50, vit, convnext], new Map([['r50', 0.76], ['vit', 0.81], ['convnext', 0.82]]));
 * // [{ part: 'Early', score: 'inv', transform: 'rot90', rho: 0.5, n: 3, p: 1 }, …]
 */
export function correlateReports(
  reports: readonly ProbeReport[],
  accuracy: ReadonlyMap<string, number>,
): CorrelationRow[] {
  const missing = [...new Set(reports.map((r) => r.model.name))].filter((name) => !accuracy.has(name));
  if (missing.length > 0) throw new RangeError(msg.noAccuracyFor(missing));
  const rows: CorrelationRow[] = [];
  const kinds = reports.some((r) => r.parts.some((p) => p.uncertainty)) ? [...SCORE_KINDS, ...EXCESS_KINDS] : SCORE_KINDS;
  for (const transform of TRANSFORM_NAMES) {
    for (const part of PARTS) {
      if (!reports.some((r) => r.parts.some((p) => p.transform === transform && p.part === part))) continue;
      for (const score of kinds) rows.push(correlationRow(correlationPoints(reports, accuracy, part, transform, score), part, transform, score));
    }
  }
  return rows;
}

/**
 * The {@link CorrelationRow} of these points: Spearman's ρ, n and p of score against accuracy. The
 * one place ρ is computed, for the tables and the scatter plots' titles alike.
 */
export function correlationRow(points: readonly CorrelationPoint[], part: Part, transform: TransformName, score: CorrelatedScore): CorrelationRow {
  const { rho, n, p } = spearman(
    points.map((pt) => pt.score),
    points.map((pt) => pt.accuracy),
  );
  return { part, score, transform, rho, n, p };
}

/**
 * The (score, accuracy) pairs behind one {@link CorrelationRow}, for plotting.
 *
 * @returns One point per model that has this part score and an accuracy, in report order.
 * @throws RangeError when one model has two scores for this part and transform.
 */
export function correlationPoints(
  reports: readonly ProbeReport[],
  accuracy: ReadonlyMap<string, number>,
  part: Part,
  transform: TransformName,
  score: CorrelatedScore,
): CorrelationPoint[] {
  const points: CorrelationPoint[] = [];
  const seen = new Set<string>();
  for (const report of reports) {
    const name = report.model.name;
    const acc = accuracy.get(name);
    for (const ps of report.parts) {
      if (ps.transform !== transform || ps.part !== part) continue;
      if (seen.has(name)) throw new RangeError(msg.duplicateModelScore(name, transform, part));
      seen.add(name);
      const value = partScore(ps, score);
      // JSON turns NaN into null, so a part with no defined pairs can arrive as null.
      if (acc === undefined || typeof value !== 'number' || !Number.isFinite(value)) continue;
      points.push({ model: name, score: value, accuracy: acc });
    }
  }
  return points;
}

/**
 * Accuracy per model from the top-1 accuracy equiprobe measured with labels (SPEC §7).
 * Results without labels are skipped, so the map may lack models; pair it with a CSV then.
 *
 * @returns Map from `report.model.name` to `report.accuracy.top1`.
 * @throws RangeError when two results of one model disagree on top-1.
 * @example
 * accuracyFromReports([r50]); // Map { 'r50' => 0.75 }
 */
export function accuracyFromReports(reports: readonly ProbeReport[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const report of reports) {
    if (report.accuracy === null || report.accuracy === undefined) continue;
    const name = report.model.name;
    const top1 = report.accuracy.top1;
    const previous = out.get(name);
    // Different values mean different image sets; silently picking one would bias the ranking.
    if (previous !== undefined && Math.abs(previous - top1) > 1e-12) {
      throw new RangeError(msg.conflictingAccuracy(name, previous, top1));
    }
    out.set(name, top1);
  }
  return out;
}

/**
 * Reads an accuracy CSV (see {@link parseAccuracyCsv}) from disk.
 *
 * @param path - File with header `model,accuracy`; extra columns are ignored.
 * @param column - Column to read instead of `accuracy` (e.g. `c4_avg_accuracy`).
 * @returns Map from model name to accuracy.
 * @throws Error from the file system (e.g. ENOENT), RangeError for malformed content.
 */
export function readAccuracyCsv(path: string, column = 'accuracy'): Map<string, number> {
  return parseAccuracyCsv(readFileSync(path, 'utf8'), path, column);
}

/**
 * Parses accuracy CSV text: a header naming at least `model` and `accuracy` (any order,
 * case-insensitive, extra columns allowed), then one line per model. RFC 4180 quoting is
 * understood so model names may contain commas. A trailing `%` is accepted and kept on the
 * percent scale (Spearman only uses ranks). Blank lines are skipped; a model listed twice
 * with the same value is fine, with different values an error.
 *
 * @param text - CSV content.
 * @param source - Name used in error messages (the file path).
 * @param column - Name of the value column (default `accuracy`), so one CSV can hold several metrics.
 * @returns Map from model name to accuracy.
 * @throws RangeError naming the file and line of the first problem.
 * @example
 * parseAccuracyCsv('model,accuracy\nr50,0.76\nvit,0.81\n'); // Map { 'r50' => 0.76, 'vit' => 0.81 }
 */
export function parseAccuracyCsv(text: string, source = 'accuracy CSV', column = 'accuracy'): Map<string, number> {
  const records = readCsv(text, source).filter((r) => r.fields.some((f) => f.trim() !== ''));
  const header = records.length > 0 ? records[0].fields.map((h) => h.trim().toLowerCase()) : [];
  const modelCol = header.indexOf('model');
  const accCol = header.indexOf(column.toLowerCase());
  if (modelCol < 0) throw new RangeError(msg.csvMissingColumn(source, 'model', header));
  if (accCol < 0) throw new RangeError(msg.csvMissingColumn(source, column, header));
  const out = new Map<string, number>();
  for (const { line, fields } of records.slice(1)) {
    const model = (fields[modelCol] ?? '').trim();
    const raw = (fields[accCol] ?? '').trim();
    if (model === '') throw new RangeError(msg.csvEmptyModel(source, line));
    const numeric = raw.endsWith('%') ? raw.slice(0, -1).trim() : raw;
    const value = numeric === '' ? Number.NaN : Number(numeric);
    if (!Number.isFinite(value)) throw new RangeError(msg.csvBadAccuracy(source, line, raw));
    const previous = out.get(model);
    if (previous !== undefined && previous !== value) throw new RangeError(msg.csvDuplicateModel(source, line, model));
    out.set(model, value);
  }
  if (out.size === 0) throw new RangeError(msg.csvNoRows(source));
  return out;
}

/** The records of accuracy CSV text, with a quote left open reported as a RangeError naming the file and line. */
function readCsv(text: string, source: string): CsvRecord[] {
  try {
    return parseCsv(text, 'a quoted field is not closed.');
  } catch (e) {
    if (e instanceof CsvSyntaxError) throw new RangeError(msg.csvUnclosedQuote(source, e.line));
    throw e;
  }
}
