export { measure, type MeasureOptions, type MeasureResult } from './pipeline.js';
export { describeProbes } from './probeset.js';
export { mergeResults } from './merge.js';
export { measureToFolder, type ExistingResult, type FolderOptions, type FolderResult } from './measure/folder.js';
export { runSanity, type SanityOptions, type SanityRow } from './sanity.js';
export type * from './types.js';
