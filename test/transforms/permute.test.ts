import { describe, expect, it } from 'vitest';
import { groupElements, mapSteps, permutePlanes, sourcePositions } from '../../src/transforms/index.js';
import { transformMap } from '../reference/maps.js';
import type { GroupElement } from '../../src/types.js';
import { at, el, fromFormula, ramp, seeded } from './helpers.js';

const apply = (a: Float32Array, c: number, n: number, g: Pick<GroupElement, 'quarterTurns' | 'flip'>) => permutePlanes(a, c, n, n, g.quarterTurns, g.flip);

describe('rot90 (numpy.rot90 semantics, counter-clockwise)', () => {
  const a = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9); // [[1,2,3],[4,5,6],[7,8,9]]
  it('matches numpy.rot90 on a non-symmetric 3×3 for k = 1, 2, 3 (literal numpy output)', () => {
    // numpy.rot90(a, 1) = [[3,6,9],[2,5,8],[1,4,7]]
    expect([...permutePlanes(a, 1, 3, 3, 1, false)]).toEqual([3, 6, 9, 2, 5, 8, 1, 4, 7]);
    // numpy.rot90(a, 2) = [[9,8,7],[6,5,4],[3,2,1]]
    expect([...permutePlanes(a, 1, 3, 3, 2, false)]).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
    // numpy.rot90(a, 3) = [[7,4,1],[8,5,2],[9,6,3]]
    expect([...permutePlanes(a, 1, 3, 3, 3, false)]).toEqual([7, 4, 1, 8, 5, 2, 9, 6, 3]);
  });
  it('matches numpy.rot90 on a 2×3 plane (output 3×2)', () => {
    // numpy.rot90([[1,2,3],[4,5,6]]) = [[3,6],[2,5],[1,4]]
    expect([...permutePlanes(Float32Array.of(1, 2, 3, 4, 5, 6), 1, 2, 3, 1, false)]).toEqual([3, 6, 2, 5, 1, 4]);
    // numpy.rot90(…, 3) = [[4,1],[5,2],[6,3]]
    expect([...permutePlanes(Float32Array.of(1, 2, 3, 4, 5, 6), 1, 2, 3, 3, false)]).toEqual([4, 1, 5, 2, 6, 3]);
  });
  it.each([1, 2, 3])('k = %i matches the explicit index formula on every channel', (k) => {
    const [c, n] = [3, 5];
    const a3 = ramp(c, n, n);
    const formula: ((i: number, j: number) => [number, number])[] = [(i, j) => [i, j], (i, j) => [j, n - 1 - i], (i, j) => [n - 1 - i, n - 1 - j], (i, j) => [n - 1 - j, i]];
    expect(transformMap(a3, c, n, n, el(k, false))).toEqual(fromFormula(a3, c, n, n, n, n, formula[k]));
  });
  it('four quarter turns are the identity; quarter turns are taken modulo 4', () => {
    const b0 = ramp(2, 4, 4);
    let b = b0;
    for (let k = 0; k < 4; k++) b = permutePlanes(b, 2, 4, 4, 1, false);
    expect(b).toEqual(b0);
    expect(permutePlanes(b0, 2, 4, 4, 5, false)).toEqual(permutePlanes(b0, 2, 4, 4, 1, false));
    expect(permutePlanes(b0, 2, 4, 4, -1, false)).toEqual(permutePlanes(b0, 2, 4, 4, 3, false));
  });
  it('the identity permutation returns a copy, never the input itself', () => {
    const b0 = ramp(1, 3, 3);
    const b = permutePlanes(b0, 1, 3, 3, 0, false);
    expect(b).toEqual(b0);
    expect(b).not.toBe(b0);
  });
});

describe('flips', () => {
  const [h, w] = [3, 4];
  const a = ramp(2, h, w);
  const [hflip] = groupElements('hflip', { shifts: [], height: h });
  const [vflip] = groupElements('vflip', { shifts: [], height: h });
  it('hflip reverses W: out[i][j] = a[i][w−1−j], also on a non-square map', () => {
    expect(transformMap(a, 2, h, w, hflip)).toEqual(fromFormula(a, 2, h, w, h, w, (i, j) => [i, w - 1 - j]));
  });
  it('vflip reverses H: out[i][j] = a[h−1−i][j], also on a non-square map', () => {
    expect(transformMap(a, 2, h, w, vflip)).toEqual(fromFormula(a, 2, h, w, h, w, (i, j) => [h - 1 - i, j]));
  });
  it('hflip ∘ hflip and vflip ∘ vflip are the identity', () => {
    expect(transformMap(transformMap(a, 2, h, w, hflip), 2, h, w, hflip)).toEqual(a);
    expect(transformMap(transformMap(a, 2, h, w, vflip), 2, h, w, vflip)).toEqual(a);
  });
  it('vflip = rot180 ∘ hflip, each step applied separately', () => {
    const flipped = permutePlanes(a, 2, h, w, 0, true);
    const thenTurned = permutePlanes(flipped, 2, h, w, 2, false);
    expect(thenTurned).toEqual(transformMap(a, 2, h, w, vflip));
  });
});

describe('d4', () => {
  const n = 4;
  const elements = groupElements('d4', { shifts: [], height: n });
  const key = (x: Float32Array) => x.join(',');

  it('m_k = rot90^k ∘ hflip matches the composed index formula', () => {
    const a = ramp(2, n, n);
    const hflipped = fromFormula(a, 2, n, n, n, n, (i, j) => [i, n - 1 - j]);
    // One quarter turn written independently: out[i][j] = a[j][n−1−i].
    const turn = (x: Float32Array) => fromFormula(x, 2, n, n, n, n, (i, j) => [j, n - 1 - i]);
    let expected = hflipped;
    for (const k of [0, 1, 2, 3]) {
      expect(transformMap(a, 2, n, n, elements.find((g) => g.key === `m${k}`)!)).toEqual(expected);
      expected = turn(expected);
    }
  });
  it('m1 is the transpose (main diagonal) and m3 the reflection in the anti-diagonal', () => {
    const a = ramp(1, n, n);
    expect(transformMap(a, 1, n, n, elements.find((g) => g.key === 'm1')!)).toEqual(fromFormula(a, 1, n, n, n, n, (i, j) => [j, i]));
    expect(transformMap(a, 1, n, n, elements.find((g) => g.key === 'm3')!)).toEqual(fromFormula(a, 1, n, n, n, n, (i, j) => [n - 1 - j, n - 1 - i]));
  });
  it('its 7 elements are distinct non-identity permutations, closed under composition with the identity', () => {
    const a = ramp(1, n, n);
    const images = elements.map((g) => key(apply(a, 1, n, g)));
    const group = new Set([key(a), ...images]);
    expect(group.size).toBe(8);
    for (const g of elements) {
      for (const f of elements) expect(group.has(key(apply(apply(a, 1, n, f), 1, n, g)))).toBe(true);
      // Every element has an inverse in the group.
      expect(elements.some((f) => key(apply(apply(a, 1, n, g), 1, n, f)) === key(a))).toBe(true);
    }
  });
  it('equals the 8 symmetries of the square written as index formulas', () => {
    const a = ramp(1, n, n);
    const m = n - 1;
    const symmetries: ((i: number, j: number) => [number, number])[] = [
      (i, j) => [i, j],
      (i, j) => [j, m - i],
      (i, j) => [m - i, m - j],
      (i, j) => [m - j, i],
      (i, j) => [i, m - j],
      (i, j) => [m - i, j],
      (i, j) => [j, i],
      (i, j) => [m - j, m - i],
    ];
    const expected = new Set(symmetries.map((s) => key(fromFormula(a, 1, n, n, n, n, s))));
    expect(new Set([key(a), ...elements.map((g) => key(apply(a, 1, n, g)))])).toEqual(expected);
  });
});

describe('transformMap', () => {
  it('permutes each channel of a 2048×7×7 map independently', () => {
    const rand = seeded(5);
    const [k, n] = [2048, 7];
    const map = Float32Array.from({ length: k * n * n }, rand);
    const [k1] = groupElements('rot90', { shifts: [], height: 224 });
    const out = transformMap(map, k, n, n, k1);
    for (const c of [0, 1, 1000, 2047]) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(at(out, n, n, c, i, j)).toBe(at(map, n, n, c, j, n - 1 - i));
  });
  it('turns a non-square map by 180°', () => {
    const a = ramp(1, 2, 5);
    expect(transformMap(a, 1, 2, 5, el(2, false))).toEqual(fromFormula(a, 1, 2, 5, 2, 5, (i, j) => [1 - i, 4 - j]));
  });
  it('EXPECTED FAILURE - an odd number of quarter turns on a non-square map is a RangeError', () => {
    for (const g of [el(1, false), el(3, false), el(1, true), el(-1, false)]) expect(() => transformMap(ramp(1, 2, 3), 1, 2, 3, g)).toThrow(/Cannot turn a 2×3 map by 90°.*not square/);
  });
  it('EXPECTED FAILURE - a translate element is a RangeError pointing to overlapPair', () => {
    const [s1] = groupElements('translate', { shifts: [1], height: 8 });
    expect(() => transformMap(ramp(1, 3, 3), 1, 3, 3, s1)).toThrow(/overlapPair/);
  });
  it('EXPECTED FAILURE - a map of the wrong length is a RangeError', () => {
    expect(() => transformMap(new Float32Array(8), 1, 3, 3, el(1, false))).toThrow(/Expected 1×3×3 = 9 values, got 8/);
  });
});

describe('sourcePositions (T′_g as the index list the scored models gather by)', () => {
  it('moves an index map exactly as permutePlanes does, for every D4 element and flips of non-square maps', () => {
    const cases: [number, number, GroupElement][] = [
      ...groupElements('d4', { shifts: [], height: 5 }).map((g): [number, number, GroupElement] => [5, 5, g]),
      ...groupElements('hflip', { shifts: [], height: 4 }).map((g): [number, number, GroupElement] => [4, 6, g]),
      ...groupElements('vflip', { shifts: [], height: 4 }).map((g): [number, number, GroupElement] => [4, 6, g]),
    ];
    for (const [h, w, g] of cases) {
      const index = Float32Array.from({ length: h * w }, (_, i) => i);
      expect([...sourcePositions(h, w, mapSteps(g))], g.key).toEqual([...permutePlanes(index, 1, h, w, g.quarterTurns, g.flip)]);
    }
  });
});
