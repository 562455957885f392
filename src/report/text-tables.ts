/**
 * Tabular views of results for `equiprobe compare` and a plain-text formatter for the terminal.
 */
import { PARTS, TRANSFORM_NAMES, type Part, type ProbeReport, type TransformName } from '../types.js';

/** One row of the part-score comparison: one model, transform and part. */
export interface PartsTableRow {
  readonly model: string;
  readonly transform: TransformName;
  readonly part: Part;
  /** Null when no layer of the part has a defined pair. */
  readonly inv: number | null;
  readonly eqv: number | null;
  /** Number of layers averaged into the part score. */
  readonly layers: number;
}

/** A column of {@link formatTable}: which key to show and how. */
export interface TableColumn<R extends object = Record<string, unknown>> {
  readonly key: keyof R & string;
  /** Header text; defaults to the key. */
  readonly header?: string;
  /** Defaults to right for numbers, left otherwise (decided per column from its values). */
  readonly align?: 'left' | 'right';
  /** Decimal places for numbers (default 4); integers are printed as they are. */
  readonly digits?: number;
}

/**
 * Part scores of several results as rows, for `compare` and CSV/terminal output.
 *
 * @param reports - Results in the order the user gave them.
 * @returns Rows ordered by model (input order), transform (registry order), part (Early…Final).
 * @example
 * partsTable([r50]);
 * // [{ model: 'r50', transform: 'rot90', part: 'Early', inv: 0.41, eqv: 0.62, layers: 6 }, …]
 */
export function partsTable(reports: readonly ProbeReport[]): PartsTableRow[] {
  const rows: PartsTableRow[] = [];
  for (const report of reports) {
    const sorted = [...report.parts].sort(
      (a, b) =>
        TRANSFORM_NAMES.indexOf(a.transform) - TRANSFORM_NAMES.indexOf(b.transform) ||
        PARTS.indexOf(a.part) - PARTS.indexOf(b.part),
    );
    for (const p of sorted) {
      rows.push({ model: report.model.name, transform: p.transform, part: p.part, inv: p.inv, eqv: p.eqv, layers: p.layers });
    }
  }
  return rows;
}

/**
 * Formats rows as an aligned plain-text table: a header line, a dashed rule, one line per row,
 * columns separated by two spaces, no trailing spaces. null/undefined/NaN print as `-`.
 *
 * @param rows - Plain objects (e.g. {@link PartsTableRow}).
 * @param columns - Keys to show, as names or {@link TableColumn} objects.
 * @returns The table, lines joined with `\n`, no final newline.
 * @example
 * formatTable([{ model: 'r50', inv: 0.5 }], ['model', { key: 'inv', digits: 2 }]);
 * // "model   inv\n-----  ----\nr50    0.50"
 */
export function formatTable<R extends object>(
  rows: readonly R[],
  columns: readonly (TableColumn<R> | (keyof R & string))[],
): string {
  const cols = columns.map((c) => (typeof c === 'string' ? { key: c } : c)) as TableColumn<R>[];
  // Interfaces such as PartsTableRow have no index signature, so read cells through a record view.
  const get = (row: R, key: string): unknown => (row as Record<string, unknown>)[key];
  const cells = rows.map((row) => cols.map((c) => formatCell(get(row, c.key), c.digits ?? 4)));
  const headers = cols.map((c) => c.header ?? c.key);
  const aligns = cols.map(
    (c) =>
      c.align ?? (rows.some((r) => typeof get(r, c.key) === 'number') && rows.every((r) => isNumberLike(get(r, c.key))) ? 'right' : 'left'),
  );
  const widths = cols.map((_, j) => Math.max(headers[j].length, ...cells.map((r) => r[j].length)));
  const pad = (text: string, j: number): string =>
    aligns[j] === 'right' ? text.padStart(widths[j]) : text.padEnd(widths[j]);
  const line = (texts: readonly string[]): string => texts.map(pad).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

function isNumberLike(v: unknown): boolean {
  return v === null || v === undefined || typeof v === 'number';
}

function formatCell(v: unknown, digits: number): string {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return '-';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : fixed(v, digits);
  return String(v);
}

/**
 * `v.toFixed(digits)` without the sign of a value that rounds to zero: -0.0001 prints as 0.000,
 * not -0.000 (a sign with no digit behind it reads as a finding).
 *
 * @example
 * fixed(-0.0001, 3); // '0.000'
 * fixed(-0.25, 1);   // '-0.3'
 */
export function fixed(v: number, digits: number): string {
  const text = v.toFixed(digits);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}
