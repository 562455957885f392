/**
 * A model serialised with additions from its own parsed bytes (protobuf merge of a second
 * ModelProto) parses to the same message as re-encoding the whole model.
 */
import { create, equals, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, ValueInfoProtoSchema } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/onnx/graph.js';
import { rememberBytes, serialiseAppended } from '../../src/onnx/serialise.js';

function model() {
  const g = new GraphBuilder('m');
  const x = g.input('x', ['N', 2, 4, 4]);
  g.node('Conv', [x, g.initializer('w', Float32Array.from({ length: 2 * 2 * 9 }, (_, i) => i / 7), [2, 2, 3, 3])], ['conv'], { pads: [1, 1, 1, 1] });
  g.node('Relu', ['conv'], ['y']);
  g.output('y');
  return g.toBytes();
}

describe('serialiseAppended', () => {
  it('from remembered bytes equals re-encoding the whole model, and leaves the model unchanged', () => {
    const bytes = model();
    const remembered = fromBinary(ModelProtoSchema, bytes);
    rememberBytes(remembered, bytes);
    const plain = fromBinary(ModelProtoSchema, bytes);
    const extra = new GraphBuilder('extra');
    extra.node('Neg', ['y'], ['z']);
    extra.output('z');
    const merged = fromBinary(ModelProtoSchema, extra.appendTo(remembered));
    const whole = fromBinary(ModelProtoSchema, extra.appendTo(plain));
    const exposed = fromBinary(ModelProtoSchema, serialiseAppended(remembered, { output: [create(ValueInfoProtoSchema, { name: 'conv' })] }));
    expect(exposed.graph!.output.map((o) => o.name)).toEqual(['y', 'conv']);
    expect(equals(ModelProtoSchema, merged, whole)).toBe(true);
    expect(merged.graph!.node.map((n) => n.opType)).toEqual(['Conv', 'Relu', 'Neg']);
    expect(merged.graph!.output.map((o) => o.name)).toEqual(['y', 'z']);
    expect(merged.opsetImport.map((o) => o.domain)).toEqual(['', 'com.microsoft']);
    expect(toBinary(ModelProtoSchema, remembered)).toEqual(bytes);
    expect(toBinary(ModelProtoSchema, plain)).toEqual(bytes);
  });

  it('with reuse, writes the additions into the room after the remembered bytes: the same bytes, no copy of the model', () => {
    const bytes = model();
    const room = new Uint8Array(bytes.length + 4096);
    room.set(bytes);
    const remembered = fromBinary(ModelProtoSchema, bytes);
    rememberBytes(remembered, room.subarray(0, bytes.length), undefined, room);
    const extra = new GraphBuilder('extra');
    extra.node('Neg', ['y'], ['z']);
    extra.output('z');
    const copied = extra.appendTo(remembered);
    const reused = extra.appendTo(remembered, true);
    expect(reused.buffer).toBe(room.buffer);
    expect(reused).toEqual(copied);
    // A second reusing call overwrites the first's additions; the model's own bytes stay.
    const exposed = serialiseAppended(remembered, { output: [create(ValueInfoProtoSchema, { name: 'conv' })] }, true);
    expect(fromBinary(ModelProtoSchema, exposed).graph!.output.map((o) => o.name)).toEqual(['y', 'conv']);
    expect(room.subarray(0, bytes.length)).toEqual(bytes);
    // Without room (or too little), a new buffer as before.
    const tight = fromBinary(ModelProtoSchema, bytes);
    rememberBytes(tight, bytes);
    expect(extra.appendTo(tight, true).buffer).not.toBe(bytes.buffer);
    expect(() => rememberBytes(tight, bytes, undefined, room)).toThrow(RangeError);
  });
});
