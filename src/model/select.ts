import type { NodeProto } from 'onnx-buf';
import type { GraphIndex } from './graph.js';

/** Ops whose output is a nonlinearity on their own. */
const NONLINEAR = new Set([
  'Relu', 'LeakyRelu', 'PRelu', 'Elu', 'Selu', 'Celu', 'Gelu', 'Softplus', 'Softsign', 'HardSwish', 'Mish', 'ThresholdedRelu', 'Clip',
]);
const POOLING = new Set(['MaxPool', 'AveragePool', 'LpPool', 'GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool']);
const REDUCE_POOLING = new Set(['ReduceMean', 'ReduceMax']);

/** Follows single-consumer Add/Mul nodes for up to `steps` nodes: the end of a decomposed GELU. */
function endOfElementwiseChain(index: GraphIndex, start: NodeProto, steps: number): string | null {
  let node = start;
  let end: string | null = null;
  for (let i = 0; i < steps; i++) {
    const next = index.consumers.get(node.output[0]) ?? [];
    if (next.length !== 1 || !['Add', 'Mul'].includes(next[0].opType)) break;
    node = next[0];
    end = node.output[0];
  }
  return end;
}

/**
 * The output tensor of a nonlinearity, recognising the decomposed forms exporters emit:
 * GELU as `x·0.5·(1+erf(x/√2))` or with tanh, and SiLU as `x·sigmoid(x)`.
 */
export function nonlinearityOutput(index: GraphIndex, node: NodeProto): string | null {
  if (NONLINEAR.has(node.opType)) return node.output[0];
  if (node.opType === 'Erf') return endOfElementwiseChain(index, node, 3);
  if (node.opType === 'Tanh') return endOfElementwiseChain(index, node, 3) ?? node.output[0];
  if (node.opType === 'Sigmoid' || node.opType === 'HardSigmoid') {
    const mul = (index.consumers.get(node.output[0]) ?? []).find((c) => c.opType === 'Mul' && c.input.includes(node.input[0]));
    return mul ? mul.output[0] : null;
  }
  return null;
}

/** The tensors of SPEC §1's default probe set that are found from ops alone (stem, nonlinearities, pooling). */
export function defaultCandidates(index: GraphIndex): Set<string> {
  const chosen = new Set<string>();
  const stem = index.nodes.find((n) => n.opType === 'Conv');
  if (stem) chosen.add(stem.output[0]);
  for (const node of index.nodes) {
    const nonlinear = nonlinearityOutput(index, node);
    if (nonlinear) chosen.add(nonlinear);
    if (POOLING.has(node.opType) || REDUCE_POOLING.has(node.opType)) chosen.add(node.output[0]);
  }
  return chosen;
}

/** Residual merges: an `Add` of two computed tensors that both have the output's shape. */
export function residualMerges(index: GraphIndex, shapes: ReadonlyMap<string, readonly number[]>): string[] {
  const same = (a?: readonly number[], b?: readonly number[]) => !!a && !!b && a.length === b.length && a.every((d, i) => d === b[i]);
  return index.nodes
    .filter((n) => n.opType === 'Add' && n.input.length === 2 && n.input.every((i) => !index.initializers.has(i) && index.producer.has(i)))
    .filter((n) => n.input.every((i) => same(shapes.get(i), shapes.get(n.output[0]))))
    .map((n) => n.output[0]);
}

/** Whether a ReduceMean/ReduceMax output is a pooling over space (used to keep only spatial reductions). */
export function isReducePooling(op: string): boolean {
  return REDUCE_POOLING.has(op);
}

/** The Final tensor (SPEC §5): the softmax's input when the output is a softmax, else the first output. */
export function finalTensor(index: GraphIndex): string | null {
  const out = index.outputs[0];
  if (!out) return null;
  let node = index.producer.get(out);
  // Walk back through shape-only ops between the softmax and the output.
  while (node && ['Identity', 'Flatten', 'Reshape', 'Squeeze'].includes(node.opType)) node = index.producer.get(node.input[0]);
  if (node && (node.opType === 'Softmax' || node.opType === 'LogSoftmax')) return node.input[0];
  return out;
}
