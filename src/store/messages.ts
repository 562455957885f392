/** Text of the store's errors (one line each, saying what to do). */
export const storeMessages = {
  noStore: (dir: string) => `'${dir}' holds no readable equiprobe store (store.json is missing or not JSON). Measure again into a fresh folder.`,
  otherVersion: (dir: string, found: unknown, expected: number) =>
    `'${dir}' was written by another equiprobe (store format ${String(found)}, this one reads ${expected}). Measure again with this version.`,
  fewerRows: (dir: string, rows: number, wanted: number) => `'${dir}' holds ${rows} rows but its checkpoint counts ${wanted}; the folder was changed by hand. Start over with --force.`,
  truncated: (file: string) => `'${file}' is shorter than its manifest says; the folder was changed by hand. Measure again into a fresh folder.`,
  duplicateColumn: (name: string) => `Column '${name}' is declared twice.`,
  badWidth: (name: string, width: number) => `Column '${name}' has width ${width}; a width is a positive integer.`,
  unknownColumn: (name: string, dir: string) => `'${dir}' has no column '${name}'.`,
  missingColumn: (name: string) => `No values for column '${name}'; every column gets the same rows.`,
  wrongType: (name: string, type: string) => `Values for column '${name}' are not of its type ${type}.`,
  rowMismatch: (name: string, rows: number, expected: number) => `Column '${name}' got ${rows} rows, the others ${expected}; every column gets the same whole rows.`,
  rowsOutOfRange: (start: number, count: number, rows: number) => `Rows ${start}..${start + count - 1} are past the ${rows} committed rows.`,
  badChunk: (rows: number) => `Rows per chunk must be a positive integer, got ${rows}.`,
} as const;
