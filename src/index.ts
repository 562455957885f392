export { measure, type MeasureOptions, type MeasureResult } from './pipeline.js';
export { describeProbes } from './probeset.js';
export type * from './types.js';
