/**
 * SPEC §3–§4: inv and eqv average over one defined set D = {(c, g, i): F′_c and T′_g F_c both
 * non-constant}, eqv's max runs over non-constant channels only, so eqv ≥ inv in every layer,
 * part and element; pairs with a constant side are counted (`undefined_pairs`, `one_sided`), and
 * a layer or part with no defined pair keeps its row with null scores and a warning naming it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRandomCnn } from '../../src/known-answer/random.js';
import { GraphBuilder } from '../../src/onnx/graph.js';
import { measure } from '../../src/pipeline.js';
import { elementsCsv, layersCsv, partsCsv } from '../../src/report/tables.js';

const dir = mkdtempSync(path.join(tmpdir(), 'equiprobe-defined-'));

function save(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, `${name}.onnx`);
  writeFileSync(file, bytes);
  return file;
}

/** A GAP → Flatten head on `map` ([N, K, …]) as output `logits`. */
function head(g: GraphBuilder, map: string, k: number): void {
  g.node('Flatten', [g.node('GlobalAveragePool', [map], ['pool'])[0]], ['logits']);
  g.output('logits', ['N', k]);
}

describe('the shared defined set', () => {
  it('gives eqv ≥ inv in every layer, part and element', async () => {
    const model = save('random_cnn', buildRandomCnn(3).bytes);
    const { report } = await measure({ model, transforms: ['rot90', 'translate', 'hflip'], shifts: [2, 5], synthetic: 6, layers: 'all', threads: 1 });
    let checked = 0;
    for (const l of report.layers) {
      if (l.inv.mean === null) continue;
      expect(l.eqv.mean!, `${l.layer} ${l.transform}`).toBeGreaterThanOrEqual(l.inv.mean);
      // One set D: the counts of both scores are the same.
      expect(l.eqv.defined).toBe(l.inv.defined);
      expect(l.eqv.undefinedPairs).toBe(l.inv.undefinedPairs);
      for (const e of l.elements) if (e.inv.mean !== null) expect(e.eqv.mean!, `${l.layer} ${e.key}`).toBeGreaterThanOrEqual(e.inv.mean);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(20);
    for (const p of report.parts) expect(p.eqv!, `${p.part} ${p.transform}`).toBeGreaterThanOrEqual(p.inv!);
  }, 60_000);

  it('counts a channel that switches on under g as one-sided, and leaves it out of D', async () => {
    // Channel 1 = relu(Σ left half − Σ right half) · P, P a fixed ramp: for each image exactly one
    // of x and hflip(x) has a brighter left half, so the channel is constant (0) on exactly one side.
    const g = new GraphBuilder('switch', { opset: 17 });
    const x = g.input('x', ['N', 1, 8, 8]);
    const sides = Float32Array.from({ length: 64 }, (_, i) => (i % 8 < 4 ? 1 : -1));
    const [s] = g.node('Relu', [g.node('Conv', [x, g.initializer('sides', sides, [1, 1, 8, 8])])[0]]);
    const ramp = Float32Array.from({ length: 64 }, (_, i) => Math.floor(i / 8) + 2 * (i % 8));
    const [switched] = g.node('Mul', [s, g.initializer('ramp', ramp, [1, 1, 8, 8])]);
    g.node('Concat', [x, switched], ['both'], { axis: 1 });
    head(g, 'both', 2);
    const { report } = await measure({ model: save('switch', g.toBytes()), transforms: ['hflip'], synthetic: 7, layers: 'all', include: '^both$', threads: 1 });
    const both = report.layers.find((l) => l.layer === 'both')!;
    // 7 images × 2 channels: channel 0 (x itself) defined, channel 1 one-sided in every image.
    expect(both.inv).toMatchObject({ defined: 7, undefinedPairs: 7, oneSided: 7 });
    expect(both.eqv).toMatchObject({ defined: 7, undefinedPairs: 7, oneSided: 7 });
    // D holds channel 0 only, whose best match is itself or the switched channel left out of the max.
    expect(both.eqv.mean).toBeCloseTo(both.inv.mean!, 12);
    expect(elementsCsv(report)).toMatch(/both,hflip,hflip,,[^,]*,[^,]*,7,7,\d+,7/);
  }, 30_000);

  it('counts pairs whose rows vary barely above rounding level as near-constant', async () => {
    // Channel 1 = 1 + 1e−4·x: σ ≈ 1e−4·σ_x, a few to a few dozen times 32·2⁻²⁴·max(|mean| ≈ 1, ρ ≈ 1).
    const g = new GraphBuilder('near', { opset: 17 });
    const x = g.input('x', ['N', 1, 8, 8]);
    const [faint] = g.node('Add', [g.node('Mul', [x, g.scalar(1e-4)])[0], g.scalar(1)]);
    g.node('Concat', [x, faint], ['both'], { axis: 1 });
    head(g, 'both', 2);
    const { report } = await measure({ model: save('near', g.toBytes()), transforms: ['rot90'], synthetic: 5, layers: 'all', include: '^both$', threads: 1 });
    const both = report.layers.find((l) => l.layer === 'both')!;
    // Both channels are defined (5 images × 3 elements each); channel 1's pairs are all near-constant.
    expect(both.inv).toMatchObject({ defined: 30, undefinedPairs: 0, nearConstant: 15, oneSided: 0 });
  }, 30_000);

  it('keeps a layer and a part with no defined pair, with null scores and a warning naming each', async () => {
    // relu1 varies, `dead` (relu of a strongly negative conv) is 0 everywhere and is the only Late map.
    const g = new GraphBuilder('dead', { opset: 17 });
    const x = g.input('x', ['N', 1, 8, 8]);
    const conv = (input: string, bias: number) =>
      g.node('Conv', [input, g.initializer(`w${bias}`, Float32Array.from({ length: 18 }, (_, i) => Math.sin(i + bias)), [2, 1, 3, 3]), g.initializer(`b${bias}`, [bias, bias], [2])], 1, { pads: [1, 1, 1, 1] })[0];
    g.node('Relu', [conv(x, 0.1)], ['relu1']);
    g.node('Relu', [conv(x, 0.2)], ['relu2']);
    g.node('Relu', [conv(x, -100)], ['dead']);
    g.node('Concat', ['relu1', 'relu2', 'dead'], ['all'], { axis: 1 });
    head(g, 'all', 6);
    const warnings: string[] = [];
    const { report } = await measure({ model: save('dead', g.toBytes()), transforms: ['rot90'], synthetic: 4, include: '^(relu1|relu2|dead|pool|logits)$', threads: 1, onWarning: (m) => warnings.push(m) });
    expect(report.probes.find((p) => p.name === 'dead')!.part).toBe('Late');
    const dead = report.layers.find((l) => l.layer === 'dead')!;
    expect(dead.inv).toMatchObject({ mean: null, std: null, defined: 0, undefinedPairs: 4 * 2 * 3, oneSided: 0 });
    expect(dead.eqv.mean).toBeNull();
    expect(report.parts.find((p) => p.part === 'Late')).toMatchObject({ inv: null, eqv: null, layers: 0 });
    const named = (what: RegExp) => report.warnings.filter((w) => what.test(w));
    expect(named(/Layer 'dead' has no defined pair under rot90/)).toHaveLength(1);
    expect(named(/Part Late has no layer with a defined pair under rot90/)).toHaveLength(1);
    // Every warning of the result was also sent to onWarning (the synthetic-images note goes in the summary line instead).
    expect(warnings).toEqual(expect.arrayContaining(report.warnings.filter((w) => !/seeded noise images/.test(w))));
    // Present in every table, with empty score cells.
    expect(layersCsv(report)).toMatch(new RegExp(`\\n${report.model.name},dead,Relu,map,2,8,8,Late,\\d+,rot90,,,,,0,24,0,0,`));
    expect(partsCsv(report)).toContain(`${report.model.name},rot90,Late,,,0`);
    expect(elementsCsv(report)).toContain(`${report.model.name},dead,rot90,k1,,,,0,8,0,0`);
  }, 30_000);
});
