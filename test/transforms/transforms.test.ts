import { describe, expect, it } from 'vitest';
import { cropOriginal, groupElements, mapShift, overlapPair, permutePlanes, transformInput, transformMap } from '../../src/transforms/index.js';
import type { GroupElement } from '../../src/types.js';

/** A c×h×w array whose value names its position: 100·c + 10·i + j. */
const ramp = (c: number, h: number, w: number) => Float32Array.from({ length: c * h * w }, (_, n) => 100 * Math.floor(n / (h * w)) + 10 * Math.floor((n / w) % h) + (n % w));
const at = (a: Float32Array, h: number, w: number, c: number, i: number, j: number) => a[c * h * w + i * w + j];
const el = (quarterTurns: number, flip: boolean): GroupElement => ({ transform: 'd4', key: 'x', quarterTurns, flip, shift: 0 });

describe('rot90', () => {
  it('is numpy.rot90 (counter-clockwise): [[1,2,3],[4,5,6],[7,8,9]] → [[3,6,9],[2,5,8],[1,4,7]]', () => {
    const a = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9);
    expect([...permutePlanes(a, 1, 3, 3, 1, false)]).toEqual([3, 6, 9, 2, 5, 8, 1, 4, 7]);
    expect([...permutePlanes(a, 1, 3, 3, 2, false)]).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect([...permutePlanes(a, 1, 3, 3, 3, false)]).toEqual([7, 4, 1, 8, 5, 2, 9, 6, 3]);
  });
  it.each([1, 2, 3])('k = %i matches the explicit index formula on every channel', (k) => {
    const [c, n] = [3, 5];
    const a = ramp(c, n, n);
    const out = transformMap(a, c, n, n, el(k, false));
    const source = [(i: number, j: number) => [i, j], (i: number, j: number) => [j, n - 1 - i], (i: number, j: number) => [n - 1 - i, n - 1 - j], (i: number, j: number) => [n - 1 - j, i]][k];
    for (let ch = 0; ch < c; ch++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      const [y, x] = source(i, j);
      expect(at(out, n, n, ch, i, j)).toBe(at(a, n, n, ch, y, x));
    }
  });
  it('four quarter turns are the identity', () => {
    const a = ramp(2, 4, 4);
    let b = a;
    for (let k = 0; k < 4; k++) b = permutePlanes(b, 2, 4, 4, 1, false);
    expect(b).toEqual(a);
  });
  it('EXPECTED FAILURE - an odd turn of a non-square map throws', () => {
    expect(() => transformMap(ramp(1, 2, 3), 1, 2, 3, el(1, false))).toThrow(RangeError);
  });
});

describe('flips and D4', () => {
  it('hflip reverses columns, vflip reverses rows, each twice is the identity', () => {
    const [h, w] = [3, 4];
    const a = ramp(2, h, w);
    const [hflip] = groupElements('hflip', { shifts: [], height: h });
    const [vflip] = groupElements('vflip', { shifts: [], height: h });
    const hf = permutePlanes(a, 2, h, w, hflip.quarterTurns, hflip.flip);
    const vf = permutePlanes(a, 2, h, w, vflip.quarterTurns, vflip.flip);
    for (let c = 0; c < 2; c++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
      expect(at(hf, h, w, c, i, j)).toBe(at(a, h, w, c, i, w - 1 - j));
      expect(at(vf, h, w, c, i, j)).toBe(at(a, h, w, c, h - 1 - i, j));
    }
    expect(permutePlanes(hf, 2, h, w, hflip.quarterTurns, hflip.flip)).toEqual(a);
    expect(permutePlanes(vf, 2, h, w, vflip.quarterTurns, vflip.flip)).toEqual(a);
  });
  it('d4 has 7 distinct non-identity elements, closed under composition with the identity', () => {
    const n = 4;
    const a = ramp(1, n, n);
    const apply = (g: GroupElement, x: Float32Array) => permutePlanes(x, 1, n, n, g.quarterTurns, g.flip);
    const elements = groupElements('d4', { shifts: [], height: n });
    expect(elements).toHaveLength(7);
    const key = (x: Float32Array) => x.join(',');
    const images = new Set([key(a), ...elements.map((g) => key(apply(g, a)))]);
    expect(images.size).toBe(8);
    for (const g of elements) for (const h of elements) expect(images.has(key(apply(g, apply(h, a))))).toBe(true);
  });
});

describe('translate', () => {
  it('keeps shifts below H/2 and names them s<shift>', () => {
    expect(groupElements('translate', { shifts: [1, 4, 13, 14, 20], height: 28 }).map((g) => g.key)).toEqual(['s1', 's4', 's13']);
    expect(() => groupElements('translate', { shifts: [20], height: 28 })).toThrow(RangeError);
  });
  it("moves the viewing window down-right: x'[i, j] = x[i+s, j+s] in all three modes", () => {
    const [H, s, m] = [6, 2, 3];
    const src = ramp(2, H + m, H + m); // crop mode: source with margin m
    const [g] = groupElements('translate', { shifts: [s], height: H });
    const x = cropOriginal(src, 2, H + m, H + m, H, H);
    const crop = transformInput(src, 2, H + m, H + m, g, H, H, 'crop');
    const roll = transformInput(src, 2, H + m, H + m, g, H, H, 'roll');
    const zero = transformInput(src, 2, H + m, H + m, g, H, H, 'zero');
    for (let c = 0; c < 2; c++) for (let i = 0; i < H; i++) for (let j = 0; j < H; j++) {
      expect(at(x, H, H, c, i, j)).toBe(at(src, H + m, H + m, c, i, j));
      expect(at(crop, H, H, c, i, j)).toBe(at(src, H + m, H + m, c, i + s, j + s));
      expect(at(roll, H, H, c, i, j)).toBe(at(x, H, H, c, (i + s) % H, (j + s) % H));
      expect(at(zero, H, H, c, i, j)).toBe(i + s < H && j + s < H ? at(x, H, H, c, i + s, j + s) : 0);
    }
  });
  it('EXPECTED FAILURE - crop mode needs a margin of at least s', () => {
    const [g] = groupElements('translate', { shifts: [3], height: 8 });
    expect(() => transformInput(ramp(1, 9, 9), 1, 9, 9, g, 8, 8, 'crop')).toThrow(RangeError);
  });
  it('maps an input shift to ⌊s·h/H + 0.5⌋ map pixels and compares the overlap F′[0:h−d] with F[d:h]', () => {
    expect([mapShift(1, 14, 28), mapShift(2, 14, 28), mapShift(3, 14, 28), mapShift(4, 7, 28), mapShift(5, 7, 28)]).toEqual([1, 1, 2, 1, 1]);
    const [k, h] = [2, 5];
    const f2 = ramp(k, h, h);
    const f = ramp(k, h, h).map((v) => v + 1000);
    const { a, b, h: oh, w: ow } = overlapPair(f2, f, k, h, h, 2);
    expect([oh, ow]).toEqual([3, 3]);
    for (let c = 0; c < k; c++) for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      expect(at(a, 3, 3, c, i, j)).toBe(at(f2, h, h, c, i, j));
      expect(at(b, 3, 3, c, i, j)).toBe(at(f, h, h, c, i + 2, j + 2));
    }
  });
});
