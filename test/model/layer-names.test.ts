import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildRandomCnn } from '../../src/known-answer/random.js';
import { measure } from '../../src/pipeline.js';
import { describeProbes } from '../../src/probeset.js';
import { requireBuild, runCli, ZOO } from '../reliability/helpers.js';

const ZOO_CNN7 = path.join(ZOO, 'cnn7.onnx');

// `describeProbes` and `measure({ layers })` are a pair, as torchvision's get_graph_node_names and
// create_feature_extractor: the names one returns are exactly what the other accepts.
let model: string;
beforeAll(() => {
  model = path.join(mkdtempSync(path.join(tmpdir(), 'equiprobe-layer-names-')), 'random.onnx');
  writeFileSync(model, buildRandomCnn(0).bytes);
});

describe('measure({ layers: string[] })', () => {
  it('probes exactly the names describeProbes returned, in model order, and records them in the config', async () => {
    const { probes } = await describeProbes({ model, layers: 'all' });
    expect(probes.length).toBeGreaterThanOrEqual(3);
    const chosen = [probes[probes.length - 1].name, probes[0].name];
    const { report } = await measure({ model, layers: chosen, transforms: ['rot90'], synthetic: 4, threads: 1 });
    expect(report.probes.map((p) => p.name)).toEqual([probes[0].name, probes[probes.length - 1].name]);
    expect(new Set(report.layers.map((l) => l.layer))).toEqual(new Set(chosen));
    expect(report.config.layers).toEqual(chosen);
  }, 60_000);

  it('EXPECTED FAILURE - an unknown name is a one-line RangeError naming it and `equiprobe layers`', async () => {
    const error = await measure({ model, layers: ['no_such_tensor'], transforms: ['rot90'], synthetic: 4, threads: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RangeError);
    const message = (error as Error).message;
    expect(message).toContain("'no_such_tensor'");
    expect(message).toContain('equiprobe layers');
    expect(message).not.toContain('\n');
  }, 60_000);

  it('EXPECTED FAILURE - an empty list is a RangeError', async () => {
    await expect(measure({ model, layers: [], transforms: ['rot90'], synthetic: 4, threads: 1 })).rejects.toThrow(RangeError);
  }, 60_000);
});

describe('equiprobe measure --layer NAME (the CLI side of layers: string[])', () => {
  it('measures exactly the named layers; an unknown name exits 1 with one line naming it', () => {
    requireBuild();
    const out = mkdtempSync(path.join(tmpdir(), 'equiprobe-layer-flag-'));
    const [first, last] = ['/body/body.0/Conv_output_0', 'logits'];
    const ok = runCli(['measure', ZOO_CNN7, '--synthetic', '4', '--layer', first, '--layer', last, '--quiet', '--no-plots', '--out', path.join(out, 'r')]);
    expect(ok.code, ok.stderr).toBe(0);
    const report = JSON.parse(readFileSync(path.join(out, 'r', 'result.json'), 'utf8')) as { probes: { name: string }[]; config: { layers: unknown } };
    expect(report.probes.map((p) => p.name)).toEqual([first, last]);
    expect(report.config.layers).toEqual([first, last]);
    const bad = runCli(['measure', ZOO_CNN7, '--synthetic', '4', '--layer', 'no_such_tensor', '--quiet', '--out', path.join(out, 'bad')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain("'no_such_tensor'");
    expect(bad.stderr).toContain('equiprobe layers');
  }, 120_000);
});
