import { describe, expect, it } from 'vitest';
import { groupElements } from '../../src/transforms/index.js';
import type { TransformName } from '../../src/types.js';

const none: { shifts: number[]; height: number } = { shifts: [], height: 224 };
const summary = (t: TransformName, opts = none) => groupElements(t, opts).map((g) => [g.key, g.quarterTurns, g.flip, g.shift]);

describe('groupElements', () => {
  it('rot90 is k1, k2, k3: 1–3 counter-clockwise quarter turns, no flip', () => {
    expect(summary('rot90')).toEqual([
      ['k1', 1, false, 0],
      ['k2', 2, false, 0],
      ['k3', 3, false, 0],
    ]);
  });
  it('hflip is a flip alone; vflip is stored as a flip then two quarter turns', () => {
    expect(summary('hflip')).toEqual([['hflip', 0, true, 0]]);
    expect(summary('vflip')).toEqual([['vflip', 2, true, 0]]);
  });
  it('d4 is the 7 non-identity elements: rotations r1..r3, then mirrors m0..m3 = rot90^k ∘ hflip', () => {
    expect(summary('d4')).toEqual([
      ['r1', 1, false, 0],
      ['r2', 2, false, 0],
      ['r3', 3, false, 0],
      ['m0', 0, true, 0],
      ['m1', 1, true, 0],
      ['m2', 2, true, 0],
      ['m3', 3, true, 0],
    ]);
  });
  it('tags every element with its transform', () => {
    for (const t of ['rot90', 'hflip', 'vflip', 'd4'] as const) for (const g of groupElements(t, none)) expect(g.transform).toBe(t);
    for (const g of groupElements('translate', { shifts: [1, 2], height: 8 })) expect(g.transform).toBe('translate');
  });
  it('translate keeps shifts s < H/2 (SPEC §2), keyed s<shift>, sorted and without duplicates', () => {
    expect(summary('translate', { shifts: [1, 4, 13, 14, 20], height: 28 })).toEqual([
      ['s1', 0, false, 1],
      ['s4', 0, false, 4],
      ['s13', 0, false, 13],
    ]);
    expect(groupElements('translate', { shifts: [8, 2, 8, 1], height: 32 }).map((g) => g.key)).toEqual(['s1', 's2', 's8']);
    // Odd height: H/2 = 3.5, so 3 is kept and 4 is not.
    expect(groupElements('translate', { shifts: [3, 4], height: 7 }).map((g) => g.shift)).toEqual([3]);
    // The default S = 1..32 on a 224 input keeps all 32.
    expect(groupElements('translate', { shifts: Array.from({ length: 32 }, (_, i) => i + 1), height: 224 })).toHaveLength(32);
  });
  it('rotations and flips ignore the shift options', () => {
    expect(groupElements('rot90', { shifts: [100], height: 2 })).toHaveLength(3);
  });
  it('EXPECTED FAILURE - no shift below H/2 is a RangeError that suggests a range', () => {
    expect(() => groupElements('translate', { shifts: [14, 20], height: 28 })).toThrow(RangeError);
    expect(() => groupElements('translate', { shifts: [14, 20], height: 28 })).toThrow(/below half the input height \(14\).*--shifts 1\.\.13/);
    expect(() => groupElements('translate', { shifts: [], height: 28 })).toThrow(RangeError);
    expect(() => groupElements('translate', { shifts: [1], height: 2 })).toThrow(/too small to translate/);
  });
  it('EXPECTED FAILURE - a fractional, zero or negative shift is a RangeError', () => {
    for (const s of [1.5, 0, -2]) expect(() => groupElements('translate', { shifts: [1, s], height: 28 })).toThrow(new RegExp(`Translate shift ${s} is not a positive whole number`));
  });
  it('EXPECTED FAILURE - an unknown transform is a RangeError listing the known ones', () => {
    expect(() => groupElements('shear' as TransformName, none)).toThrow(/Unknown transform 'shear'.*rot90, translate, hflip, vflip, d4/);
  });
});
