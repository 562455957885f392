/**
 * The batch axes discovery takes from onnxruntime's shape inference instead of a second pass
 * (`inferredBatchAxes`): only shapes that pin the batch axis down are accepted, anything less
 * precise sends discovery to the second pass (null).
 */
import type * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { inferredBatchAxes } from '../../src/model/probes.js';

const session = (shapes: Record<string, (number | string)[]>) =>
  ({ outputMetadata: Object.entries(shapes).map(([name, shape]) => ({ name, isTensor: true, type: 'float32', shape })) }) as unknown as ort.InferenceSession;
const pass = (shapes: Record<string, number[]>, ints: string[] = []) => ({
  shapes: new Map(Object.entries(shapes)),
  floats: new Set(Object.keys(shapes).filter((n) => !ints.includes(n))),
});

describe('inferredBatchAxes', () => {
  it('reads the axis that carries the batch symbol, and -1 for a tensor without one', () => {
    const axes = inferredBatchAxes(session({ conv: ['N', 8, 4, 4], tokens: [5, 'N', 8], weight: [8, 3] }), 'N', pass({ conv: [2, 8, 4, 4], tokens: [5, 2, 8], weight: [8, 3] }), 2);
    expect(axes && Object.fromEntries(axes)).toEqual({ conv: 0, tokens: 1, weight: -1 });
  });

  it('leaves it to the second pass when any float tensor has an unknown or foreign axis, or sizes that disagree', () => {
    expect(inferredBatchAxes(session({ a: ['N', 8], b: ['', 8] }), 'N', pass({ a: [2, 8], b: [2, 8] }), 2)).toBeNull();
    expect(inferredBatchAxes(session({ a: ['N', 'L', 8] }), 'N', pass({ a: [2, 5, 8] }), 2)).toBeNull();
    expect(inferredBatchAxes(session({ a: ['N', 8] }), 'N', pass({ a: [2, 9] }), 2)).toBeNull();
    expect(inferredBatchAxes(session({ a: ['N', 8] }), 'N', pass({ a: [3, 8] }), 2)).toBeNull();
    expect(inferredBatchAxes(session({ a: ['N', 'N'] }), 'N', pass({ a: [2, 2] }), 2)).toBeNull();
    expect(inferredBatchAxes(session({ a: ['N', 8] }), null, pass({ a: [2, 8] }), 2)).toBeNull();
  });

  it('ignores tensors that are not float (shape arithmetic is never probed)', () => {
    const axes = inferredBatchAxes(session({ a: ['N', 8], shape: [''] }), 'N', pass({ a: [2, 8], shape: [2] }, ['shape']), 2);
    expect(axes && Object.fromEntries(axes)).toEqual({ a: 0 });
  });
});
