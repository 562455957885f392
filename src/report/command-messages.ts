/**
 * Error text of the analysis commands (reading results, choosing the accuracy source). Kept
 * apart from the code, as STYLE §5 asks; the lead may fold these into src/messages.ts.
 * Every message is one line and says what to do.
 */

/** Hint appended to messages about result paths. */
const PASS_RESULT = 'Pass a result folder written by `equiprobe measure`, or its result.json.';

/** No result paths were given. */
export const noResults = (): string => `No results given. ${PASS_RESULT}`;

/** The path does not exist. */
export const resultMissing = (path: string): string => `'${path}' does not exist. ${PASS_RESULT}`;

/** A folder without result.json (e.g. an interrupted run that only has a checkpoint). */
export const noResultJson = (dir: string): string =>
  `'${dir}' has no result.json. ${PASS_RESULT} An interrupted run can be finished with \`equiprobe measure --resume\`.`;

/** The file cannot be read (permissions, a folder given as a file …). */
export const resultUnreadable = (path: string, why: string): string => `Cannot read '${path}' (${why}). Check the path and its permissions.`;

/** The file is not JSON. */
export const resultNotJson = (path: string, why: string): string =>
  `'${path}' is not valid JSON (${why}). ${PASS_RESULT}`;

/** JSON, but not written by equiprobe. */
export const notEquiprobeResult = (path: string): string =>
  `'${path}' is not an equiprobe result (it has no schema_version and tool.name 'equiprobe'). ${PASS_RESULT}`;

/** An equiprobe result of another schema version. */
export const unsupportedSchema = (path: string, found: unknown, supported: number): string =>
  `'${path}' has result schema_version ${JSON.stringify(found)}, but this equiprobe reads version ${supported}. ` +
  'Measure the model again with this equiprobe, or use the equiprobe version that wrote it.';

/** An equiprobe result lacking a field the analysis needs. */
export const resultIncomplete = (path: string, field: string): string =>
  `'${path}' is an equiprobe result without '${field}'; it may be truncated or edited. Measure the model again.`;

/** Neither an accuracy CSV nor recorded top-1 accuracy is available. */
export const noAccuracySource = (): string =>
  'No accuracy to correlate with: pass --accuracy acc.csv (columns model,accuracy), or measure the models with --labels so that top-1 is recorded.';

/** Some results have recorded top-1 and others do not. */
export const missingRecordedAccuracy = (names: readonly string[]): string =>
  `No recorded top-1 accuracy for models: ${names.join(', ')}. Measure them with --labels, or pass --accuracy acc.csv (columns model,accuracy).`;

/** The accuracy CSV lacks some models; names in the CSV that match no result are listed as a hint for typos. */
export const unmatchedModels = (csv: string, missing: readonly string[], unused: readonly string[]): string =>
  `No accuracy in '${csv}' for models: ${missing.join(', ')}` +
  (unused.length > 0 ? ` (the CSV has rows for ${unused.join(', ')}, which match no result)` : '') +
  '. Add rows named exactly like the results\' model names (model,accuracy).';

/** `--column` given without `--accuracy`. */
export const columnWithoutCsv = (column: string): string =>
  `--column ${column} selects a column of the accuracy CSV; pass --accuracy acc.csv as well.`;

/** The accuracy CSV cannot be read. */
export const accuracyCsvUnreadable = (path: string, why: string): string =>
  `Cannot read accuracy CSV '${path}' (${why}). Check the path given to --accuracy.`;

/** Correlation across fewer than two models. */
export const tooFewModels = (names: readonly string[]): string =>
  `Correlation needs results of at least 2 models (3 or more for a p-value), got ${names.length === 0 ? 'none' : names.join(', ')}. Pass more result folders.`;

/** `report --out` names an existing folder. */
export const htmlOutIsFolder = (out: string): string =>
  `--out '${out}' is a folder; give the HTML file to write, e.g. ${out.replace(/\/+$/, '')}/report.html.`;
