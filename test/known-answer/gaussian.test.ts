import { describe, expect, it } from 'vitest';
import { buildGaussianInv } from '../../src/known-answer/gaussian.js';
import { applyEl, checkExpectations, concatBatch, makeImages, relDiff, runModel } from './helpers.js';

describe('gaussian_inv', () => {
  const probe = buildGaussianInv(7, { exposeLayers: true });
  const x = concatBatch(makeImages(1, 2, probe.inputShape, 'white'), makeImages(2, 2, probe.inputShape, 'smooth'));

  it('commutes with every D4 element at every map layer; pool and logits are unchanged', async () => {
    const base = await runModel(probe.bytes, x);
    for (let i = 1; i < 8; i += 1) {
      const el = { r: i % 4, m: i >> 2 };
      const moved = await runModel(probe.bytes, applyEl(x, el));
      for (const l of probe.layers) {
        const want = base[l].dims.length === 4 && base[l].dims[2] > 1 ? applyEl(base[l], el) : base[l];
        expect(relDiff(moved[l], want), `${l} r${el.r} m${el.m}`).toBeLessThan(1e-4);
      }
    }
  });

  it('names its layers and has one output without exposeLayers', async () => {
    expect(probe.layers).toEqual(['conv1', 'relu1', 'conv2', 'relu2', 'conv3', 'relu3', 'pool', 'logits']);
    const plain = buildGaussianInv(7);
    const out = await runModel(plain.bytes, x);
    expect(Object.keys(out)).toEqual(['logits']);
    expect(out.logits.dims).toEqual([4, 10]);
  });

  it('meets its stated expectations under a reference scorer', async () => {
    const res = await checkExpectations(probe, probe.bytes, x);
    expect(res.filter((r) => !r.ok)).toEqual([]);
  });

  it('is deterministic in the seed', () => {
    expect(buildGaussianInv(7).bytes).toEqual(buildGaussianInv(7).bytes);
    expect(buildGaussianInv(8).bytes).not.toEqual(buildGaussianInv(7).bytes);
  });
});
