import { describe, expect, it } from 'vitest';
import { buildKnownAnswerNetworks } from '../../src/known-answer/index.js';
import { PARTS, TRANSFORM_NAMES } from '../../src/types.js';
import { runModel, makeImages } from './helpers.js';

describe('buildKnownAnswerNetworks', () => {
  const probes = buildKnownAnswerNetworks(0);

  it('returns the 8 probes, deterministically', () => {
    expect(probes.map((p) => p.name)).toEqual([
      'gaussian_inv',
      'cornercut_eqv',
      'c4_gcnn',
      'd4_gcnn',
      'circular_cnn',
      'random_cnn',
      'tiny_vit',
      'large_mean',
    ]);
    const again = buildKnownAnswerNetworks(0);
    probes.forEach((p, i) => expect(again[i].bytes).toEqual(p.bytes));
  });

  it('every probe is well-formed: square input, known transforms and parts, one target per expectation', () => {
    for (const p of probes) {
      expect(p.inputShape[1]).toBe(p.inputShape[2]);
      expect([1, 3]).toContain(p.inputShape[0]);
      expect(p.layers).toContain(p.pool);
      expect(p.layers[p.layers.length - 1]).toBe(p.final);
      expect(p.expected.length).toBeGreaterThan(0);
      for (const e of p.expected) {
        expect(TRANSFORM_NAMES).toContain(e.transform);
        expect(p.transforms).toContain(e.transform);
        expect(e.part === undefined).not.toBe(e.layer === undefined);
        if (e.part) expect(PARTS).toContain(e.part);
        if (e.layer) expect(p.layers).toContain(e.layer);
        expect(e.atLeast !== undefined || e.atMost !== undefined).toBe(true);
      }
    }
  });

  it('every model runs with a dynamic batch and outputs logits [N, 10]; exposeLayers outputs exactly the named layers', async () => {
    const exposed = buildKnownAnswerNetworks(0, { exposeLayers: true });
    for (const [i, p] of probes.entries()) {
      for (const n of [1, 3]) {
        const out = await runModel(p.bytes, makeImages(n, n, p.inputShape, 'white'));
        expect(out.logits.dims, p.name).toEqual([n, 10]);
      }
      const out = await runModel(exposed[i].bytes, makeImages(9, 2, p.inputShape, 'white'));
      expect(Object.keys(out).sort(), p.name).toEqual([...p.layers].sort());
    }
  });
});
