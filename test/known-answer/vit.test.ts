import { describe, expect, it } from 'vitest';
import { buildTinyVit } from '../../src/known-answer/vit.js';
import { applyEl, checkExpectations, concatBatch, makeImages, pearson, readLayer, relDiff, runModel, type Arr } from './helpers.js';

/** Mean over images and channels of Pearson(F'_c, rot90 F_c) for maps read with `read`. */
function rotInv(base: Arr, moved: Arr, read: (a: Arr) => Arr): number {
  const f = read(base);
  const m = read(moved);
  const rf = applyEl(f, { r: 1, m: 0 });
  const [n, k, h, w] = f.dims;
  let sum = 0;
  for (let i = 0; i < n * k; i += 1) sum += pearson(m.data.subarray(i * h * w, (i + 1) * h * w), rf.data.subarray(i * h * w, (i + 1) * h * w));
  return sum / (n * k);
}

describe('tiny_vit', () => {
  const probe = buildTinyVit(6, { exposeLayers: true });
  const x = concatBatch(makeImages(71, 2, probe.inputShape, 'white'), makeImages(72, 2, probe.inputShape, 'smooth'));

  it('runs, with an 8×8 token grid and one CLS prefix token', async () => {
    const out = await runModel(probe.bytes, x);
    expect(probe.tokens?.grid).toBe(8);
    expect(out.patch_embed.dims).toEqual([4, 32, 8, 8]);
    expect(out.tokens.dims).toEqual([4, 64, 32]);
    for (const l of ['embed', 'block0_ln1', 'block0_attn', 'block0_res1', 'block1_res2', 'norm']) {
      expect(out[l].dims, l).toEqual([4, 65, 32]);
      expect(probe.tokens?.prefixTokens[l]).toBe(1);
    }
    expect(out.block0_gelu.dims).toEqual([4, 65, 64]);
    expect(probe.tokens?.prefixTokens.tokens).toBe(0);
    expect(out.cls.dims).toEqual([4, 32]);
    expect(out.logits.dims).toEqual([4, 10]);
    expect(out.logits.data.every(Number.isFinite)).toBe(true);
    const plain = await runModel(buildTinyVit(6).bytes, x);
    expect(Object.keys(plain)).toEqual(['logits']);
    expect(relDiff(plain.logits, out.logits)).toBeLessThan(1e-6);
  });

  it('tokens read row-major after the CLS token permute exactly like the grid under every D4 element', async () => {
    const base = await runModel(probe.bytes, x);
    for (let i = 1; i < 8; i += 1) {
      const el = { r: i % 4, m: i >> 2 };
      const moved = await runModel(probe.bytes, applyEl(x, el));
      for (const l of probe.layers) {
        const prefix = probe.tokens?.prefixTokens[l] ?? 0;
        const asMap = (a: Arr): Arr => {
          if (a.dims.length !== 3) return a;
          const r = readLayer(a, prefix);
          return { data: r.data, dims: [r.n, r.k, r.h, r.w] };
        };
        const b = asMap(base[l]);
        const want = b.dims.length === 4 ? applyEl(b, el) : b;
        expect(relDiff(asMap(moved[l]), want), `${l} ${JSON.stringify(el)}`).toBeLessThan(1e-4);
      }
    }
  });

  it('misreading the layout (transposed grid, last token dropped instead of CLS) scores clearly below 1', async () => {
    const base = await runModel(probe.bytes, x);
    const moved = await runModel(probe.bytes, applyEl(x, { r: 1, m: 0 }));
    const correct = (a: Arr): Arr => {
      const r = readLayer(a, 1);
      return { data: r.data, dims: [r.n, r.k, r.h, r.w] };
    };
    const transposed = (a: Arr): Arr => {
      const m = correct(a);
      const [n, k, s] = m.dims;
      const out = new Float32Array(m.data.length);
      for (let i = 0; i < n * k; i += 1)
        for (let y = 0; y < s; y += 1) for (let z = 0; z < s; z += 1) out[i * s * s + y * s + z] = m.data[i * s * s + z * s + y];
      return { data: out, dims: m.dims };
    };
    const dropLast = (a: Arr): Arr => {
      const [n, t, d] = a.dims;
      const out = new Float32Array(n * (t - 1) * d);
      for (let i = 0; i < n; i += 1) out.set(a.data.subarray(i * t * d, (i * t + t - 1) * d), i * (t - 1) * d);
      const r = readLayer({ data: out, dims: [n, t - 1, d] }, 0);
      return { data: r.data, dims: [r.n, r.k, r.h, r.w] };
    };
    for (const l of ['embed', 'block1_res2']) {
      expect(rotInv(base[l], moved[l], correct), l).toBeGreaterThan(0.9999);
      expect(rotInv(base[l], moved[l], transposed), `${l} transposed`).toBeLessThan(0.9);
      expect(rotInv(base[l], moved[l], dropLast), `${l} drop last`).toBeLessThan(0.9);
    }
  });

  it('meets its stated expectations under a reference scorer', async () => {
    const res = await checkExpectations(probe, probe.bytes, x);
    expect(res.length).toBeGreaterThan(20);
    expect(res.filter((r) => !r.ok)).toEqual([]);
  });
});
