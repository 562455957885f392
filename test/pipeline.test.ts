import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCircularCnn } from '../src/known-answer/circular.js';
import { buildGaussianInv } from '../src/known-answer/gaussian.js';
import { buildRandomCnn } from '../src/known-answer/random.js';
import { measure } from '../src/pipeline.js';
import { describeProbes } from '../src/probeset.js';
import type { LayerScore, ProbeReport } from '../src/types.js';

const zoo = (name: string) => path.join(import.meta.dirname, '..', 'examples', 'zoo', `${name}.onnx`);
const images = path.join(import.meta.dirname, '..', 'examples', 'zoo', 'images');
const dir = mkdtempSync(path.join(tmpdir(), 'equiprobe-pipeline-'));

function saveModel(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, `${name}.onnx`);
  writeFileSync(file, bytes);
  return file;
}

const layersOf = (report: ProbeReport, transform: string): LayerScore[] => report.layers.filter((l) => l.transform === transform);
const partOf = (report: ProbeReport, layer: string) => report.probes.find((p) => p.name === layer)!.part;
const part = (report: ProbeReport, transform: string, name: string) => report.parts.find((p) => p.transform === transform && p.part === name)!;

describe('measure on the zoo p4cnn (exactly C4-equivariant)', () => {
  it('finds rot90 equivariance ≈ 1 before group pooling and invariance ≈ 1 at Pool and Final; hflip clearly lower', async () => {
    const { report } = await measure({ model: zoo('p4cnn'), images, preset: 'fmnist', transforms: ['rot90', 'hflip'], maxImages: 24, threads: 2 });
    const groupPool = report.probes.find((p) => p.op === 'ReduceMax')!;
    const beforeGroupPool = report.probes.filter((p) => p.kind === 'map' && p.depth < groupPool.depth);
    expect(beforeGroupPool.length).toBeGreaterThanOrEqual(8);
    for (const probe of beforeGroupPool) {
      const score = layersOf(report, 'rot90').find((l) => l.layer === probe.name)!;
      expect(score.eqv.mean, probe.name).toBeGreaterThanOrEqual(0.99);
    }
    expect(part(report, 'rot90', 'Pool').inv).toBeGreaterThanOrEqual(0.99);
    expect(part(report, 'rot90', 'Final').inv).toBeGreaterThanOrEqual(0.99);
    const hflipEqv = beforeGroupPool.map((p) => layersOf(report, 'hflip').find((l) => l.layer === p.name)!.eqv.mean!);
    expect(Math.max(...hflipEqv)).toBeLessThan(0.9);
    expect(part(report, 'hflip', 'Final').inv).toBeLessThan(0.95);
    expect(report.accuracy?.images).toBe(24);
  }, 60_000);
});

describe('measure on networks with known answers', () => {
  it('gives rot90 invariance ≈ 1 at every layer of a CNN with rotationally symmetric Gaussian filters', async () => {
    const model = saveModel('gaussian_inv', buildGaussianInv(1).bytes);
    const { report } = await measure({ model, transforms: ['rot90'], synthetic: 12, threads: 2 });
    expect(report.layers.length).toBeGreaterThanOrEqual(5);
    for (const l of report.layers) expect(l.inv.mean, l.layer).toBeGreaterThanOrEqual(0.99);
  }, 30_000);

  it('gives clearly lower rot90 scores on a random-weight CNN (negative control)', async () => {
    const model = saveModel('random_cnn', buildRandomCnn(1).bytes);
    const { report } = await measure({ model, transforms: ['rot90'], synthetic: 12, threads: 2 });
    const maps = report.layers.filter((l) => ['Early', 'Middle', 'Late'].includes(partOf(report, l.layer) ?? ''));
    expect(maps.length).toBeGreaterThanOrEqual(3);
    for (const l of maps) expect(l.inv.mean, l.layer).toBeLessThan(0.8);
  }, 30_000);

  it('gives translation invariance ≈ 1 on a circular-padded CNN with roll shifts', async () => {
    const model = saveModel('circular_cnn', buildCircularCnn(1).bytes);
    const { report } = await measure({ model, transforms: ['translate'], shiftMode: 'roll', shifts: [1, 3, 7], synthetic: 8, threads: 2 });
    for (const l of report.layers) expect(l.inv.mean, l.layer).toBeGreaterThanOrEqual(0.99);
  }, 30_000);

  it('never reports equivariance below invariance', async () => {
    const model = saveModel('random_cnn_2', buildRandomCnn(2).bytes);
    const { report } = await measure({ model, transforms: ['rot90', 'translate'], shifts: [2, 5], synthetic: 6, threads: 2 });
    for (const l of report.layers) {
      expect(l.eqv.mean).toBeGreaterThanOrEqual(l.inv.mean! - 1e-9);
      for (const e of l.elements) expect(e.eqv.mean).toBeGreaterThanOrEqual(e.inv.mean! - 1e-9);
    }
  }, 30_000);
});

describe('token models from the zoo', () => {
  it.each([
    ['vit', 1],
    ['mixer', 0],
  ])('%s: token tensors are read as 7×7 maps (prefix tokens %i) and measured end to end', async (name, prefix) => {
    const { probes } = await describeProbes({ model: zoo(name), threads: 2 });
    const tokens = probes.filter((p) => p.kind === 'tokens');
    expect(tokens.length).toBeGreaterThanOrEqual(8);
    for (const t of tokens) expect([t.h, t.w, t.prefixTokens]).toEqual([7, 7, prefix]);
    expect(probes.at(-2)!.part).toBe('Pool');
    expect(probes.at(-1)!.part).toBe('Final');
    const { report } = await measure({ model: zoo(name), images, preset: 'fmnist', transforms: ['rot90'], maxImages: 8, threads: 2 });
    expect(report.parts.map((p) => p.part)).toEqual(['Early', 'Middle', 'Late', 'Pool', 'Final']);
    for (const l of report.layers) expect(Number.isFinite(l.inv.mean)).toBe(true);
  }, 60_000);
});
