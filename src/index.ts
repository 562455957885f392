export { measure, type MeasureOptions, type MeasureResult } from './pipeline.js';
export { describeProbes } from './probeset.js';
export { mergeResults } from './merge.js';
export { writeResult } from './report/write.js';
export { writeReport, type ReportOptions } from './analysis/report-run.js';
export { readReport, readReports, type LoadedReport } from './report/read.js';
export { OptionError } from './option-error.js';
export { runSanity, type SanityOptions, type SanityRow } from './sanity.js';
export type * from './types.js';
