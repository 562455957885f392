import { describe, expect, it } from 'vitest';
import { buildC4Gcnn, buildD4Gcnn } from '../../src/known-answer/gcnn.js';
import { buildCornerCutEqv } from '../../src/known-answer/cornercut.js';
import { applyEl, checkExpectations, concatBatch, makeImages, permuteChannels, relDiff, runModel, type El } from './helpers.js';

const PRE_POOL = ['conv1', 'relu1', 'conv2', 'relu2', 'conv3', 'relu3'];

/** The element e with L_e = L_a ∘ L_b, found by acting on a generic 5×5 array (no group algebra). */
function compose(a: El, b: El): El {
  const probe = { data: Float32Array.from({ length: 25 }, (_, i) => i * i + 1), dims: [5, 5] };
  const target = applyEl(applyEl(probe, b), a);
  for (let i = 0; i < 8; i += 1) {
    const e = { r: i % 4, m: i >> 2 };
    if (relDiff(applyEl(probe, e), target) === 0) return e;
  }
  throw new Error('not in D4');
}
const inv = (a: El): El => {
  for (let i = 0; i < 8; i += 1) {
    const e = { r: i % 4, m: i >> 2 };
    const c = compose(a, e);
    if (c.r === 0 && c.m === 0) return e;
  }
  throw new Error('no inverse');
};

describe('c4_gcnn', () => {
  const probe = buildC4Gcnn(3, { exposeLayers: true });
  const x = concatBatch(makeImages(11, 2, probe.inputShape, 'white'), makeImages(12, 2, probe.inputShape, 'smooth'));

  it('convention: input rot90 CCW ⇒ channel c·4+r equals rot90 of channel c·4+(r−1 mod 4); gpool/pool/logits invariant', async () => {
    const base = await runModel(probe.bytes, x);
    for (const k of [1, 2, 3]) {
      const el = { r: k, m: 0 };
      const moved = await runModel(probe.bytes, applyEl(x, el));
      for (const l of PRE_POOL) {
        const want = permuteChannels(applyEl(base[l], el), (ch) => ch - (ch % 4) + (((ch % 4) - k + 4) % 4));
        expect(relDiff(moved[l], want), `${l} k${k}`).toBeLessThan(1e-4);
        // and the map is not invariant channel by channel
        expect(relDiff(moved[l], applyEl(base[l], el)), `${l} k${k} not invariant`).toBeGreaterThan(0.05);
      }
      expect(relDiff(moved.gpool, applyEl(base.gpool, el))).toBeLessThan(1e-4);
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

describe('d4_gcnn', () => {
  const probe = buildD4Gcnn(4, { exposeLayers: true });
  const x = concatBatch(makeImages(21, 2, probe.inputShape, 'white'), makeImages(22, 2, probe.inputShape, 'smooth'));

  it('convention: input transform t ⇒ channel (c, h) equals t applied to channel (c, t⁻¹h), index m·4+r', async () => {
    const base = await runModel(probe.bytes, x);
    for (let i = 1; i < 8; i += 1) {
      const t = { r: i % 4, m: i >> 2 };
      const moved = await runModel(probe.bytes, applyEl(x, t));
      for (const l of PRE_POOL) {
        const want = permuteChannels(applyEl(base[l], t), (ch) => {
          const h = { r: ch % 4, m: (ch % 8) >> 2 };
          const src = compose(inv(t), h);
          return ch - (ch % 8) + src.m * 4 + src.r;
        });
        expect(relDiff(moved[l], want), `${l} t=${JSON.stringify(t)}`).toBeLessThan(1e-4);
      }
      expect(relDiff(moved.gpool, applyEl(base.gpool, t))).toBeLessThan(1e-4);
      expect(relDiff(moved.logits, base.logits)).toBeLessThan(1e-4);
    }
  });

  it('meets its stated expectations under a reference scorer', async () => {
    const res = await checkExpectations(probe, probe.bytes, x);
    expect(res.length).toBeGreaterThan(20);
    expect(res.filter((r) => !r.ok)).toEqual([]);
    }, 30_000); // ~2 s alone; the default 5 s was exceeded on a loaded machine
});

describe('cornercut_eqv', () => {
  const probe = buildCornerCutEqv(5, { exposeLayers: true });
  const x = concatBatch(makeImages(31, 2, probe.inputShape, 'white'), makeImages(32, 2, probe.inputShape, 'smooth'));

  it('rot90 rotates every map and cycles channels r → r+1; pool is permuted, logits unchanged', async () => {
    const base = await runModel(probe.bytes, x);
    const el = { r: 1, m: 0 };
    const moved = await runModel(probe.bytes, applyEl(x, el));
    const cyc = (ch: number): number => ch - (ch % 4) + (((ch % 4) + 3) % 4);
    for (const l of PRE_POOL) expect(relDiff(moved[l], permuteChannels(applyEl(base[l], el), cyc)), l).toBeLessThan(1e-4);
    expect(relDiff(moved.pool, permuteChannels(base.pool, cyc))).toBeLessThan(1e-4);
    expect(relDiff(moved.logits, base.logits)).toBeLessThan(1e-4);
  });

  it('meets its stated expectations under a reference scorer', async () => {
    const res = await checkExpectations(probe, probe.bytes, x);
    expect(res.filter((r) => !r.ok)).toEqual([]);
  });
});
