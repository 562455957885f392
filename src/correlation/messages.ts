/**
 * Error text of the analysis and report layer. Kept apart from the code, as STYLE §5 asks;
 * the lead may fold these into src/messages.ts.
 */

/** Reports whose model name has no accuracy value. */
export const noAccuracyFor = (names: readonly string[]): string =>
  `No accuracy for models: ${names.join(', ')}. Add them to acc.csv (columns model,accuracy).`;

/** Two reports give a score for the same model, transform and part, so ranking is ambiguous. */
export const duplicateModelScore = (model: string, transform: string, part: string): string =>
  `Model '${model}' has more than one ${transform} score for part ${part}. ` +
  'Give each result a distinct model name (measure --name) or pass one result per model.';

/** Two reports of one model carry different top-1 accuracies. */
export const conflictingAccuracy = (model: string, a: number, b: number): string =>
  `Model '${model}' has two different top-1 accuracies (${a} and ${b}) in its results. ` +
  'Measure them on the same images, or pass --accuracy acc.csv.';

/** The accuracy CSV lacks a required column. */
export const csvMissingColumn = (source: string, column: string, header: readonly string[]): string =>
  `${source}: missing column '${column}' in header (${header.join(',') || 'empty'}). ` +
  'The first line must name the columns, e.g. model,accuracy.';

/** A CSV data line has a bad accuracy value. */
export const csvBadAccuracy = (source: string, line: number, value: string): string =>
  `${source}:${line}: accuracy '${value}' is not a finite number.`;

/** A CSV data line has an empty model name. */
export const csvEmptyModel = (source: string, line: number): string => `${source}:${line}: empty model name.`;

/** A model appears twice in the CSV with different values. */
export const csvDuplicateModel = (source: string, line: number, model: string): string =>
  `${source}:${line}: model '${model}' appears more than once with different accuracies.`;

/** A quoted CSV field is not closed. */
export const csvUnclosedQuote = (source: string, line: number): string =>
  `${source}:${line}: a quoted field is not closed.`;

/** The CSV has a header but no data lines. */
export const csvNoRows = (source: string): string => `${source}: no data rows after the header model,accuracy.`;

/** A plot needs scores the report does not have. */
export const noScoresFor = (model: string, transform: string): string =>
  `Result for model '${model}' has no ${transform} scores. Run equiprobe measure with --transforms ${transform}.`;

/** A plot over several reports got none. */
export const noReports = (what: string): string => `${what}: no results given.`;
