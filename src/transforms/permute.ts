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
 * out[i][j] = a[j][w−1−i]; the flip reverses W. T_g on input images (transforms/input.ts); SPEC §2 makes
 * T'_g on a map the same index permutation, which the scored models apply inside onnxruntime
 * (`sourcePositions`), tested against test/reference/maps.ts.
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
