import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { syntheticImage } from '../../src/images/synthetic.js';
import { buildRandomCnn } from '../../src/known-answer/random.js';
import { DIRECT_LEAVE_OUT_MAX_IMAGES } from '../../src/measure/vector-chance.js';
import { measure } from '../../src/pipeline.js';
import { groupElements, permutePlanes } from '../../src/transforms/index.js';
import { reference } from '../scores/vector-reference.js';

/**
 * A run past `DIRECT_LEAVE_OUT_MAX_IMAGES` keeps Final (10 wide) per image and takes each element's
 * own scores from its jackknife blocks merged: they must be SPEC §3–§4 written out over the
 * model's logits of the same images.
 */
describe('a large run scores its per-image vectors from the merged jackknife blocks', () => {
  it('Final under rot90, 300 images: every element as the definition gives it', async () => {
    const n = 300;
    expect(n).toBeGreaterThan(DIRECT_LEAVE_OUT_MAX_IMAGES);
    const network = buildRandomCnn(3);
    const model = path.join(mkdtempSync(path.join(tmpdir(), 'equiprobe-large-')), 'random_cnn.onnx');
    writeFileSync(model, network.bytes);
    const { report } = await measure({ model, transforms: ['rot90'], synthetic: n, threads: 2 });

    const prep = report.config.preprocessing;
    const [channels, size] = [prep.channels, prep.size];
    const images = Array.from({ length: n }, (_, i) => syntheticImage(i, report.config.seed, prep, 0));
    const session = await ort.InferenceSession.create(network.bytes);
    const logits = async (quarterTurns: number) => {
      const x = new Float32Array(n * channels * size * size);
      images.forEach((image, i) => x.set(permutePlanes(image, channels, size, size, quarterTurns, false), i * image.length));
      const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, [n, channels, size, size]) });
      return out[session.outputNames[0]].data as Float32Array;
    };
    const original = await logits(0);
    const k = original.length / n;
    const final = report.layers.find((l) => l.transform === 'rot90' && report.probes.find((p) => p.name === l.layer)?.part === 'Final')!;
    const elements = groupElements('rot90', { shifts: [], height: size });
    expect(final.elements.map((e) => e.key)).toEqual(elements.map((g) => g.key));
    for (const g of elements) {
      const want = reference(await logits(g.quarterTurns), original, n, k, true);
      const got = final.elements.find((e) => e.key === g.key)!;
      const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
      expect(got.inv.mean, g.key).toBeCloseTo(mean(want.inv), 5);
      expect(got.eqv.mean, g.key).toBeCloseTo(mean(want.eqv), 5);
    }
    await session.release();
  }, 60_000);
});
