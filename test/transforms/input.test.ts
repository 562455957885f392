import { describe, expect, it } from 'vitest';
import { cropOriginal, groupElements, permutePlanes, transformInput } from '../../src/transforms/index.js';
import { fromFormula, ramp } from './helpers.js';

describe('cropOriginal', () => {
  it('is the H×W crop at (0,0) of a source with a margin', () => {
    const src = ramp(3, 9, 10);
    expect(cropOriginal({ data: src, channels: 3, height: 9, width: 10 }, { height: 6, width: 7 })).toEqual(fromFormula(src, 3, 9, 10, 6, 7, (i, j) => [i, j]));
  });
  it('returns the source itself when it has no margin (no copy)', () => {
    const src = ramp(3, 6, 6);
    expect(cropOriginal({ data: src, channels: 3, height: 6, width: 6 }, { height: 6, width: 6 })).toBe(src);
  });
  it('EXPECTED FAILURE - a source smaller than the input is a RangeError', () => {
    expect(() => cropOriginal({ data: ramp(1, 5, 5), channels: 1, height: 5, width: 5 }, { height: 6, width: 6 })).toThrow(RangeError);
  });
});

describe('transformInput for rotations and flips', () => {
  const [c, H, m] = [3, 6, 4];
  const src = ramp(c, H + m, H + m);
  const x = cropOriginal({ data: src, channels: c, height: H + m, width: H + m }, { height: H, width: H });

  it('applies each d4 element to the (0,0) crop, whatever the shift mode', () => {
    for (const g of groupElements('d4', { shifts: [], height: H })) {
      const expected = permutePlanes(x, c, H, H, g.quarterTurns, g.flip);
      for (const mode of ['crop', 'roll', 'zero'] as const) expect(transformInput({ data: src, channels: c, height: H + m, width: H + m }, g, { height: H, width: H, mode }), g.key).toEqual(expected);
    }
  });
  it('rot90 k1 on the input is numpy.rot90 of the crop: out[i][j] = x[j][H−1−i]', () => {
    const [k1] = groupElements('rot90', { shifts: [], height: H });
    expect(transformInput({ data: src, channels: c, height: H + m, width: H + m }, k1, { height: H, width: H, mode: 'crop' })).toEqual(fromFormula(x, c, H, H, H, H, (i, j) => [j, H - 1 - i]));
  });
  it('flips and half turns work on a non-square input', () => {
    const [h, w] = [4, 6];
    const img = ramp(c, h, w);
    const [hflip] = groupElements('hflip', { shifts: [], height: h });
    const [vflip] = groupElements('vflip', { shifts: [], height: h });
    const [, k2] = groupElements('rot90', { shifts: [], height: h });
    expect(transformInput({ data: img, channels: c, height: h, width: w }, hflip, { height: h, width: w, mode: 'crop' })).toEqual(fromFormula(img, c, h, w, h, w, (i, j) => [i, w - 1 - j]));
    expect(transformInput({ data: img, channels: c, height: h, width: w }, vflip, { height: h, width: w, mode: 'crop' })).toEqual(fromFormula(img, c, h, w, h, w, (i, j) => [h - 1 - i, j]));
    expect(transformInput({ data: img, channels: c, height: h, width: w }, k2, { height: h, width: w, mode: 'crop' })).toEqual(fromFormula(img, c, h, w, h, w, (i, j) => [h - 1 - i, w - 1 - j]));
  });
  it('EXPECTED FAILURE - a quarter turn of a non-square input is a RangeError asking for H = W', () => {
    const [k1] = groupElements('rot90', { shifts: [], height: 4 });
    expect(() => transformInput({ data: ramp(1, 4, 6), channels: 1, height: 4, width: 6 }, k1, { height: 4, width: 6, mode: 'crop' })).toThrow(/needs a square input but the model takes 4×6/);
    const m1 = groupElements('d4', { shifts: [], height: 4 }).find((g) => g.key === 'm1')!;
    expect(() => transformInput({ data: ramp(1, 4, 6), channels: 1, height: 4, width: 6 }, m1, { height: 4, width: 6, mode: 'crop' })).toThrow(RangeError);
  });
});
