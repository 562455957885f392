import type { GroupElement } from '../types.js';

/**
 * Applies "hflip (optional), then k counter-clockwise quarter turns" to each of `channels` planes
 * of size h×w. A quarter turn is exactly numpy.rot90(a, 1, axes=(H, W)): out[i][j] = a[j][w−1−i].
 * Used for images and feature maps alike (SPEC §2: T'_g is the same index permutation).
 *
 * @returns the permuted planes; their size is w×h after an odd number of turns
 * @example
 * // [[1, 2], [3, 4]] rotated once counter-clockwise → [[2, 4], [1, 3]]
 * permutePlanes(Float32Array.of(1, 2, 3, 4), 1, 2, 2, 1, false);
 */
export function permutePlanes(data: Float32Array, channels: number, h: number, w: number, quarterTurns: number, flip: boolean): Float32Array {
  const k = ((quarterTurns % 4) + 4) % 4;
  const out = new Float32Array(channels * h * w);
  const [oh, ow] = k % 2 === 1 ? [w, h] : [h, w];
  // Source row y and column x of output (i, j) are affine in (i, j): y = y0 + yi·i + yj·j, same for x.
  const [y0, yi, yj, x0, xi, xj] = [
    [0, 1, 0, 0, 0, 1],
    [0, 0, 1, w - 1, -1, 0],
    [h - 1, -1, 0, w - 1, 0, -1],
    [h - 1, 0, -1, 0, 1, 0],
  ][k];
  const [fx0, fxi, fxj] = flip ? [w - 1 - x0, -xi, -xj] : [x0, xi, xj];
  const start = y0 * w + fx0;
  const di = yi * w + fxi;
  const dj = yj * w + fxj;
  for (let c = 0; c < channels; c++) {
    const base = c * h * w;
    let o = base;
    for (let i = 0; i < oh; i++) {
      let src = base + start + i * di;
      for (let j = 0; j < ow; j++, src += dj) out[o++] = data[src];
    }
  }
  return out;
}

/**
 * T'_g on a K×h×w map for a rotation/flip element g (translation is handled by `overlapPair`).
 *
 * @throws RangeError for an odd number of quarter turns on a non-square map
 */
export function transformMap(map: Float32Array, channels: number, h: number, w: number, g: GroupElement): Float32Array {
  if (g.quarterTurns % 2 === 1 && h !== w) throw new RangeError(`Cannot rotate a ${h}×${w} map by 90°: it is not square.`);
  return permutePlanes(map, channels, h, w, g.quarterTurns, g.flip);
}
