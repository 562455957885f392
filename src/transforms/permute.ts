import type { GroupElement } from '../types.js';

/** Quarter turns reduced to 0–3, so that −1 means 3 and 5 means 1. */
const turns = (quarterTurns: number): number => ((quarterTurns % 4) + 4) % 4;

// Source (row, column) of output (i, j) after k quarter turns of an h×w plane is affine in (i, j):
// row = r0 + ri·i + rj·j, column = c0 + ci·i + cj·j. k = 1 is numpy.rot90: out[i][j] = a[j][w−1−i].
const ROTATION_SOURCES = (h: number, w: number): readonly (readonly number[])[] => [
  [0, 1, 0, 0, 0, 1],
  [0, 0, 1, w - 1, -1, 0],
  [h - 1, -1, 0, w - 1, 0, -1],
  [h - 1, 0, -1, 0, 1, 0],
];

/**
 * Applies "horizontal flip (optional), then k counter-clockwise quarter turns" to each of
 * `channels` planes of size h×w. A quarter turn is exactly `numpy.rot90(a, 1, axes=(H, W))`:
 * out[i][j] = a[j][w−1−i]; the flip reverses W. Images and feature maps share it, because SPEC §2
 * makes T'_g on a map the same index permutation as T_g on the input.
 *
 * @param data - channels×h×w values, row-major per plane
 * @param channels - number of planes
 * @param h - plane height
 * @param w - plane width
 * @param quarterTurns - counter-clockwise quarter turns (taken modulo 4)
 * @param flip - reverse W before turning
 * @returns a new array of the permuted planes; each is w×h after an odd number of turns
 * @throws RangeError when `data` does not hold channels×h×w values
 * @example
 * // [[1, 2], [3, 4]] turned once counter-clockwise → [[2, 4], [1, 3]]
 * permutePlanes(Float32Array.of(1, 2, 3, 4), 1, 2, 2, 1, false); // Float32Array [2, 4, 1, 3]
 */
export function permutePlanes(data: Float32Array, channels: number, h: number, w: number, quarterTurns: number, flip: boolean): Float32Array {
  const plane = h * w;
  if (data.length !== channels * plane) throw new RangeError(`Expected ${channels}×${h}×${w} = ${channels * plane} values, got ${data.length}.`);
  const k = turns(quarterTurns);
  if (k === 0 && !flip) return data.slice();
  const [oh, ow] = k % 2 === 1 ? [w, h] : [h, w];
  const [r0, ri, rj, c0, ci, cj] = ROTATION_SOURCES(h, w)[k];
  // Flipping first reads column w−1−x of the original wherever the rotation reads column x.
  const [fc0, fci, fcj] = flip ? [w - 1 - c0, -ci, -cj] : [c0, ci, cj];
  const start = r0 * w + fc0;
  const di = ri * w + fci;
  const dj = rj * w + fcj;
  const out = new Float32Array(data.length);
  for (let c = 0; c < channels; c++) {
    const base = c * plane;
    let o = base;
    for (let i = 0; i < oh; i++) {
      let src = base + start + i * di;
      for (let j = 0; j < ow; j++, src += dj) out[o++] = data[src];
    }
  }
  return out;
}

/**
 * T'_g on a K×h×w feature map for a rotation or flip element g (SPEC §2). Translations are not an
 * index permutation of the map; they are compared on the overlap, see `overlapPair`.
 *
 * @param map - K×h×w values of one image
 * @param channels - K
 * @param h - map height
 * @param w - map width
 * @param g - a rot90, hflip, vflip or d4 element
 * @returns a new K×h×w array (h = w whenever g turns by an odd number of quarters)
 * @throws RangeError for a translate element, or an odd number of quarter turns on a non-square map
 * @example
 * const [k1] = groupElements('rot90', { shifts: [], height: 224 });
 * transformMap(map, 2048, 7, 7, k1); // Float32Array(2048·7·7), each 7×7 plane turned 90° CCW
 */
export function transformMap(map: Float32Array, channels: number, h: number, w: number, g: GroupElement): Float32Array {
  if (g.transform === 'translate') throw new RangeError(`transformMap does not shift maps (element '${g.key}'); compare translated maps with overlapPair.`);
  if (turns(g.quarterTurns) % 2 === 1 && h !== w) throw new RangeError(`Cannot turn a ${h}×${w} map by 90° (element '${g.key}'): it is not square. Skip this layer for rot90/d4.`);
  return permutePlanes(map, channels, h, w, g.quarterTurns, g.flip);
}
