import type { AccuracyCounts } from '../scores/state.js';
import type { AccuracyReport, GroupElement, TransformName } from '../types.js';

/**
 * Top-1 accuracy and prediction consistency (SPEC §7) from top-1 counts.
 *
 * @param counts - images, and per 'original' / 'transform:key' the predictions equal to the label
 *   and (elements) equal to the original image's prediction
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
      const perElement = list.map((g) => {
        const id = `${transform}:${g.key}`;
        return { key: g.key, top1: counts.correct[id] / n, unchanged: counts.unchanged[id] / n };
      });
      const groupAverage = (base + perElement.reduce((s, e) => s + e.top1, 0)) / (perElement.length + 1);
      return { transform, groupAverage, elements: perElement };
    }),
  };
}
