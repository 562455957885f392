/**
 * SPEC §3's constant-row rule is scale-free: σ ≤ 32·u·max(|mean|, ρ) with ρ the RMS of the whole
 * probe tensor. Multiplying a tensor by any non-zero number must change no score and no count
 * (under the old absolute bound σ < 1e−8·(1 + |mean|) a tensor scaled by 1e−9 lost every pair),
 * and a row whose values are all equal is constant whatever its value and length.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/known-answer/filters.js';
import { GraphBuilder } from '../../src/onnx/graph.js';
import { measure } from '../../src/pipeline.js';
import { addChunk, addCoMomentScores, emptyCoMoments } from '../../src/scores/co-moments.js';
import { emptySums } from '../../src/scores/sums.js';
import type { ProbeReport } from '../../src/types.js';
import { jsCrossProduct } from './vector-reference.js';

const dir = mkdtempSync(path.join(tmpdir(), 'equiprobe-scale-'));

/**
 * x [N,1,16,16] → conv1 (4 ch, channel 3 dead: bias −100) → relu1 → conv2 → `scaled` = conv2 · f
 * → relu2 → conv3 (stride 2) → relu3 → GAP → Gemm → `logits` = · fLogits. Weights are the same
 * for every f, so the scaled model computes f times the same tensors from `scaled` on.
 */
function scaledCnn(f: number, fLogits: number): string {
  const rng = createRng(11);
  const weights = (n: number) => Float32Array.from({ length: n }, () => rng.normal() / 3);
  const g = new GraphBuilder('scaled', { opset: 17 });
  const x = g.input('x', ['N', 1, 16, 16]);
  const conv = (input: string, name: string, cin: number, bias: number[], stride = 1) =>
    g.node('Conv', [input, g.initializer(`${name}.w`, weights(4 * cin * 9), [4, cin, 3, 3]), g.initializer(`${name}.b`, bias, [4])], [name], { pads: [1, 1, 1, 1], strides: [stride, stride] })[0];
  const r1 = g.node('Relu', [conv(x, 'conv1', 1, [0.1, -0.1, 0.2, -100])], ['relu1'])[0];
  const c2 = conv(r1, 'conv2', 4, [0, 0.1, 0, 0.1]);
  const scaled = g.node('Mul', [c2, g.scalar(f)], ['scaled'])[0];
  const r2 = g.node('Relu', [scaled], ['relu2'])[0];
  const r3 = g.node('Relu', [conv(r2, 'conv3', 4, [0, 0, 0, 0], 2)], ['relu3'])[0];
  const flat = g.node('Flatten', [g.node('GlobalAveragePool', [r3], ['pool'])[0]], ['pool_flat'])[0];
  const gemm = g.node('Gemm', [flat, g.initializer('head.w', weights(12), [3, 4])], ['gemm'], { transB: 1 })[0];
  g.node('Mul', [gemm, g.scalar(fLogits)], ['logits']);
  g.output('logits', ['N', 3]);
  const file = path.join(dir, `scaled_${f}_${fLogits}.onnx`);
  writeFileSync(file, g.toBytes());
  return file;
}

const run = async (f: number, fLogits: number) =>
  (await measure({ model: scaledCnn(f, fLogits), transforms: ['rot90', 'translate'], shifts: [2, 5], shiftMode: 'roll', synthetic: 6, layers: 'all', threads: 1 })).report;

describe('scale-free constant rule (SPEC §3)', () => {
  let reference: ProbeReport;
  beforeAll(async () => {
    reference = await run(1, 1);
  }, 60_000);

  it('the reference run has constant rows to count and defined pairs in every layer', () => {
    const relu1 = reference.layers.find((l) => l.layer === 'relu1' && l.transform === 'rot90')!;
    // Channel 3 of relu1 is 0 everywhere (bias −100): at least 6 images × 3 elements.
    expect(relu1.inv.undefinedPairs).toBeGreaterThanOrEqual(18);
    for (const l of reference.layers) expect(l.inv.defined, `${l.layer} ${l.transform}`).toBeGreaterThan(0);
  });

  it.each([
    [1e-9, 1],
    [1e6, 1],
    [1, 1e-9],
    [1e-9, 1e6],
  ])('multiplying a mid-network tensor by %s and the logits by %s changes no score and no count', async (f, fLogits) => {
    const scaled = await run(f, fLogits);
    expect(scaled.layers.map((l) => `${l.layer} ${l.transform}`)).toEqual(reference.layers.map((l) => `${l.layer} ${l.transform}`));
    scaled.layers.forEach((l, i) => {
      const r = reference.layers[i];
      const at = `${l.layer} ${l.transform}`;
      for (const score of ['inv', 'eqv'] as const) {
        const { mean, std, ...counts } = l[score];
        const { mean: rMean, std: rStd, ...rCounts } = r[score];
        expect(counts, at).toEqual(rCounts);
        expect(mean!, at).toBeCloseTo(rMean!, 5);
        expect(std!, at).toBeCloseTo(rStd!, 5);
      }
    });
    expect(scaled.parts.map((p) => [p.part, p.transform, p.layers])).toEqual(reference.parts.map((p) => [p.part, p.transform, p.layers]));
    expect(scaled.warnings).toEqual(reference.warnings);
  }, 60_000);
});

describe('a vector channel whose values are all equal', () => {
  it('is constant whatever its value and the number of images, next to a channel that varies', async () => {
    for (const v of [0.1, 1 / 3, -7.123456, 1e-20, 3e7, 2 ** 24 + 2]) {
      for (const n of [7, 50_176, 200_003]) {
        // Channel 0 holds v for every image; channel 1 varies on the same scale (ρ is the RMS of both).
        const rows = new Float32Array(2 * n);
        for (let i = 0; i < n; i++) [rows[2 * i], rows[2 * i + 1]] = [v, v * (1 + 0.5 * Math.sin(i))];
        const m = emptyCoMoments(2, true);
        for (let start = 0; start < n; start += 4096) {
          const part = rows.subarray(2 * start, 2 * Math.min(n, start + 4096));
          await addChunk(m, part, part, part.length / 2, jsCrossProduct);
        }
        const [inv, eqv] = [emptySums(), emptySums()];
        addCoMomentScores(m, inv, eqv);
        // Channel 0 is constant on both sides (undefined, not one-sided); channel 1 correlates with itself.
        expect([inv.n, inv.undefinedPairs, inv.oneSided], `v = ${v}, n = ${n}`).toEqual([1, 1, 0]);
        expect(inv.sum).toBeCloseTo(1, 9);
      }
    }
  });
});
