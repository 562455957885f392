/**
 * SPEC §2: per-axis map shifts, non-square inputs, and views that do not depend on the other
 * transforms of the run. Known answers: a 1×1 conv of stride (4, 1) maps a roll by s (s a multiple
 * of 4) to a map shift (s/4, s) exactly, so it is translation invariant on the overlap (inv = 1);
 * a conv whose filter is symmetric left–right commutes with hflip on any H×W.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/known-answer/filters.js';
import { GraphBuilder } from '../../src/onnx/graph.js';
import { measure } from '../../src/pipeline.js';
import type { ProbeReport } from '../../src/types.js';

const dir = mkdtempSync(path.join(tmpdir(), 'equiprobe-views-'));
const images = path.join(import.meta.dirname, '..', '..', 'examples', 'zoo', 'images');

function save(name: string, g: GraphBuilder, map: string, k: number): string {
  g.node('Flatten', [g.node('GlobalAveragePool', [map], ['pool'])[0]], ['logits']);
  g.output('logits', ['N', k]);
  const file = path.join(dir, `${name}.onnx`);
  writeFileSync(file, g.toBytes());
  return file;
}

/** x [N,1,H,W] → 1×1 conv of stride (4, 1), 4 channels → relu. */
function anisotropicConv(h: number, w: number): string {
  const g = new GraphBuilder('aniso', { opset: 17 });
  const x = g.input('x', ['N', 1, h, w]);
  g.node('Conv', [x, g.initializer('w', [0.7, -1.3, 0.4, 2.1], [4, 1, 1, 1])], ['conv'], { strides: [4, 1] });
  g.node('Relu', ['conv'], ['relu']);
  return save(`aniso_${h}x${w}`, g, 'relu', 4);
}

/** x [N,3,H,W] → 3×3 conv, every filter symmetric left–right (hflip-equivariant) → relu. */
function mirrorConv(h: number, w: number): string {
  const rng = createRng(5);
  const weights = new Float32Array(4 * 3 * 9);
  for (let f = 0; f < 4 * 3; f++) {
    for (let i = 0; i < 3; i++) {
      const [side, middle] = [rng.normal(), rng.normal()];
      weights.set([side, middle, side], f * 9 + i * 3);
    }
  }
  const g = new GraphBuilder('mirror', { opset: 17 });
  const x = g.input('x', ['N', 3, h, w]);
  g.node('Conv', [x, g.initializer('w', weights, [4, 3, 3, 3])], ['conv'], { pads: [1, 1, 1, 1] });
  g.node('Relu', ['conv'], ['relu']);
  return save(`mirror_${h}x${w}`, g, 'relu', 4);
}

/** x [N,1,28,28] → conv → relu → maxpool → conv → relu → GAP → Gemm (10 classes), random weights. */
function smallCnn(): string {
  const rng = createRng(8);
  const weights = (n: number) => Float32Array.from({ length: n }, () => rng.normal() / 3);
  const g = new GraphBuilder('small', { opset: 17 });
  const x = g.input('x', ['N', 1, 28, 28]);
  const r1 = g.node('Relu', [g.node('Conv', [x, g.initializer('w1', weights(6 * 9), [6, 1, 3, 3])], ['conv1'], { pads: [1, 1, 1, 1] })[0]], ['relu1'])[0];
  const [mp] = g.node('MaxPool', [r1], ['maxpool'], { kernel_shape: [2, 2], strides: [2, 2] });
  const r2 = g.node('Relu', [g.node('Conv', [mp, g.initializer('w2', weights(6 * 6 * 9), [6, 6, 3, 3])], ['conv2'], { pads: [1, 1, 1, 1] })[0]], ['relu2'])[0];
  const flat = g.node('Flatten', [g.node('GlobalAveragePool', [r2], ['pool'])[0]], ['pool_flat'])[0];
  g.node('Gemm', [flat, g.initializer('w3', weights(60), [10, 6])], ['logits'], { transB: 1 });
  g.output('logits', ['N', 10]);
  const file = path.join(dir, 'small.onnx');
  writeFileSync(file, g.toBytes());
  return file;
}

const maps = (report: ProbeReport) => report.layers.filter((l) => ['conv', 'relu'].includes(l.layer));

describe('per-axis map shifts (SPEC §2)', () => {
  it.each([
    [64, 64, 'roll'],
    [32, 64, 'roll'],
    [64, 64, 'crop'],
  ] as const)('an input %i×%i through a stride-(4, 1) conv is exactly translation invariant (%s)', async (h, w, shiftMode) => {
    const { report } = await measure({ model: anisotropicConv(h, w), transforms: ['translate'], shifts: [4, 8, 12], shiftMode, synthetic: 4, layers: 'all', threads: 1 });
    expect(report.probes.find((p) => p.name === 'conv')).toMatchObject({ h: h / 4, w });
    expect(maps(report)).toHaveLength(2);
    for (const l of maps(report)) {
      for (const e of l.elements) {
        // 1 ± 1e−6: float32 rounding of the correlation, nothing else.
        expect(Math.abs(e.inv.mean! - 1), `${l.layer} ${e.key}`).toBeLessThanOrEqual(1e-6);
        expect(Math.abs(e.eqv.mean! - 1), `${l.layer} ${e.key}`).toBeLessThanOrEqual(1e-6);
      }
    }
  }, 30_000);
});

describe('non-square maps under rot90', () => {
  it('keep their skip reason, and the part they leave empty is kept with null scores and named', async () => {
    const { report } = await measure({ model: anisotropicConv(64, 64), transforms: ['rot90'], synthetic: 4, layers: 'all', threads: 1 });
    for (const l of maps(report)) expect(l).toMatchObject({ skipped: 'map is 16×64, not square', inv: { mean: null } });
    const emptyParts = report.parts.filter((p) => p.inv === null).map((p) => p.part);
    expect(emptyParts.length).toBeGreaterThan(0);
    for (const part of emptyParts) expect(report.warnings).toContain(`Part ${part} has no layer with a defined pair under rot90; its scores are null (see the layer warnings and skip reasons).`);
  }, 30_000);
});

describe('non-square inputs (SPEC §1–§2)', () => {
  it('are measured under hflip: a left–right symmetric conv gives inv = 1 on a 16×48 input, from files and synthetic images', async () => {
    for (const source of [{ synthetic: 4 }, { images, maxImages: 4, preset: 'none' as const }]) {
      const { report } = await measure({ model: mirrorConv(16, 48), transforms: ['hflip', 'vflip'], ...source, layers: 'all', threads: 1 });
      const hflip = maps(report).filter((l) => l.transform === 'hflip');
      expect(hflip).toHaveLength(2);
      for (const l of hflip) expect(l.inv.mean!, l.layer).toBeCloseTo(1, 5);
      expect(maps(report).find((l) => l.transform === 'vflip')!.inv.defined).toBeGreaterThan(0);
    }
  }, 60_000);

  it('are measured under translate in crop mode, from image files', async () => {
    const { report } = await measure({ model: mirrorConv(16, 48), transforms: ['translate'], shifts: [1, 3, 20], images, maxImages: 4, preset: 'none', layers: 'all', threads: 1 });
    // Shifts are clipped to s < min(H, W)/2 = 8.
    expect(report.config.shifts).toEqual([1, 3]);
    for (const l of maps(report)) expect(l.inv.defined, l.layer).toBeGreaterThan(0);
  }, 30_000);

  it.each(['rot90', 'd4'] as const)('EXPECTED FAILURE - are refused under %s with one line', async (t) => {
    const run = measure({ model: mirrorConv(16, 48), transforms: [t], synthetic: 2, threads: 1 });
    await expect(run).rejects.toThrow(new RegExp(`^Transform '${t}' needs a square input but the model takes 16×48; translate, hflip and vflip work on it\\. [^\\n]*$`));
  });
});

describe('views independent of the other transforms (SPEC §2)', () => {
  it.each([
    ['image files', { images, maxImages: 6, preset: 'fmnist' as const }],
    ['synthetic images', { synthetic: 6 }],
  ])('rot90 scores and top-1 are the same with and without translate in crop mode (%s)', async (_, source) => {
    const model = smallCnn();
    const alone = (await measure({ model, transforms: ['rot90'], ...source, threads: 1 })).report;
    const both = (await measure({ model, transforms: ['rot90', 'translate'], shifts: [1, 2, 3], shiftMode: 'crop', ...source, threads: 1 })).report;
    expect(both.layers.filter((l) => l.transform === 'rot90')).toEqual(alone.layers);
    expect(both.parts.filter((p) => p.transform === 'rot90')).toEqual(alone.parts);
    if (alone.accuracy) {
      expect(both.accuracy!.top1).toBe(alone.accuracy.top1);
      expect(both.accuracy!.transforms[0]).toEqual(alone.accuracy.transforms[0]);
    }
  }, 60_000);
});
