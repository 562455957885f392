import type { GroupElement } from '../../src/types.js';
import { lcg32 } from '../../src/images/prng.js';

/** A c×h×w array whose value names its position: 1000·c + 100·i + j (exact in float32 for small sizes). */
export const ramp = (c: number, h: number, w: number): Float32Array =>
  Float32Array.from({ length: c * h * w }, (_, n) => 1000 * Math.floor(n / (h * w)) + 100 * Math.floor((n / w) % h) + (n % w));

/** Value at (c, i, j) of a c×h×w array. */
export const at = (a: Float32Array, h: number, w: number, c: number, i: number, j: number): number => a[c * h * w + i * w + j];

/** A bare permutation element: k counter-clockwise quarter turns after an optional hflip. */
export const el = (quarterTurns: number, flip: boolean, key = 'x'): GroupElement => ({ transform: 'd4', key, quarterTurns, flip, shift: 0 });

/** Builds a c×h×w array from an index formula: out[c][i][j] = a[c][src(i, j)]. */
export function fromFormula(a: Float32Array, c: number, h: number, w: number, oh: number, ow: number, src: (i: number, j: number) => [number, number]): Float32Array {
  const out = new Float32Array(c * oh * ow);
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const [y, x] = src(i, j);
        out[ch * oh * ow + i * ow + j] = at(a, h, w, ch, y, x);
      }
    }
  }
  return out;
}

/** Deterministic uniform [0, 1) numbers (LCG), so tests are reproducible. */
export function seeded(seed: number): () => number {
  return lcg32(seed);
}
