import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { batchDependentNodes } from '../../src/measure/batch-dependence.js';
import { GraphBuilder } from '../../src/onnx/graph.js';

function bnModel(trainingMode: number | null) {
  const g = new GraphBuilder('bn', { opset: 15 });
  const x = g.input('x', ['N', 2, 4, 4]);
  const p = (name: string) => g.initializer(name, Float32Array.of(1, 1), [2]);
  const attributes: Record<string, number> = trainingMode === null ? {} : { training_mode: trainingMode };
  g.output(g.node('BatchNormalization', [x, p('scale'), p('bias'), p('mean'), p('var')], ['y'], attributes)[0]);
  return fromBinary(ModelProtoSchema, g.toBytes());
}

describe('batch-dependent graphs (SPEC §4b)', () => {
  it('names a BatchNormalization in training mode, and none in inference mode', () => {
    expect(batchDependentNodes(bnModel(1))).toHaveLength(1);
    expect(batchDependentNodes(bnModel(0))).toEqual([]);
    expect(batchDependentNodes(bnModel(null))).toEqual([]);
  });
});
