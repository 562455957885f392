/**
 * Real-exporter fixtures (test/fixtures/real/, made by scripts/export-fixtures.py with torch 1.13's
 * exporter): what the manifest says each model must show, from the torch modules themselves.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model/load.js';
import { elementsFor, measure, skippedLayerReasons } from '../../src/pipeline.js';
import { describeProbes } from '../../src/probeset.js';
import type { LayerScore, ProbeInfo, ProbeReport } from '../../src/types.js';
import { requireBuild, runCli } from '../reliability/helpers.js';

const dir = path.join(import.meta.dirname, '..', 'fixtures', 'real');
const fixture = (name: string) => path.join(dir, `${name}.onnx`);
interface Entry {
  readonly widths: number[];
  readonly activationCalls: Record<string, number>;
  readonly blocks: number;
  readonly opset: number;
}
const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Record<string, Entry>;

const spatial = (probes: readonly ProbeInfo[]) => probes.filter((p) => p.kind !== 'vector');

describe('channel-last activations (ConvNeXt, Swin, MaxViT) are read with their true channel count', () => {
  for (const name of ['convnext', 'swin', 'maxvit', 'convnext_nhwc']) {
    it(`${name}: every map probe has one of the model's widths as K, is square, and rot90 skips none`, async () => {
      const { probes } = await describeProbes({ model: fixture(name), threads: 1 });
      const maps = spatial(probes);
      expect(maps.length).toBeGreaterThanOrEqual(6);
      for (const p of maps) expect(manifest[name].widths, `${p.name} K=${p.channels}`).toContain(p.channels);
      expect(skippedLayerReasons(probes, elementsFor(['rot90'], [], 32)).size).toBe(0);
      // Every GELU is probed (SPEC §1 default set), channel-last ones included: none is dropped for its width.
      const gelus = probes.filter((p) => /Mul_1_output_0$|\/Mul_output_0$/.test(p.name) && /(block\.4|mlp\.1|mlp_layer\.2|conv_a\.2|conv_b\.2|stem\.0\.2)/.test(p.name));
      expect(gelus.length).toBe(manifest[name].activationCalls.GELU - (name === 'maxvit' ? 6 : 0)); // MaxViT: 6 GELUs live in window partitions
    }, 60_000);
  }

  it('swin: the window partitions and LayerNorm statistics are not maps, and --layers all says why', async () => {
    const { probes, notProbed } = await describeProbes({ model: fixture('swin'), layers: 'all', threads: 1 });
    expect(probes.some((p) => p.op === 'ReduceMean' && p.kind !== 'vector')).toBe(false);
    const stats = notProbed.filter((t) => t.op === 'ReduceMean');
    expect(stats.length).toBeGreaterThan(0);
    for (const t of stats) expect(t.reason).toMatch(/statistics/);
    expect(notProbed.some((t) => /window partition|batch is merged/.test(t.reason))).toBe(true);
  }, 60_000);

  it('maxvit: the result names the candidates it could not read (window and grid attention) and warns once', async () => {
    const { report } = await measure({ model: fixture('maxvit'), transforms: ['rot90'], synthetic: 3, threads: 1 });
    expect(report.notProbed!.length).toBe(18);
    for (const t of report.notProbed!) expect(t.name).toMatch(/window_attention|grid_attention/);
    expect(report.warnings.filter((w) => w.startsWith('18 candidate tensors'))).toHaveLength(1);
    expect(report.layers.some((l) => l.skipped)).toBe(false);
  }, 120_000);

  it('`equiprobe layers --layers all` prints the tensors it does not probe, with the reason', () => {
    requireBuild();
    const { code, stdout } = runCli(['layers', fixture('swin'), '--layers', 'all', '--threads', '1'], { timeout: 120_000 });
    expect(code).toBe(0);
    expect(stdout).toMatch(/not probed \(\d+\)/);
    expect(stdout).toMatch(/norm1\/ReduceMean_output_0 +ReduceMean +\[2,16,16,1\] +axes \[N,H,W,1\]: statistics reduced over the channels/);
  }, 120_000);
});

describe('decomposed nonlinearities are probed at their product', () => {
  const cases: [string, string, RegExp][] = [
    ['efficientnet', 'SiLU', /Sigmoid/],
    ['mobilenetv3', 'Hardswish', /HardSigmoid/],
    ['convnext', 'GELU', /Erf/],
  ];
  for (const [name, activation, inner] of cases) {
    it(`${name}: one probe per ${activation} call, each the Mul that ends it, never an inner node`, async () => {
      const { probes } = await describeProbes({ model: fixture(name), threads: 1 });
      expect(probes.some((p) => inner.test(p.op))).toBe(false);
      // Nor a node inside the form (GELU's Div and +1, a hardswish's Div before its product).
      expect(probes.some((p) => p.op === 'Div' || (p.op === 'Add' && /block\.4/.test(p.name)))).toBe(false);
      const products = probes.filter((p) => p.op === 'Mul');
      expect(products.length).toBe(manifest[name].activationCalls[activation]);
    }, 60_000);
  }
});

describe('--layers blocks: stem, one output per residual or transformer block, Pool and Final', () => {
  for (const name of ['resnet_op17', 'convnext', 'swin', 'maxvit', 'regnet', 'efficientnet', 'mobilenetv3']) {
    it(`${name}: ${manifest[name].blocks} blocks`, async () => {
      const { probes } = await describeProbes({ model: fixture(name), layers: 'blocks', threads: 1 });
      const blocks = probes.filter((p) => p.depth > 0 && p.part !== 'Pool' && p.part !== 'Final');
      expect(blocks.length, probes.map((p) => p.name).join('\n')).toBe(manifest[name].blocks);
      expect(probes[0].op).toBe('Conv');
      expect(probes.filter((p) => p.part === 'Pool')).toHaveLength(1);
      expect(probes[probes.length - 1].part).toBe('Final');
    }, 60_000);
  }

  it('the zoo ViT: one output per transformer block (its second residual merge), 4 blocks', async () => {
    const { probes } = await describeProbes({ model: path.join(import.meta.dirname, '..', '..', 'examples', 'zoo', 'vit.onnx'), layers: 'blocks', threads: 1 });
    expect(probes.map((p) => p.name).slice(1, -2)).toEqual([0, 1, 2, 3].map((k) => `/blocks.${k}/Add_1_output_0`));
  }, 60_000);

  it('resnet: the block output is the ReLU after the residual merge', async () => {
    const { probes } = await describeProbes({ model: fixture('resnet_op17'), layers: 'blocks', threads: 1 });
    expect(probes.slice(1, 5).map((p) => p.op)).toEqual(['Relu', 'Relu', 'Relu', 'Relu']);
  }, 60_000);
});

describe('a model whose output is a map', () => {
  it('anisotropic stride (4,1): the 4×8×32 output map is the Final part and the maps are read per axis', async () => {
    const { probes } = await describeProbes({ model: fixture('anisotropic'), threads: 1 });
    const final = probes.find((p) => p.part === 'Final')!;
    expect(final).toMatchObject({ name: 'logits', kind: 'map', channels: 4, h: 8, w: 32 });
  }, 60_000);
});

/** Mean inv/eqv of every layer under every transform, by layer name. */
function scores(report: ProbeReport): Map<string, LayerScore> {
  return new Map(report.layers.map((l) => [`${l.layer}|${l.transform}`, l]));
}

function expectSameScores(a: ProbeReport, b: ProbeReport, minimumShared: number): void {
  const sa = scores(a);
  const sb = scores(b);
  const shared = [...sa.keys()].filter((k) => sb.has(k));
  expect(shared.length).toBeGreaterThanOrEqual(minimumShared);
  for (const key of shared) {
    const [x, y] = [sa.get(key)!, sb.get(key)!];
    expect(x.skipped, key).toBe(y.skipped);
    expect(x.inv.mean === null, key).toBe(y.inv.mean === null);
    if (x.skipped || x.inv.mean === null) continue;
    expect(Math.abs(x.inv.mean - y.inv.mean!), key).toBeLessThanOrEqual(1e-5);
    expect(Math.abs(x.eqv.mean! - y.eqv.mean!), key).toBeLessThanOrEqual(1e-5);
    expect(x.inv.defined, key).toBe(y.inv.defined);
  }
}

const run = (name: string) =>
  measure({ model: fixture(name), transforms: ['rot90', 'translate'], synthetic: 6, shiftMode: 'roll', shifts: [4, 8], threads: 1 }).then((r) => r.report);

describe('layout twins: the same function, transposed elsewhere, gives every shared tensor the same scores', () => {
  it('resnet and its NHWC-input twin (permute inside)', async () => {
    const [plain, nhwc] = [await run('resnet_op17'), await run('resnet_nhwc')];
    expect(nhwc.model.input.layout).toBe('NHWC');
    expect(nhwc.probes.map((p) => p.name)).toEqual(plain.probes.map((p) => p.name));
    expectSameScores(plain, nhwc, 2 * plain.probes.length);
  }, 120_000);

  it('convnext and its NHWC-input twin', async () => {
    const [plain, nhwc] = [await run('convnext'), await run('convnext_nhwc')];
    expectSameScores(plain, nhwc, 2 * plain.probes.length);
  }, 120_000);
});

describe('opsets 9, 11 and 17 and a fixed batch of 1 are measured alike', () => {
  it('the same resnet exported at opset 9 (upgraded to 10 for the metric), 11, 17 and with batch 1 gives the same scores', async () => {
    const reference = await run('resnet_op17');
    for (const name of ['resnet_op9', 'resnet_op11', 'resnet_batch1']) {
      const report = await run(name);
      expect(report.probes.map((p) => p.name), name).toEqual(reference.probes.map((p) => p.name));
      expectSameScores(reference, report, 2 * reference.probes.length);
    }
  }, 180_000);
});

describe('SHA-256 covers the external-data files (SPEC §1)', () => {
  it('two external-data models that differ only in their weights get different hashes; the same files the same hash', async () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'equiprobe-external-'));
    const [a, b] = [path.join(tmp, 'a'), path.join(tmp, 'b')];
    for (const d of [a, b]) {
      await import('node:fs/promises').then((fs) => fs.mkdir(d));
      copyFileSync(fixture('resnet_external'), path.join(d, 'resnet_external.onnx'));
      copyFileSync(path.join(dir, 'resnet_external.weights'), path.join(d, 'resnet_external.weights'));
    }
    const weights = readFileSync(path.join(b, 'resnet_external.weights'));
    weights[1000] ^= 0x01;
    writeFileSync(path.join(b, 'resnet_external.weights'), weights);
    const [ma, mb, again] = [
      await loadModel(path.join(a, 'resnet_external.onnx')),
      await loadModel(path.join(b, 'resnet_external.onnx')),
      await loadModel(path.join(a, 'resnet_external.onnx')),
    ];
    expect(readFileSync(path.join(a, 'resnet_external.onnx'))).toEqual(readFileSync(path.join(b, 'resnet_external.onnx')));
    expect(ma.sha256).not.toBe(mb.sha256);
    expect(again.sha256).toBe(ma.sha256);
  });
});
