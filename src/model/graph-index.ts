import { TensorProto_DataType, type ModelProto, type NodeProto, type TensorProto } from 'onnx-buf';

/** Read-only index of a graph: who produces and who consumes each tensor, in topological order. */
export interface GraphIndex {
  readonly nodes: readonly NodeProto[];
  /** Tensor name → the node producing it. */
  readonly producer: ReadonlyMap<string, NodeProto>;
  /** Tensor name → the nodes reading it. */
  readonly consumers: ReadonlyMap<string, readonly NodeProto[]>;
  /** Tensor name → topological position of its producer (graph inputs: −1). */
  readonly order: ReadonlyMap<string, number>;
  readonly initializers: ReadonlySet<string>;
  readonly outputs: readonly string[];
  /** Whether a tensor is a constant: an initializer, or computed from initializers and Constant nodes only. */
  readonly isConstant: (name: string) => boolean;
  /** The value of a one-element float constant (initializer or Constant node), or null. */
  readonly scalar: (name: string) => number | null;
}

/**
 * Indexes a model's main graph. ONNX requires nodes in topological order, so node position is
 * the depth order that parts are split by (SPEC §5).
 */
export function indexGraph(proto: ModelProto): GraphIndex {
  const graph = proto.graph!;
  const producer = new Map<string, NodeProto>();
  const consumers = new Map<string, NodeProto[]>();
  const order = new Map<string, number>();
  graph.node.forEach((node, i) => {
    for (const out of node.output) {
      if (!out) continue;
      producer.set(out, node);
      order.set(out, i);
    }
    for (const inp of node.input) {
      if (!inp) continue;
      const list = consumers.get(inp) ?? [];
      list.push(node);
      consumers.set(inp, list);
    }
  });
  for (const input of graph.input) if (!order.has(input.name)) order.set(input.name, -1);
  const initializers = new Set(graph.initializer.map((t) => t.name));
  const required = new Set(graph.input.map((i) => i.name).filter((n) => !initializers.has(n)));
  const constant = new Map<string, boolean>();
  // Nodes are in topological order, so one pass decides every output.
  for (const node of graph.node) {
    const value = node.input.every((i) => !i || initializers.has(i) || (!required.has(i) && constant.get(i) === true));
    for (const out of node.output) if (out) constant.set(out, value);
  }
  const scalars = new Map<string, number>();
  const addScalar = (name: string, t: TensorProto | undefined) => {
    if (!t || t.dataType !== TensorProto_DataType.FLOAT) return;
    const values = t.rawData.length === 4 ? [new DataView(t.rawData.buffer, t.rawData.byteOffset, 4).getFloat32(0, true)] : t.floatData;
    if (values.length === 1) scalars.set(name, values[0]);
  };
  for (const t of graph.initializer) addScalar(t.name, t);
  for (const node of graph.node) if (node.opType === 'Constant') addScalar(node.output[0], node.attribute.find((a) => a.name === 'value')?.t);
  return {
    isConstant: (name) => initializers.has(name) || constant.get(name) === true,
    scalar: (name) => scalars.get(name) ?? null,
    nodes: graph.node,
    producer,
    consumers,
    order,
    initializers,
    outputs: graph.output.map((o) => o.name),
  };
}

/** Integer values of an int64/int32 tensor proto (raw little-endian or typed fields). */
function tensorInts(t: TensorProto): number[] {
  if (t.rawData.length > 0) {
    const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
    if (t.dataType === TensorProto_DataType.INT64) return Array.from({ length: t.rawData.byteLength / 8 }, (_, i) => Number(view.getBigInt64(i * 8, true)));
    if (t.dataType === TensorProto_DataType.INT32) return Array.from({ length: t.rawData.byteLength / 4 }, (_, i) => view.getInt32(i * 4, true));
    return [];
  }
  return t.int64Data.length > 0 ? t.int64Data.map(Number) : [...t.int32Data];
}

/**
 * Reads integer constants (reduction axes given as inputs): initializers and Constant nodes.
 *
 * @returns a lookup by tensor name, null for a tensor that is not an integer constant
 */
export function constantInts(proto: ModelProto): (name: string) => readonly number[] | null {
  const values = new Map<string, number[]>();
  for (const t of proto.graph?.initializer ?? []) values.set(t.name, tensorInts(t));
  for (const node of proto.graph?.node ?? []) {
    if (node.opType !== 'Constant') continue;
    const attr = node.attribute[0];
    if (attr?.name === 'value' && attr.t) values.set(node.output[0], tensorInts(attr.t));
    else if (attr?.name === 'value_ints') values.set(node.output[0], attr.ints.map(Number));
    else if (attr?.name === 'value_int') values.set(node.output[0], [Number(attr.i)]);
  }
  return (name) => values.get(name) ?? null;
}
