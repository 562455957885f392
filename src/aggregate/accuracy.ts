import { elementId, originId, type AccuracyCounts } from '../scores/state.js';
import type { AccuracyReport, GroupElement, TransformName } from '../types.js';

/**
 * Top-1 accuracy and prediction consistency (SPEC §7) from top-1 counts. Top-1 is on the standard
 * view (`original`). A transform with its own untransformed view (`transform:origin`, translate in
 * crop mode) has its unchanged predictions counted against it (see `countPredictions`), and it is
 * the identity in that transform's group average.
 *
 * @param counts - images, and per 'original' / 'transform:key' / 'transform:origin' the predictions
 *   equal to the label and (elements) equal to the untransformed image's prediction
 * @example
 * accuracyReport({ images: 2, correct: { original: 2, 'rot90:k1': 1 }, unchanged: { 'rot90:k1': 1 } }, new Map([['rot90', [k1]]]));
 * // top1 1, rot90 element k1: top1 0.5, unchanged 0.5
 */
export function accuracyReport(counts: AccuracyCounts, elements: ReadonlyMap<TransformName, readonly GroupElement[]>): AccuracyReport {
  const n = counts.images;
  const base = counts.correct.original / n;
  return {
    images: n,
    top1: base,
    transforms: [...elements].map(([transform, list]) => {
      const identity = (counts.correct[originId(transform)] ?? counts.correct.original) / n;
      const perElement = list.map((g) => {
        const id = elementId(transform, g.key);
        return { key: g.key, top1: counts.correct[id] / n, unchanged: counts.unchanged[id] / n };
      });
      const groupAverage = (identity + perElement.reduce((s, e) => s + e.top1, 0)) / (perElement.length + 1);
      return { transform, groupAverage, elements: perElement };
    }),
  };
}
