/**
 * splitmix64 (Steele, Lea & Flood 2014; Vigna's reference `splitmix64.c`) as a function of its
 * state: `splitmix64(x)` is the output of a generator whose state was `x` before the step, so
 * `splitmix64(0)` is the reference generator's first output for seed 0 (0xe220a8397b1dcdaf).
 *
 * SPEC §4b draws bootstrap replicate b, index k as image ⌊u·N/2⁶⁴⌋ with
 * u = splitmix64(splitmix64(splitmix64(0) ⊕ b) ⊕ k). Any implementation of that formula gives the
 * same images, so intervals are reproducible across tools. BigInt is the readable reference;
 * the draws run on two 32-bit halves (about 50× faster), tested equal to it.
 */

const MASK64 = (1n << 64n) - 1n;

/** splitmix64 on BigInt (the reference): z = x + γ, then the two xor-shift-multiply rounds. */
export function splitmix64(x: bigint): bigint {
  let z = (x + 0x9e3779b97f4a7c15n) & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/** A 64-bit value as unsigned 32-bit halves. */
export interface Word64 {
  hi: number;
  lo: number;
}

/** Full 64-bit product of two unsigned 32-bit numbers, via 16-bit limbs (every partial product exact in a double). */
function mul32(a: number, b: number, out: Word64): void {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  out.lo = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  out.hi = (a1 * b1 + Math.floor(p01 / 0x10000) + Math.floor(p10 / 0x10000) + (mid >>> 16)) >>> 0;
}

/** z · m mod 2⁶⁴ in place. */
function mul64(z: Word64, mHi: number, mLo: number, scratch: Word64): void {
  mul32(z.lo, mLo, scratch);
  const hi = (scratch.hi + Math.imul(z.hi, mLo) + Math.imul(z.lo, mHi)) >>> 0;
  z.hi = hi;
  z.lo = scratch.lo;
}

/** z ^= z >>> s (0 < s < 32) in place. */
function xorShift(z: Word64, s: number): void {
  const lo = ((z.lo >>> s) | (z.hi << (32 - s))) >>> 0;
  z.lo = (z.lo ^ lo) >>> 0;
  z.hi = (z.hi ^ (z.hi >>> s)) >>> 0;
}

/** `splitmix64` on 32-bit halves, in place: x ← splitmix64(x). */
export function splitmix64Halves(x: Word64, scratch: Word64 = { hi: 0, lo: 0 }): void {
  const lo = x.lo + 0x7f4a7c15;
  x.hi = (x.hi + 0x9e3779b9 + (lo >= 0x100000000 ? 1 : 0)) >>> 0;
  x.lo = lo >>> 0;
  xorShift(x, 30);
  mul64(x, 0xbf58476d, 0x1ce4e5b9, scratch);
  xorShift(x, 27);
  mul64(x, 0x94d049bb, 0x133111eb, scratch);
  xorShift(x, 31);
}

/** ⌊u·n / 2⁶⁴⌋ for u in halves and 0 < n < 2³² (the high word of the 96-bit product, exact). */
export function scaleToIndex(u: Word64, n: number): number {
  const nHi = n >>> 16;
  const nLo = n & 0xffff;
  // ⌊u.lo·n / 2³²⌋ from u.lo·n = (u.lo·nHi)·2¹⁶ + u.lo·nLo, each product below 2⁴⁸.
  const a = u.lo * nLo;
  const b = u.lo * nHi;
  const carry = Math.floor(b / 0x10000) + Math.floor(((b % 0x10000) * 0x10000 + a) / 0x100000000);
  const c = u.hi * nLo;
  const d = u.hi * nHi;
  return Math.floor(d / 0x10000) + Math.floor(((d % 0x10000) * 0x10000 + c + carry) / 0x100000000);
}

const SEED = splitmix64(0n);

/**
 * Images drawn by bootstrap replicate `b` (SPEC §4b): entry k is ⌊u·n/2⁶⁴⌋ with
 * u = splitmix64(splitmix64(splitmix64(0) ⊕ b) ⊕ k).
 *
 * @param b - replicate number, 0 ≤ b < 2³²
 * @param n - number of units (images or pairs), 0 < n < 2³²
 * @param out - where to write the n indices (reused between replicates)
 * @example
 * replicateDraws(0, 5); // Uint32Array of 5 indices in 0…4, the same in every implementation
 */
export function replicateDraws(b: number, n: number, out: Uint32Array = new Uint32Array(n)): Uint32Array {
  const base = splitmix64(SEED ^ BigInt(b));
  const baseHi = Number(base >> 32n);
  const baseLo = Number(base & 0xffffffffn);
  const u: Word64 = { hi: 0, lo: 0 };
  const scratch: Word64 = { hi: 0, lo: 0 };
  for (let k = 0; k < n; k++) {
    // k < 2³², so ⊕ k touches the low half only.
    u.hi = baseHi;
    u.lo = (baseLo ^ k) >>> 0;
    splitmix64Halves(u, scratch);
    out[k] = scaleToIndex(u, n);
  }
  return out;
}
