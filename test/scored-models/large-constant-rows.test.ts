/**
 * SPEC §3 in the scored models on large maps: a channel whose values are all equal is constant
 * whatever its value, also when its map holds 448 × 448 = 200 704 positions, where a float32 mean of
 * a constant need not be exact (the per-row sums are float32 along the width and float64 across it,
 * `standardise`). Next to it, a channel on the same scale that varies is not constant.
 */
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { parseModel } from '../../src/model/load.js';
import { GraphBuilder } from '../../src/onnx/graph.js';
import { originalModel, tensorName } from '../../src/scored-models/scored-model.js';
import { isConstantMargin } from '../../src/scored-models/constant-rows.js';
import type { ProbeInfo } from '../../src/types.js';

const SIDE = 448;

describe('a map channel whose values are all equal', () => {
  it('is constant whatever its value on 200 704 positions, next to a channel that varies', async () => {
    // probe = [v, v·(1 + x)] along channels, x ∈ [−0.5, 0.5).
    const g = new GraphBuilder('constant', { opset: 17 });
    const x = g.input('x', ['N', 1, SIDE, SIDE]);
    const v = g.input('v', [1, 1, 1, 1]);
    const [flat] = g.node('Add', [g.node('Mul', [x, g.scalar(0)])[0], v]);
    g.node('Concat', [flat, g.node('Mul', [v, g.node('Add', [x, g.scalar(1)])[0]])[0]], ['probe'], { axis: 1 });
    g.output('probe');
    const probe: ProbeInfo = { name: 'probe', op: 'Concat', depth: 0, kind: 'map', format: 'NCHW', dims: [1, 2, SIDE, SIDE], batchAxis: 0, channels: 2, h: SIDE, w: SIDE, prefixTokens: 0, part: null };
    const bytes = originalModel(parseModel(g.toBytes()), { probes: [probe], similarity: 'pearson', permutations: true, shifts: false, scored: [0], batch: 'N' });
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
    const image = Float32Array.from({ length: SIDE * SIDE }, (_, i) => Math.sin(i * 0.37) * 0.5);
    try {
      for (const value of [0.1, 1 / 3, -7.123456, 1e-20, 3e7, 2 ** 24 + 2]) {
        const out = await session.run({ x: new ort.Tensor('float32', image, [1, 1, SIDE, SIDE]), v: new ort.Tensor('float32', Float32Array.of(value), [1, 1, 1, 1]) });
        const margins = out[tensorName.marginB(0)].data as Float32Array;
        expect([isConstantMargin(margins[0]), isConstantMargin(margins[1])], `v = ${value}`).toEqual([true, false]);
      }
    } finally {
      await session.release();
    }
  }, 60_000);
});
