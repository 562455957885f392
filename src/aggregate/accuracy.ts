import { originId } from '../scores/state.js';
import type { AccuracyReport, GroupElement, TransformName } from '../types.js';

/**
 * Top-1 accuracy and prediction consistency (SPEC §7) from predicted classes. Top-1 is on the
 * standard view (`original`). A transform with its own untransformed view (`transform:origin`,
 * translate in crop mode) counts unchanged predictions against it, and it is the identity in
 * that transform's group average.
 *
 * @param predictions - 'original', 'transform:key' and 'transform:origin' → predicted class per image
 * @param labels - true class per image (same order)
 * @example
 * accuracyReport({ original: [1, 2], 'rot90:k1': [1, 0] }, [1, 2], new Map([['rot90', [k1]]]));
 * // top1 1, rot90 element k1: top1 0.5, unchanged 0.5
 */
export function accuracyReport(
  predictions: Readonly<Record<string, readonly number[]>>,
  labels: readonly number[],
  elements: ReadonlyMap<TransformName, readonly GroupElement[]>,
): AccuracyReport {
  const n = labels.length;
  const original = predictions.original;
  const top1 = (pred: readonly number[]) => pred.filter((c, i) => c === labels[i]).length / n;
  const base = top1(original);
  return {
    images: n,
    top1: base,
    transforms: [...elements].map(([transform, list]) => {
      const identity = predictions[originId(transform)] ?? original;
      const perElement = list.map((g) => {
        const pred = predictions[`${transform}:${g.key}`];
        return { key: g.key, top1: top1(pred), unchanged: pred.filter((c, i) => c === identity[i]).length / n };
      });
      const groupAverage = (top1(identity) + perElement.reduce((s, e) => s + e.top1, 0)) / (perElement.length + 1);
      return { transform, groupAverage, elements: perElement };
    }),
  };
}
