import { describe, expect, it } from 'vitest';
import { cropWindow, groupElements, mapShift, shiftImage, transformInput } from '../../src/transforms/index.js';
import { overlapPair } from '../reference/maps.js';
import type { ShiftMode } from '../../src/types.js';
import { at, fromFormula, ramp } from './helpers.js';

describe('translate input modes', () => {
  // Non-square input with a margin, so rows and columns cannot be confused.
  const [c, H, W, m] = [2, 6, 8, 3];
  const [srcH, srcW] = [H + m, W + m];
  const src = ramp(c, srcH, srcW);
  const x = fromFormula(src, c, srcH, srcW, H, W, (i, j) => [i, j]);

  it.each([0, 1, 2, 3])("crop: x'[i, j] = src[i+s, j+s], real pixels from the margin (s = %i)", (s) => {
    expect(shiftImage({ data: src, channels: c, height: srcH, width: srcW }, s, { height: H, width: W, mode: 'crop' })).toEqual(fromFormula(src, c, srcH, srcW, H, W, (i, j) => [i + s, j + s]));
  });
  it.each([0, 1, 2, 5, 7])("roll: x'[i, j] = x[(i+s) mod H, (j+s) mod W] of the (0,0) crop (s = %i)", (s) => {
    expect(shiftImage({ data: src, channels: c, height: srcH, width: srcW }, s, { height: H, width: W, mode: 'roll' })).toEqual(fromFormula(x, c, H, W, H, W, (i, j) => [(i + s) % H, (j + s) % W]));
  });
  it.each([0, 1, 2, 5, 7])("zero: x'[i, j] = x[i+s, j+s], 0 outside the (0,0) crop (s = %i)", (s) => {
    const out = shiftImage({ data: src, channels: c, height: srcH, width: srcW }, s, { height: H, width: W, mode: 'zero' });
    for (let ch = 0; ch < c; ch++) for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) {
      expect(at(out, H, W, ch, i, j)).toBe(i + s < H && j + s < W ? at(x, H, W, ch, i + s, j + s) : 0);
    }
  });
  it('roll and zero never read the margin, so they work on a source without one', () => {
    for (const mode of ['roll', 'zero'] as const) expect(shiftImage({ data: x, channels: c, height: H, width: W }, 2, { height: H, width: W, mode })).toEqual(shiftImage({ data: src, channels: c, height: srcH, width: srcW }, 2, { height: H, width: W, mode }));
  });
  it('content moves up-left: the pixel at (s, s) of x is at (0, 0) of x′ in every mode', () => {
    const [g] = groupElements('translate', { shifts: [2], height: H });
    for (const mode of ['crop', 'roll', 'zero'] as ShiftMode[]) expect(at(transformInput({ data: src, channels: c, height: srcH, width: srcW }, g, { height: H, width: W, mode }), H, W, 1, 0, 0)).toBe(at(x, H, W, 1, 2, 2));
  });
  it('works at model size: 3×224×224 from a 256×256 source', () => {
    const big = ramp(3, 256, 256).map((v, n) => n);
    const [g] = groupElements('translate', { shifts: [32], height: 224 });
    for (const mode of ['crop', 'roll', 'zero'] as ShiftMode[]) {
      const out = transformInput({ data: big, channels: 3, height: 256, width: 256 }, g, { height: 224, width: 224, mode });
      expect(out).toHaveLength(3 * 224 * 224);
      expect(at(out, 224, 224, 2, 10, 20)).toBe(at(big, 256, 256, 2, 42, 52));
    }
  });
  it('EXPECTED FAILURE - crop mode needs a margin of at least s', () => {
    const [g] = groupElements('translate', { shifts: [3], height: 8 });
    expect(() => transformInput({ data: ramp(1, 10, 10), channels: 1, height: 10, width: 10 }, g, { height: 8, width: 8, mode: 'crop' })).toThrow(RangeError);
    expect(() => transformInput({ data: ramp(1, 10, 10), channels: 1, height: 10, width: 10 }, g, { height: 8, width: 8, mode: 'crop' })).toThrow(/needs a source of at least 11×11 pixels, got 10×10/);
    expect(() => transformInput({ data: ramp(1, 11, 10), channels: 1, height: 11, width: 10 }, g, { height: 8, width: 8, mode: 'crop' })).toThrow(RangeError);
  });
  it('EXPECTED FAILURE - a source smaller than the input, of the wrong length, or a bad shift is a RangeError', () => {
    expect(() => shiftImage({ data: ramp(1, 5, 5), channels: 1, height: 5, width: 5 }, 1, { height: 6, width: 6, mode: 'roll' })).toThrow(/smaller than the 6×6 input/);
    expect(() => shiftImage({ data: new Float32Array(10), channels: 1, height: 4, width: 4 }, 1, { height: 4, width: 4, mode: 'zero' })).toThrow(/Expected 1×4×4 = 16 values, got 10/);
    expect(() => shiftImage({ data: ramp(1, 4, 4), channels: 1, height: 4, width: 4 }, -1, { height: 4, width: 4, mode: 'zero' })).toThrow(/Shift -1/);
    expect(() => shiftImage({ data: ramp(1, 4, 4), channels: 1, height: 4, width: 4 }, 0.5, { height: 4, width: 4, mode: 'roll' })).toThrow(/Shift 0.5/);
  });
});

describe('cropWindow', () => {
  it('copies the window at (top, left)', () => {
    const a = ramp(2, 5, 6);
    expect(cropWindow({ data: a, channels: 2, height: 5, width: 6 }, { top: 1, left: 2, height: 3, width: 4 })).toEqual(fromFormula(a, 2, 5, 6, 3, 4, (i, j) => [i + 1, j + 2]));
  });
  it('EXPECTED FAILURE - a window outside the source is a RangeError', () => {
    expect(() => cropWindow({ data: ramp(1, 5, 5), channels: 1, height: 5, width: 5 }, { top: 2, left: 0, height: 4, width: 4 })).toThrow(/does not fit in a 5×5 source/);
  });
});

describe('mapShift', () => {
  it('is ⌊s·h/H + 0.5⌋: halves round up', () => {
    expect([mapShift(1, 14, 28), mapShift(2, 14, 28), mapShift(3, 14, 28), mapShift(4, 7, 28), mapShift(5, 7, 28), mapShift(2, 7, 28)]).toEqual([1, 1, 2, 1, 1, 1]);
    expect([mapShift(4, 7, 224), mapShift(15, 7, 224), mapShift(16, 7, 224), mapShift(32, 7, 224), mapShift(6, 56, 224), mapShift(0, 7, 224)]).toEqual([0, 0, 1, 1, 2, 0]);
    // Same resolution as the input: d = s.
    expect(mapShift(9, 224, 224)).toBe(9);
  });
});

describe('overlapPair', () => {
  const [k, h, w] = [2, 5, 6];
  const f2 = ramp(k, h, w);
  const f = ramp(k, h, w).map((v) => v + 0.5);
  it("a = F'[:, 0:h−d, 0:w−d] and b = F[:, d:h, d:w], contiguous K×(h−d)×(w−d)", () => {
    for (const d of [1, 2, 4]) {
      const { a, b, h: oh, w: ow } = overlapPair(f2, f, k, h, w, d);
      expect([oh, ow]).toEqual([h - d, w - d]);
      expect(a).toEqual(fromFormula(f2, k, h, w, oh, ow, (i, j) => [i, j]));
      expect(b).toEqual(fromFormula(f, k, h, w, oh, ow, (i, j) => [i + d, j + d]));
    }
  });
  it('shifts each axis by its own d: a = F\'[:, 0:h−d_y, 0:w−d_x], b = F[:, d_y:h, d_x:w]', () => {
    for (const [dy, dx] of [[1, 4], [0, 3], [2, 0]]) {
      const { a, b, h: oh, w: ow } = overlapPair(f2, f, k, h, w, dy, dx);
      expect([oh, ow]).toEqual([h - dy, w - dx]);
      expect(a).toEqual(fromFormula(f2, k, h, w, oh, ow, (i, j) => [i, j]));
      expect(b).toEqual(fromFormula(f, k, h, w, oh, ow, (i, j) => [i + dy, j + dx]));
    }
  });
  it('d = 0 compares whole maps (as copies)', () => {
    const { a, b, h: oh, w: ow } = overlapPair(f2, f, k, h, w, 0);
    expect([oh, ow]).toEqual([h, w]);
    expect(a).toEqual(f2);
    expect(b).toEqual(f);
    expect(a).not.toBe(f2);
  });
  it('pairs the feature of a translation-equivariant map with itself', () => {
    // A map that is a crop of a larger field: F(x)[i, j] = field[i, j], F(x')[i, j] = field[i+d, j+d].
    const d = 2;
    const field = ramp(k, h + d, w + d);
    const original = fromFormula(field, k, h + d, w + d, h, w, (i, j) => [i, j]);
    const moved = fromFormula(field, k, h + d, w + d, h, w, (i, j) => [i + d, j + d]);
    const { a, b } = overlapPair(moved, original, k, h, w, d);
    expect(a).toEqual(b);
  });
  it('EXPECTED FAILURE - a shift that leaves no overlap, or is not a whole number ≥ 0, is a RangeError', () => {
    for (const d of [5, 6, -1, 1.5]) expect(() => overlapPair(f2, f, k, h, w, d)).toThrow(new RegExp(`Map shift \\(${d}, ${d}\\) leaves no overlap on a 5×6 map`));
    expect(() => overlapPair(f2, f, k, h, w, 1, 6)).toThrow(/Map shift \(1, 6\) leaves no overlap on a 5×6 map/);
  });
});
