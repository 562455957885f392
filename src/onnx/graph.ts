/**
 * A small builder for ONNX graphs in code.
 *
 * equiprobe builds ONNX graphs for three reasons: the metric appended to a probed model (and the
 * vector metric graph) that run the K×K correlation work inside onnxruntime, the known-answer networks
 * whose answers are known from mathematics, and test/benchmark fixtures. All of them go through
 * this one builder so that the protobuf details live in one place.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema,
  AttributeProto_AttributeType,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  TensorProtoSchema,
  TensorProto_DataType,
  TensorShapeProtoSchema,
  TensorShapeProto_DimensionSchema,
  TypeProtoSchema,
  TypeProto_TensorSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from 'onnx-buf';
import { serialiseAppended } from './serialise.js';

/** Element type of a graph value: float32 or int64 (shapes, indices). */
export type ElementType = 'float' | 'int64' | 'double' | 'bool';

/** A dimension: a fixed size or a symbolic name (dynamic). */
export type Dim = number | string;

/** Attribute values. Integers become INT, other numbers FLOAT; wrap in `{ floats }` to force floats. */
export type AttributeValue =
  | number
  | string
  | number[]
  | { float: number }
  | { floats: number[] }
  | { tensor: TensorProto };

const DATA_TYPE: Record<ElementType, TensorProto_DataType> = {
  float: TensorProto_DataType.FLOAT,
  int64: TensorProto_DataType.INT64,
  double: TensorProto_DataType.DOUBLE,
  bool: TensorProto_DataType.BOOL,
};

/** Builds a float32 or int64 tensor proto with raw little-endian data. */
export function makeTensor(
  name: string,
  data: Float32Array | Float64Array | BigInt64Array | readonly number[],
  dims: readonly number[],
  type: ElementType = 'float',
): TensorProto {
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new RangeError(`Tensor '${name}': ${data.length} values for dims [${dims.join(', ')}].`);
  }
  let typed: Float32Array | Float64Array | BigInt64Array;
  if (type === 'int64') {
    typed = data instanceof BigInt64Array ? data : BigInt64Array.from(Array.from(data as ArrayLike<number>, (v) => BigInt(v)));
  } else if (type === 'double') {
    typed = data instanceof Float64Array ? data : Float64Array.from(data as ArrayLike<number>);
  } else {
    typed = data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
  }
  return create(TensorProtoSchema, {
    name,
    dims: dims.map((d) => BigInt(d)),
    dataType: DATA_TYPE[type],
    rawData: new Uint8Array(typed.buffer.slice(typed.byteOffset, typed.byteOffset + typed.byteLength) as ArrayBuffer),
  });
}

function makeValueInfo(name: string, type: ElementType, dims?: readonly Dim[]): ValueInfoProto {
  const tensorType = create(TypeProto_TensorSchema, {
    elemType: DATA_TYPE[type],
    shape: dims
      ? create(TensorShapeProtoSchema, {
          dim: dims.map((d) =>
            create(TensorShapeProto_DimensionSchema, {
              value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) } : { case: 'dimParam', value: d },
            }),
          ),
        })
      : undefined,
  });
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, { value: { case: 'tensorType', value: tensorType } }),
  });
}

function makeAttribute(name: string, value: AttributeValue): AttributeProto {
  const T = AttributeProto_AttributeType;
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? create(AttributeProtoSchema, { name, type: T.INT, i: BigInt(value) })
      : create(AttributeProtoSchema, { name, type: T.FLOAT, f: value });
  }
  if (typeof value === 'string') {
    return create(AttributeProtoSchema, { name, type: T.STRING, s: new TextEncoder().encode(value) });
  }
  if (Array.isArray(value)) {
    return value.every(Number.isInteger)
      ? create(AttributeProtoSchema, { name, type: T.INTS, ints: value.map((v) => BigInt(v)) })
      : create(AttributeProtoSchema, { name, type: T.FLOATS, floats: value });
  }
  if ('float' in value) return create(AttributeProtoSchema, { name, type: T.FLOAT, f: value.float });
  if ('floats' in value) return create(AttributeProtoSchema, { name, type: T.FLOATS, floats: value.floats });
  return create(AttributeProtoSchema, { name, type: T.TENSOR, t: value.tensor });
}

/**
 * Accumulates nodes, initializers, inputs and outputs and serialises them as an ONNX model.
 *
 * @example
 * const g = new GraphBuilder('toy');
 * const x = g.input('x', ['N', 1, 8, 8]);
 * const w = g.initializer('w', new Float32Array(9).fill(1 / 9), [1, 1, 3, 3]);
 * const [y] = g.node('Conv', [x, w], ['y'], { pads: [1, 1, 1, 1] });
 * g.output(y);
 * const bytes = g.toBytes(); // Uint8Array, loadable by onnxruntime
 */
export class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly shapes: ValueInfoProto[] = [];
  private counter = 0;
  private readonly constants = new Map<string, string>();

  /**
   * @param name - graph name
   * @param options - `opset`: the default-domain opset the nodes are written for (reductions
   *   take `axes` as an input from opset 13/18 on, see `reduce`); `namespace`: prefix of fresh names, so
   *   nodes appended to an existing model cannot collide with its tensor names
   */
  constructor(
    readonly name = 'graph',
    private readonly options: { readonly opset?: number; readonly namespace?: string } = {},
  ) {}

  /** The default-domain opset the nodes are written for. */
  get opset(): number {
    return this.options.opset ?? 17;
  }

  /** A fresh tensor name with the given prefix. */
  fresh(prefix = 't'): string {
    this.counter += 1;
    return `${this.options.namespace ?? ''}${prefix}_${this.counter}`;
  }

  /** Declares a graph input and returns its name; without `dims`, any shape is accepted. */
  input(name: string, dims: readonly Dim[] | undefined, type: ElementType = 'float'): string {
    this.inputs.push(makeValueInfo(name, type, dims));
    return name;
  }

  /** Declares a graph output; its shape is left to onnxruntime's inference unless given. */
  output(name: string, dims?: readonly Dim[], type: ElementType = 'float'): string {
    this.outputs.push(makeValueInfo(name, type, dims));
    return name;
  }

  /**
   * States the shape of an intermediate tensor (a graph `value_info`), for where onnxruntime's
   * inference cannot know it, e.g. the output of a Slice whose bounds are inputs. Symbols must be
   * true: onnxruntime plans buffer reuse on them.
   */
  shape(name: string, dims: readonly Dim[], type: ElementType = 'float'): string {
    this.shapes.push(makeValueInfo(name, type, dims));
    return name;
  }

  /** Adds a constant tensor (weights, shapes, indices) and returns its name. */
  initializer(
    name: string,
    data: Float32Array | Float64Array | BigInt64Array | readonly number[],
    dims: readonly number[],
    type: ElementType = 'float',
  ): string {
    this.initializers.push(makeTensor(name, data, dims, type));
    return name;
  }

  /** Adds an int64 constant, e.g. a shape or an axes list; unnamed constants of equal value are shared. */
  ints(values: readonly number[], name?: string): string {
    return name ? this.initializer(name, values, [values.length], 'int64') : this.shared(`i:${values.join(',')}`, () => this.ints(values, this.fresh('c')));
  }

  /** Adds a scalar float constant; unnamed constants of equal value are shared. */
  scalar(value: number, name?: string): string {
    return name ? this.initializer(name, [value], [], 'float') : this.shared(`f:${value}`, () => this.scalar(value, this.fresh('c')));
  }

  /** The constant stored under `key`, made by `make` the first time (large graphs repeat the same small constants many times). */
  shared(key: string, make: () => string): string {
    let name = this.constants.get(key);
    if (name === undefined) {
      name = make();
      this.constants.set(key, name);
    }
    return name;
  }

  /**
   * Adds a node. `outputs` may be names or a count of fresh names; returns the output names.
   */
  node(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[] | number = 1,
    attributes: Record<string, AttributeValue> = {},
    domain = '',
  ): string[] {
    const names = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase())) : [...outputs];
    this.nodes.push(
      create(NodeProtoSchema, {
        opType,
        domain,
        name: this.fresh(`${opType}_node`),
        input: [...inputs],
        output: names,
        attribute: Object.entries(attributes).map(([k, v]) => makeAttribute(k, v)),
      }),
    );
    return names;
  }

  /**
   * A reduction over `axes` in the form the opset expects: an `axes` attribute before opset 18
   * (13 for ReduceSum), an int64 input from then on.
   */
  reduce(op: 'ReduceMean' | 'ReduceSum' | 'ReduceSumSquare' | 'ReduceMax', x: string, axes: readonly number[], keepdims: boolean): string {
    const asInput = this.opset >= (op === 'ReduceSum' ? 13 : 18);
    const keep = keepdims ? 1 : 0;
    return asInput ? this.node(op, [x, this.ints(axes)], 1, { keepdims: keep })[0] : this.node(op, [x], 1, { axes: [...axes], keepdims: keep })[0];
  }

  /**
   * Serialises `model` with this builder's nodes, initializers, inputs and outputs appended to its
   * graph (the model itself is left unchanged); the builder's nodes are read at the model's opset,
   * and `com.microsoft` (onnxruntime's contrib ops) is imported.
   *
   * @param reuse - see `serialiseAppended`: a view valid until the next reusing call for the model
   */
  appendTo(model: ModelProto, reuse = false): Uint8Array {
    return serialiseAppended(model, {
      node: this.nodes,
      initializer: this.initializers,
      input: this.inputs,
      output: this.outputs,
      valueInfo: this.shapes,
      opsetImport: model.opsetImport.some((o) => o.domain === 'com.microsoft') ? [] : [create(OperatorSetIdProtoSchema, { domain: 'com.microsoft', version: 1n })],
    }, reuse);
  }

  /** Serialises the graph as an ONNX model (default opset 17). */
  toBytes(opset = this.opset): Uint8Array {
    const graph = create(GraphProtoSchema, {
      name: this.name,
      node: this.nodes,
      initializer: this.initializers,
      input: this.inputs,
      output: this.outputs,
      valueInfo: this.shapes,
    });
    const model = create(ModelProtoSchema, {
      irVersion: 8n,
      producerName: 'equiprobe',
      opsetImport: [
        create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(opset) }),
        ...(this.nodes.some((n) => n.domain === 'com.microsoft') ? [create(OperatorSetIdProtoSchema, { domain: 'com.microsoft', version: 1n })] : []),
      ],
      graph,
    });
    return toBinary(ModelProtoSchema, model);
  }
}
