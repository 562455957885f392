/**
 * A small seeded PRNG, so synthetic images are the same on every machine and Node version
 * (SPEC §8). Only 32-bit integer arithmetic (`Math.imul`, shifts) is used: no `Math.random`, no
 * platform maths functions whose last bits may differ.
 */

/** A source of uniform numbers in [0, 1), 32 bits of resolution. */
export type Random = () => number;

/**
 * mulberry32 (Tommy Ettinger): a 32-bit-state generator, fast and good enough for noise images.
 *
 * @param seed - any 32-bit integer (other numbers are reduced modulo 2^32)
 * @returns a generator; the same seed gives the same sequence
 * @example
 * const rand = mulberry32(1);
 * rand(); // 0.6270739405881613, on every machine
 */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The 32-bit linear congruential generator of Numerical Recipes (x ← 1664525·x + 1013904223 mod
 * 2^32): weaker than mulberry32, but the sequence that model discovery's images and the tests'
 * seeded arrays were written with, so it stays, written once here.
 *
 * @param seed - any 32-bit integer (other numbers are reduced modulo 2^32)
 * @returns a generator of uniform numbers in [0, 1)
 * @example
 * const rand = lcg32(12345);
 * rand(); // 0.02040268573909998, on every machine
 */
export function lcg32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** murmur3's 32-bit finaliser: spreads every input bit over the output, so nearby seeds decorrelate. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Derives the seed of stream `index` from a run seed, so that item i does not depend on how many
 * items came before it (synthetic image i is the same in a shard and in the whole run).
 *
 * @param seed - run seed, a safe integer (negative and > 2^32 are fine)
 * @param index - stream number, a non-negative integer
 * @returns a 32-bit unsigned seed for `mulberry32`
 */
export function deriveSeed(seed: number, index: number): number {
  const low = seed >>> 0;
  const high = Math.floor(seed / 4294967296) >>> 0;
  return fmix32(fmix32(low ^ fmix32(high + 0x9e3779b9)) ^ Math.imul(index + 1, 0x9e3779b9));
}
