import { describe, expect, it } from 'vitest';
import { readProbeImage } from '../../src/forward/read.js';

/** value = 1000·n + 100·t + d for a token tensor [N,T,D]: every element names its own position. */
function tokens(n: number, t: number, d: number): Float32Array {
  return Float32Array.from({ length: n * t * d }, (_, i) => 1000 * Math.floor(i / (t * d)) + 100 * Math.floor((i / d) % t) + (i % d));
}

describe('readProbeImage', () => {
  it('drops the CLS token and lays tokens out row-major as D×s×s', () => {
    const data = tokens(2, 5, 3); // 1 prefix + 2×2 grid, D = 3
    const map = readProbeImage(data, [2, 5, 3], { format: 'NLC', channels: 3, h: 2, w: 2, prefixTokens: 1 }, 1);
    // channel d, grid position (y, x) ← token 1 + 2y + x of image 1
    for (let d = 0; d < 3; d++) for (let q = 0; q < 4; q++) expect(map[d * 4 + q]).toBe(1000 + 100 * (1 + q) + d);
  });
  it('reads [N,D,T] and [T,N,D] the same way as [N,T,D]', () => {
    const nlc = tokens(2, 5, 3);
    const expected = readProbeImage(nlc, [2, 5, 3], { format: 'NLC', channels: 3, h: 2, w: 2, prefixTokens: 1 }, 1);
    const ncl = new Float32Array(nlc.length);
    const lnc = new Float32Array(nlc.length);
    for (let n = 0; n < 2; n++) for (let t = 0; t < 5; t++) for (let d = 0; d < 3; d++) {
      ncl[(n * 3 + d) * 5 + t] = nlc[(n * 5 + t) * 3 + d];
      lnc[(t * 2 + n) * 3 + d] = nlc[(n * 5 + t) * 3 + d];
    }
    expect(readProbeImage(ncl, [2, 3, 5], { format: 'NCL', channels: 3, h: 2, w: 2, prefixTokens: 1 }, 1)).toEqual(expected);
    expect(readProbeImage(lnc, [5, 2, 3], { format: 'LNC', channels: 3, h: 2, w: 2, prefixTokens: 1 }, 1)).toEqual(expected);
  });
  it('transposes NHWC maps to K×h×w', () => {
    const data = Float32Array.from({ length: 2 * 2 * 2 * 3 }, (_, i) => i); // [N=2, h=2, w=2, K=3]
    const map = readProbeImage(data, [2, 2, 2, 3], { format: 'NHWC', channels: 3, h: 2, w: 2, prefixTokens: 0 }, 1);
    for (let c = 0; c < 3; c++) for (let q = 0; q < 4; q++) expect(map[c * 4 + q]).toBe(12 + q * 3 + c);
  });
});
