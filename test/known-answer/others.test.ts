import { describe, expect, it } from 'vitest';
import { buildCircularCnn } from '../../src/known-answer/circular.js';
import { buildLargeMean } from '../../src/known-answer/largemean.js';
import { buildRandomCnn } from '../../src/known-answer/random.js';
import {
  applyEl,
  checkExpectations,
  concatBatch,
  cosine,
  makeImages,
  pearson,
  relDiff,
  roll,
  runModel,
} from './helpers.js';

describe('circular_cnn', () => {
  const probe = buildCircularCnn(2, { exposeLayers: true });
  const x = concatBatch(makeImages(41, 2, probe.inputShape, 'white'), makeImages(42, 2, probe.inputShape, 'smooth'));

  it('rolling the input rolls every map by the same shift (numpy.roll); pool and logits unchanged', async () => {
    const base = await runModel(probe.bytes, x);
    expect(base.conv1.dims).toEqual([4, 8, 32, 32]);
    for (const s of [1, 5, 13]) {
      const moved = await runModel(probe.bytes, roll(x, s));
      for (const l of ['conv1', 'relu1', 'conv2', 'relu2', 'conv3', 'relu3']) {
        expect(relDiff(moved[l], roll(base[l], s)), `${l} s${s}`).toBeLessThan(1e-4);
      }
      expect(relDiff(moved.pool, base.pool)).toBeLessThan(1e-4);
      expect(relDiff(moved.logits, base.logits)).toBeLessThan(1e-4);
    }
  });

  it('meets its stated expectations under a reference scorer', async () => {
    const res = await checkExpectations(probe, probe.bytes, x);
    expect(res.length).toBeGreaterThan(10);
    expect(res.filter((r) => !r.ok)).toEqual([]);
  });
});

describe('random_cnn', () => {
  const probe = buildRandomCnn(1, { exposeLayers: true });
  const x = concatBatch(makeImages(51, 2, probe.inputShape, 'white'), makeImages(52, 2, probe.inputShape, 'smooth'));

  it('rot90 of the input does not simply rotate the maps', async () => {
    const base = await runModel(probe.bytes, x);
    const moved = await runModel(probe.bytes, applyEl(x, { r: 1, m: 0 }));
    expect(base.maxpool1.dims).toEqual([4, 8, 16, 16]);
    for (const l of ['conv1', 'relu1', 'maxpool1', 'conv2', 'relu2', 'conv3', 'relu3']) {
      expect(relDiff(moved[l], applyEl(base[l], { r: 1, m: 0 })), l).toBeGreaterThan(0.3);
    }
  });

  it('meets its stated (upper-bound) expectations under a reference scorer', async () => {
    const res = await checkExpectations(probe, probe.bytes, x);
    expect(res.length).toBeGreaterThan(10);
    expect(res.filter((r) => !r.ok)).toEqual([]);
  });
});

describe('large_mean', () => {
  const probe = buildLargeMean(3, { exposeLayers: true });
  const x = concatBatch(makeImages(61, 2, probe.inputShape, 'white'), makeImages(62, 2, probe.inputShape, 'smooth'));

  it('channels 0–3 commute with rot90 exactly; channels 4–7 have Pearson < 0.9 but cosine > 0.99', async () => {
    const base = await runModel(probe.bytes, x);
    const moved = await runModel(probe.bytes, applyEl(x, { r: 1, m: 0 }));
    for (const l of ['relu1', 'relu2']) {
      const [n, k, h] = base[l].dims;
      const rotated = applyEl(base[l], { r: 1, m: 0 });
      const mean = base[l].data.reduce((a, b) => a + b, 0) / base[l].data.length;
      expect(mean, `${l} mean`).toBeGreaterThan(l === 'relu1' ? 40 : 400);
      for (let i = 0; i < n; i += 1)
        for (let c = 0; c < k; c += 1) {
          const sl = (a: Float32Array): Float32Array => a.subarray((i * k + c) * h * h, (i * k + c + 1) * h * h);
          const p = pearson(sl(moved[l].data), sl(rotated.data));
          const cs = cosine(sl(moved[l].data), sl(rotated.data));
          if (c < 4) expect(p, `${l} img${i} ch${c}`).toBeGreaterThan(0.9999);
          else expect(p, `${l} img${i} ch${c}`).toBeLessThan(0.9);
          expect(cs, `${l} img${i} ch${c} cosine`).toBeGreaterThan(0.99);
        }
    }
  });

  it('meets its stated expectations (Pearson and cosine) under a reference scorer', async () => {
    const res = await checkExpectations(probe, probe.bytes, x);
    expect(res.some((r) => r.expectation.similarity === 'cosine')).toBe(true);
    expect(res.filter((r) => !r.ok)).toEqual([]);
  });
});
