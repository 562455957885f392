import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/images/prng.js';
import { GraphBuilder } from '../../src/onnx/graph.js';
import { buildRandomCnn } from '../../src/known-answer/random.js';
import { measure } from '../../src/pipeline.js';
import type { LayerScore, ProbeReport } from '../../src/types.js';
import { writeRaw } from '../images/helpers.js';
import { ZOO, ZOO_IMAGES } from '../reliability/helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'equiprobe-chance-'));
const K = 8;
const SIDE = 8;

/** A model whose probe `noise` is white noise of K×8×8 drawn afresh on every run, whatever the input. */
function noiseModel(): string {
  const g = new GraphBuilder('noise');
  const x = g.input('x', ['N', 1, 16, 16]);
  const [pooled] = g.node('MaxPool', [x], ['pooled'], { kernel_shape: [2, 2], strides: [2, 2] });
  const [wide] = g.node('Conv', [pooled, g.initializer('w', new Float32Array(K).fill(1), [K, 1, 1, 1])], ['wide']);
  // Noise plus 0·wide: the values do not depend on the input, and the axis roles trace through the Add.
  const [fresh] = g.node('RandomNormalLike', [wide], ['fresh']);
  const [noise] = g.node('Add', [fresh, g.node('Mul', [wide, g.scalar(0)])[0]], ['noise']);
  const [gap] = g.node('GlobalAveragePool', [noise], ['gap']);
  const [flat] = g.node('Flatten', [gap], ['flat']);
  g.output(g.node('Gemm', [flat, g.initializer('wf', new Float32Array(3 * K).fill(0.1), [3, K])], ['logits'], { transB: 1 })[0]);
  const file = path.join(dir, 'noise.onnx');
  writeFileSync(file, g.toBytes());
  return file;
}

/** Mean over c of max over c′ of the Pearson correlation of K independent white-noise rows with K others, n positions. */
function simulatedMaxCorrelation(k: number, n: number, draws: number): number {
  const rand = mulberry32(7);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const unitRow = () => {
    const r = Array.from({ length: n }, gauss);
    const mean = r.reduce((s, v) => s + v, 0) / n;
    const c = r.map((v) => v - mean);
    const norm = Math.sqrt(c.reduce((s, v) => s + v * v, 0));
    return c.map((v) => v / norm);
  };
  let total = 0;
  for (let d = 0; d < draws; d++) {
    const a = unitRow();
    const bs = Array.from({ length: k }, unitRow);
    total += Math.max(...bs.map((b) => b.reduce((s, v, i) => s + v * a[i], 0)));
  }
  return total / draws;
}

const layer = (report: ProbeReport, name: string): LayerScore => report.layers.find((l) => l.layer === name)!;

describe('chance level (SPEC §4b)', () => {
  it('maps of noise independent of the input: eqv_excess within ±0.02 of 0, null = simulated max of K correlations within 0.01', async () => {
    const { report } = await measure({ model: noiseModel(), transforms: ['rot90'], synthetic: 96, include: '^noise$', layers: 'all', threads: 1 });
    const u = layer(report, 'noise').uncertainty!;
    expect(Math.abs(u.eqv.excess!)).toBeLessThan(0.02);
    const expected = simulatedMaxCorrelation(K, SIDE * SIDE, 20_000);
    expect(expected).toBeGreaterThan(0.15); // the max over 8 channels (≈ 1.42 σ, σ ≈ 1/√64) is far above 0
    expect(Math.abs(u.eqv.chance! - expected)).toBeLessThan(0.01);
    expect(Math.abs(u.inv.chance!)).toBeLessThan(0.02);
  }, 60_000);

  it('p4cnn under rot90: eqv_excess = 1 ± 1e-6 in its map parts, null well below 1', async () => {
    const { report } = await measure({ model: path.join(ZOO, 'p4cnn.onnx'), transforms: ['rot90'], images: ZOO_IMAGES, preset: 'fmnist', maxImages: 24, threads: 1 });
    const maps = report.parts.filter((p) => ['Early', 'Middle', 'Late'].includes(p.part));
    expect(maps.length).toBe(3);
    for (const p of maps) {
      expect(Math.abs(p.uncertainty!.eqv.excess! - 1)).toBeLessThan(1e-6);
      expect(p.uncertainty!.eqv.chance!).toBeLessThan(0.9);
      expect(p.uncertainty!.eqv.lo!).toBeLessThanOrEqual(p.eqv! + 1e-12);
      expect(p.uncertainty!.eqv.hi!).toBeGreaterThanOrEqual(p.eqv! - 1e-12);
    }
  }, 60_000);

  it('class-sorted images: partners from the hashed null order mix classes, so features that depend only on the class score well above chance', async () => {
    // Three class folders of 12 images each; every image of a class has the same brightness up to ±2 grey levels.
    const images = path.join(dir, 'classes');
    const rand = mulberry32(3);
    for (const [c, level] of [[0, 40], [1, 120], [2, 200]] as const) {
      mkdirSync(path.join(images, `class${c}`), { recursive: true });
      for (let i = 0; i < 12; i++) {
        const pixels = Uint8Array.from({ length: 16 * 16 }, () => level + Math.floor(rand() * 5) - 2);
        await writeRaw(path.join(images, `class${c}`, `${String(i).padStart(2, '0')}.png`), pixels, 16, 16, 1);
      }
    }
    // Final = logits of the image mean: rot90-invariant and, across images, a function of the class only.
    const g = new GraphBuilder('brightness');
    const x = g.input('x', ['N', 1, 16, 16]);
    const [gap] = g.node('GlobalAveragePool', [x], ['gap']);
    const [flat] = g.node('Flatten', [gap], ['flat']);
    g.output(g.node('Gemm', [flat, g.initializer('wf', Float32Array.of(1, -2, 3), [3, 1]), g.initializer('b', Float32Array.of(0, 1, 2), [3])], ['logits'], { transB: 1 })[0]);
    const model = path.join(dir, 'brightness.onnx');
    writeFileSync(model, g.toBytes());
    const { report } = await measure({ model, transforms: ['rot90'], images, preset: 'none', threads: 1 });
    const final = report.parts.find((p) => p.part === 'Final')!;
    expect(final.eqv!).toBeCloseTo(1, 5);
    // Sorted-order partners would be same-class (null ≈ 1, excess saturated); hashed ones are not.
    expect(final.uncertainty!.eqv.chance!).toBeLessThan(0.5);
    expect(final.uncertainty!.eqv.excess!).toBeGreaterThan(0.5);
  }, 60_000);
});

describe('chance level on part of the images (SPEC §4b: the first M of the null order)', () => {
  it('--null-images below N scores the null on those images only, for permutations and shifts in crop mode', async () => {
    const model = path.join(dir, 'cnn.onnx');
    writeFileSync(model, buildRandomCnn(5).bytes);
    const base = { model, transforms: ['rot90', 'translate'] as const, shifts: [2, 4], synthetic: 12, batch: 6, threads: 1 };
    const some = (await measure({ ...base, nullImages: 4 })).report;
    const all = (await measure({ ...base, nullImages: 12 })).report;
    for (const [a, b] of some.layers.map((l, i) => [l, all.layers[i]] as const)) {
      if (!a.uncertainty || a.uncertainty.eqv.chance === null) continue;
      // Same scores and intervals; a null from 4 of the 12 images, so a different but finite chance level.
      expect(a.eqv.mean).toBe(b.eqv.mean);
      expect(a.uncertainty.eqv.lo).toBe(b.uncertainty!.eqv.lo);
      expect(Number.isFinite(a.uncertainty.eqv.chance)).toBe(true);
    }
    expect(some.layers.filter((l) => l.uncertainty?.eqv.chance !== null && l.uncertainty?.eqv.chance !== undefined).length).toBeGreaterThan(0);
    expect(some.layers.some((l, i) => l.uncertainty?.eqv.chance !== all.layers[i].uncertainty?.eqv.chance)).toBe(true);
  }, 120_000);
});
