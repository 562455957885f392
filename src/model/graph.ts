import type { ModelProto, NodeProto } from 'onnx-buf';

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
  return {
    nodes: graph.node,
    producer,
    consumers,
    order,
    initializers: new Set(graph.initializer.map((t) => t.name)),
    outputs: graph.output.map((o) => o.name),
  };
}
