import { describe, expect, it } from 'vitest';
import { spatialPart } from '../src/parts.js';

describe('spatialPart (SPEC §5: spatial layers before the pool in thirds by index)', () => {
  it('splits 3, 4 and 7 layers as ⌊3j / count⌋ says', () => {
    const split = (count: number) => Array.from({ length: count }, (_, j) => spatialPart(j, count));
    expect(split(3)).toEqual(['Early', 'Middle', 'Late']);
    // 4 layers: ⌊0⌋, ⌊3/4⌋ = 0, ⌊6/4⌋ = 1, ⌊9/4⌋ = 2
    expect(split(4)).toEqual(['Early', 'Early', 'Middle', 'Late']);
    // 7 layers: 0, 0, 0, 1, 1, 2, 2
    expect(split(7)).toEqual(['Early', 'Early', 'Early', 'Middle', 'Middle', 'Late', 'Late']);
  });
  it('one layer is Early, two are Early and Middle', () => {
    expect(spatialPart(0, 1)).toBe('Early');
    expect([spatialPart(0, 2), spatialPart(1, 2)]).toEqual(['Early', 'Middle']);
  });
});
