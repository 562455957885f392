/**
 * Shorthand for writing probe expectations.
 */
import type { Part, TransformName } from '../types.js';
import type { Expectation } from './types.js';

/**
 * One expectation per (transform, part) pair with the same score, bounds and reason.
 *
 * @example
 * expectParts(['rot90'], ['Early', 'Pool'], 'inv', { atLeast: 0.99 }, 'symmetric filters');
 * // → 2 expectations
 */
export function expectParts(
  transforms: readonly TransformName[],
  parts: readonly Part[],
  score: Expectation['score'],
  bounds: Pick<Expectation, 'atLeast' | 'atMost' | 'similarity' | 'shiftMode'>,
  why: string,
): Expectation[] {
  return transforms.flatMap((transform) => parts.map((part) => ({ transform, part, score, ...bounds, why })));
}

/** Every part of SPEC §5 whose layers are spatial maps. */
export const MAP_PARTS: readonly Part[] = ['Early', 'Middle', 'Late'];
/** All five parts of SPEC §5. */
export const ALL_PARTS: readonly Part[] = ['Early', 'Middle', 'Late', 'Pool', 'Final'];
