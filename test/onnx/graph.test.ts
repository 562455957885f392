import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../src/onnx/graph.js';

describe('GraphBuilder', () => {
  it('builds a model onnxruntime runs: a 3x3 box filter on a constant image gives the constant inside', async () => {
    const g = new GraphBuilder('box');
    const x = g.input('x', ['N', 1, 5, 5]);
    const w = g.initializer('w', new Float32Array(9).fill(1 / 9), [1, 1, 3, 3]);
    const [y] = g.node('Conv', [x, w], ['y'], { pads: [1, 1, 1, 1] });
    g.output(y);
    const session = await ort.InferenceSession.create(g.toBytes());
    const input = new ort.Tensor('float32', new Float32Array(25).fill(2), [1, 1, 5, 5]);
    const out = (await session.run({ x: input })).y;
    expect(out.dims).toEqual([1, 1, 5, 5]);
    const data = out.data as Float32Array;
    expect(data[12]).toBeCloseTo(2, 6); // centre: full window
    expect(data[0]).toBeCloseTo((4 * 2) / 9, 6); // corner: 4 of 9 taps inside
  });
});
