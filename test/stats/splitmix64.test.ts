import { describe, expect, it } from 'vitest';
import { replicateDraws, scaleToIndex, splitmix64, splitmix64Halves } from '../../src/stats/splitmix64.js';

const halves = (x: bigint) => ({ hi: Number(x >> 32n), lo: Number(x & 0xffffffffn) });
const joined = (w: { hi: number; lo: number }) => (BigInt(w.hi) << 32n) | BigInt(w.lo);

describe('splitmix64', () => {
  it('gives the reference generator’s outputs for seed 0 (Vigna, splitmix64.c)', () => {
    // State before step j is j·γ (γ = 0x9e3779b97f4a7c15), so output j is splitmix64(j·γ mod 2⁶⁴).
    expect(splitmix64(0n)).toBe(0xe220a8397b1dcdafn);
    expect(splitmix64(0x9e3779b97f4a7c15n)).toBe(0x6e789e6aa1b965f4n);
  });

  it('on 32-bit halves equals the BigInt reference', () => {
    let x = 12345n;
    for (let i = 0; i < 2000; i++) {
      x = splitmix64(x ^ BigInt(i));
      const w = halves(x);
      splitmix64Halves(w);
      expect(joined(w)).toBe(splitmix64(x));
    }
    for (const edge of [0n, 1n, 0xffffffffn, 0x100000000n, (1n << 64n) - 1n, 0x61c8864680b583ebn]) {
      const w = halves(edge);
      splitmix64Halves(w);
      expect(joined(w)).toBe(splitmix64(edge));
    }
  });

  it('scales u to ⌊u·n/2⁶⁴⌋ exactly', () => {
    let u = 99n;
    for (let i = 0; i < 2000; i++) {
      u = splitmix64(u);
      for (const n of [1, 2, 3, 7, 1000, 65535, 65536, 65537, 123457, 0x7fffffff, 0xffffffff]) {
        expect(scaleToIndex(halves(u), n)).toBe(Number((u * BigInt(n)) >> 64n));
      }
    }
    expect(scaleToIndex(halves((1n << 64n) - 1n), 0xffffffff)).toBe(0xfffffffe);
  });

  it('draws replicate b, index k as ⌊u·N/2⁶⁴⌋ with u = splitmix64(splitmix64(splitmix64(0) ⊕ b) ⊕ k) (SPEC §4b)', () => {
    const n = 17;
    for (const b of [0, 1, 999]) {
      const draws = replicateDraws(b, n);
      const base = splitmix64(splitmix64(0n) ^ BigInt(b));
      for (let k = 0; k < n; k++) expect(draws[k]).toBe(Number((splitmix64(base ^ BigInt(k)) * BigInt(n)) >> 64n));
    }
    // By hand: b = 0, k = 0, N = 2 is the top bit of splitmix64(splitmix64(0xe220a8397b1dcdaf)).
    const u = splitmix64(splitmix64(0xe220a8397b1dcdafn));
    expect(replicateDraws(0, 2)[0]).toBe(Number(u >> 63n));
  });
});
