/**
 * What `equiprobe report` does, minus commander and the disk write: one self-contained HTML
 * page for several results, with a correlation section when accuracy is available.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { writeFilesAtomic, type OutputFile } from '../report/atomic.js';
import { renderHtmlReport } from '../report/html.js';
import { readReports, type LoadedReport } from '../report/read.js';
import * as msg from '../report/command-messages.js';
import { accuracyFromReports, correlateReports, type CorrelationRow } from '../correlation/correlate.js';
import { resolveAccuracy, type AccuracyOptions } from './correlate-run.js';

/** Options of {@link htmlReportOutput}. */
export interface ReportOptions extends AccuracyOptions {
  /** Page title (default "equiprobe report"). */
  readonly title?: string;
}

/** The page to write and where. */
export interface HtmlReportOutput {
  /** Folder to pass to `writeFilesAtomic`. */
  readonly dir: string;
  /** The HTML file, named relative to `dir`. */
  readonly file: OutputFile;
  /** Whether the page has a correlation section, and where its accuracy came from. */
  readonly correlation: 'csv' | 'reports' | null;
}

/**
 * Renders results as one HTML page (see `renderHtmlReport`) and says where to write it.
 *
 * Accuracy: with `options.accuracy` the CSV is used and must cover every model; without it,
 * the recorded top-1 is used when every model has one, there are at least two models and no
 * model is scored twice under one transform; otherwise the page has no correlation section
 * (a report never fails for lack of labels).
 *
 * @param loaded - Results from `readReports`, in page order.
 * @param out - Path of the HTML file to write.
 * @param options - Accuracy CSV and column, page title.
 * @returns Folder, file and which correlation the page shows.
 * @throws RangeError when `out` is an existing folder, or the CSV lacks a model.
 * @example
 * const { dir, file } = await htmlReportOutput(await readReports(dirs), 'results/report.html');
 * await writeFilesAtomic(dir, [file]);
 */
export async function htmlReportOutput(loaded: readonly LoadedReport[], out: string, options: ReportOptions = {}): Promise<HtmlReportOutput> {
  const target = htmlTarget(out);
  const reports = loaded.map((l) => l.report);
  let accuracy: ReadonlyMap<string, number> | undefined;
  let source: HtmlReportOutput['correlation'] = null;
  if (options.accuracy !== undefined || options.column !== undefined) {
    const resolved = resolveAccuracy(reports, options);
    accuracy = resolved.accuracy;
    source = resolved.source.kind;
  } else {
    const names = new Set(reports.map((r) => r.model.name));
    const recorded = accuracyFromReports(reports);
    if (names.size >= 2 && [...names].every((n) => recorded.has(n)) && !scoresTwice(loaded)) {
      accuracy = recorded;
      source = 'reports';
    }
  }
  const correlation: CorrelationRow[] | undefined = accuracy ? correlateReports(reports, accuracy) : undefined;
  const html = await renderHtmlReport(reports, { accuracy, correlation, title: options.title });
  return { dir: target.dir, file: { name: target.name, content: html }, correlation: source };
}

/** Whether two results score the same model under the same transform (so ranking models is ambiguous). */
function scoresTwice(loaded: readonly LoadedReport[]): boolean {
  const seen = new Set<string>();
  for (const { report } of loaded) {
    for (const transform of new Set(report.parts.map((p) => p.transform))) {
      const key = `${report.model.name}|${transform}`;
      if (seen.has(key)) return true;
      seen.add(key);
    }
  }
  return false;
}

/** Splits the HTML path into folder and file name, refusing an existing folder. */
function htmlTarget(out: string): { dir: string; name: string } {
  let isDir = /[\\/]$/.test(out);
  try {
    isDir ||= statSync(out).isDirectory();
  } catch {
    // Not there yet: it will be created.
  }
  if (isDir) throw new RangeError(msg.htmlOutIsFolder(out));
  return { dir: path.dirname(out), name: path.basename(out) };
}

/**
 * Writes the HTML report of several result folders (what `equiprobe report` does).
 *
 * @param results - result folders or their result.json, in page order
 * @param out - the HTML file to write
 * @param options - accuracy CSV and column, page title (see {@link htmlReportOutput})
 * @example
 * await writeReport(['results/cnn7', 'results/vit'], 'results/report.html', { title: 'zoo' });
 */
export async function writeReport(results: readonly string[], out: string, options: ReportOptions = {}): Promise<void> {
  const { dir, file } = await htmlReportOutput(await readReports(results), out, options);
  await writeFilesAtomic(dir, [file]);
}
