/**
 * Patterns of other exporters (paddle2onnx, TensorFlow), built with the project's own graph builder:
 * decomposed hardswish `x·Clip(x+3,0,6)/6` and swish `x·Sigmoid(βx)`, opset 9 (Slice and Clip with
 * attributes), a non-square input, a probability-map output. Every tensor is named here, so the
 * expected probe set is known from the construction.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/onnx/graph.js';
import { measure } from '../../src/pipeline.js';
import { describeProbes } from '../../src/probeset.js';
import type { LayerScore } from '../../src/types.js';
import { lcg32 } from '../../src/images/prng.js';

const dir = mkdtempSync(path.join(tmpdir(), 'equiprobe-patterns-'));

function seeded(seed: number): () => number {
  const rand = lcg32(seed);
  return () => rand() - 0.5;
}

/**
 * conv1 → hardswish as paddle2onnx writes it (Add 3, Clip 0..6, Mul by x, Div 6) → conv2 → swish
 * with β (Mul β, Sigmoid, Mul by x) → a crop (Slice) → 1×1 conv → Sigmoid: a probability map output.
 * Slice and Clip take attributes before opset 10/11 and inputs from then on.
 */
function paddleLike(opset: number, height: number, width: number): string {
  const rand = seeded(7);
  const g = new GraphBuilder('paddle', { opset });
  const x = g.input('x', ['N', 3, height, width]);
  const weights = (name: string, dims: number[]) => g.initializer(name, Float32Array.from({ length: dims.reduce((a, b) => a * b) }, rand), dims);
  g.node('Conv', [x, weights('w1', [4, 3, 3, 3])], ['conv1'], { pads: [1, 1, 1, 1] });
  g.node('Add', ['conv1', g.scalar(3)], ['hs_add']);
  if (opset < 11) g.node('Clip', ['hs_add'], ['hs_clip'], { min: { float: 0 }, max: { float: 6 } });
  else g.node('Clip', ['hs_add', g.scalar(0), g.scalar(6)], ['hs_clip']);
  g.node('Mul', ['conv1', 'hs_clip'], ['hs_mul']);
  g.node('Div', ['hs_mul', g.scalar(6)], ['hardswish']);
  g.node('Conv', ['hardswish', weights('w2', [4, 4, 3, 3])], ['conv2'], { pads: [1, 1, 1, 1] });
  g.node('Mul', ['conv2', g.scalar(1.702)], ['sw_beta']);
  g.node('Sigmoid', ['sw_beta'], ['sw_sigmoid']);
  g.node('Mul', ['conv2', 'sw_sigmoid'], ['swish']);
  // A crop that keeps the map square-symmetric: rows and columns 2..end−2.
  if (opset < 10) g.node('Slice', ['swish'], ['crop'], { starts: [2, 2], ends: [height - 2, width - 2], axes: [2, 3] });
  else g.node('Slice', ['swish', g.ints([2, 2]), g.ints([height - 2, width - 2]), g.ints([2, 3])], ['crop']);
  g.node('Conv', ['crop', weights('w3', [1, 4, 1, 1])], ['head']);
  g.node('Sigmoid', ['head'], ['probability']);
  g.output('probability');
  const file = path.join(dir, `paddle_op${opset}_${height}x${width}.onnx`);
  writeFileSync(file, g.toBytes());
  return file;
}

describe('decomposed activations of paddle2onnx', () => {
  it('probes hardswish at x·Clip(x+3,0,6)/6 and swish at x·Sigmoid(βx), never at the Clip, the Sigmoid or the inner Mul', async () => {
    const { probes } = await describeProbes({ model: paddleLike(11, 32, 32), threads: 1 });
    const names = probes.map((p) => p.name);
    expect(names).toEqual(['conv1', 'hardswish', 'swish', 'probability']);
  });

  it('probes GELU in its tanh form (0.5 after the product) and its erf form (0.5·x before it) at the product', async () => {
    const g = new GraphBuilder('gelu', { opset: 13 });
    g.input('x', ['N', 1, 8, 8]);
    g.node('Conv', ['x', g.initializer('w', Float32Array.from({ length: 36 }, seeded(3)), [4, 1, 3, 3])], ['conv'], { pads: [1, 1, 1, 1] });
    // tanh form: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
    g.node('Pow', ['conv', g.scalar(3)], ['cube']);
    g.node('Add', ['conv', g.node('Mul', ['cube', g.scalar(0.044715)])[0]], ['inner']);
    g.node('Tanh', [g.node('Mul', ['inner', g.scalar(0.7978846)])[0]], ['tanh']);
    g.node('Mul', ['conv', g.node('Add', ['tanh', g.scalar(1)])[0]], ['tanh_product']);
    g.node('Mul', ['tanh_product', g.scalar(0.5)], ['gelu_tanh']);
    g.node('Conv', ['gelu_tanh', g.initializer('w2', Float32Array.from({ length: 144 }, seeded(4)), [4, 4, 3, 3])], ['conv2'], { pads: [1, 1, 1, 1] });
    // erf form with the 0.5 on x: (0.5·x)·(1 + erf(x/√2))
    g.node('Erf', [g.node('Div', ['conv2', g.scalar(Math.SQRT2)])[0]], ['erf']);
    g.node('Mul', [g.node('Mul', ['conv2', g.scalar(0.5)])[0], g.node('Add', ['erf', g.scalar(1)])[0]], ['gelu_erf']);
    g.node('Add', ['gelu_erf', 'conv2'], ['merge']);
    g.output('merge');
    const file = path.join(dir, 'gelu.onnx');
    writeFileSync(file, g.toBytes());
    const { probes } = await describeProbes({ model: file, threads: 1 });
    expect(probes.map((p) => p.name)).toEqual(['conv', 'gelu_tanh', 'gelu_erf', 'merge']);
  });

  it('a Clip that is no hardswish is still a ReLU6', async () => {
    const g = new GraphBuilder('relu6', { opset: 11 });
    g.input('x', ['N', 1, 8, 8]);
    g.node('Conv', ['x', g.initializer('w', new Float32Array(9).fill(0.1), [1, 1, 3, 3])], ['conv'], { pads: [1, 1, 1, 1] });
    g.node('Clip', ['conv', g.scalar(0), g.scalar(6)], ['relu6']);
    g.node('Mul', ['relu6', g.scalar(2)], ['out']);
    g.output('out');
    const file = path.join(dir, 'relu6.onnx');
    writeFileSync(file, g.toBytes());
    const { probes } = await describeProbes({ model: file, threads: 1 });
    expect(probes.map((p) => p.name)).toContain('relu6');
  });
});

describe('a probability-map output and a non-square input', () => {
  it('48×192: maps are read with their own h and w, and the output map is the Final part', async () => {
    const { input, probes } = await describeProbes({ model: paddleLike(11, 48, 192), threads: 1 });
    expect(input).toMatchObject({ height: 48, width: 192 });
    expect(probes.find((p) => p.name === 'swish')).toMatchObject({ kind: 'map', format: 'NCHW', channels: 4, h: 48, w: 192 });
    expect(probes.find((p) => p.part === 'Final')).toMatchObject({ name: 'probability', kind: 'map', channels: 1, h: 44, w: 188 });
    expect(probes.filter((p) => p.part === 'Pool')).toHaveLength(0);
  });
});

describe('opset 9 (Slice and Clip with attributes) is measured', () => {
  it('gives the same scores as the same model written for opset 11', async () => {
    const run = (opset: number) =>
      measure({ model: paddleLike(opset, 32, 32), transforms: ['rot90', 'translate'], synthetic: 6, shiftMode: 'roll', shifts: [2, 4], threads: 1 }).then((r) => r.report);
    const [old, current] = [await run(9), await run(11)];
    const key = (l: LayerScore) => `${l.layer}|${l.transform}`;
    const reference = new Map(current.layers.map((l) => [key(l), l]));
    expect(old.layers.map(key)).toEqual(current.layers.map(key));
    expect(old.layers.length).toBe(8);
    for (const l of old.layers) {
      const r = reference.get(key(l))!;
      expect(Math.abs(l.inv.mean! - r.inv.mean!), key(l)).toBeLessThanOrEqual(1e-6);
      expect(Math.abs(l.eqv.mean! - r.eqv.mean!), key(l)).toBeLessThanOrEqual(1e-6);
    }
  }, 60_000);

  it('refuses an opset-9 model whose ops change meaning at opset 10 (Upsample), naming the op', async () => {
    const g = new GraphBuilder('upsample', { opset: 9 });
    g.input('x', ['N', 1, 8, 8]);
    g.node('Conv', ['x', g.initializer('w', new Float32Array(9).fill(0.1), [1, 1, 3, 3])], ['conv'], { pads: [1, 1, 1, 1] });
    g.node('Upsample', ['conv', g.initializer('scales', [1, 1, 2, 2], [4])], ['up'], { mode: 'nearest' });
    g.output('up');
    const file = path.join(dir, 'upsample_op9.onnx');
    writeFileSync(file, g.toBytes());
    await expect(measure({ model: file, synthetic: 3, threads: 1 })).rejects.toThrow(/opset 9 and Upsample/);
  }, 30_000);
});
