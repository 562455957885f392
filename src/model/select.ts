import type { NodeProto } from 'onnx-buf';
import type { GraphIndex } from './graph-index.js';

/** Ops whose output is a nonlinearity on their own. */
const NONLINEAR = new Set([
  'Relu', 'LeakyRelu', 'PRelu', 'Elu', 'Selu', 'Celu', 'Gelu', 'Softplus', 'Softsign', 'HardSwish', 'Mish', 'ThresholdedRelu', 'Clip',
]);
const POOLING = new Set(['MaxPool', 'AveragePool', 'LpPool', 'GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool']);
const REDUCE_POOLING = new Set(['ReduceMean', 'ReduceMax']);
/** Ops that only move values between layouts: a block's output is followed through them to a readable tensor. */
const LAYOUT_OPS = new Set(['Reshape', 'Transpose', 'Flatten', 'Squeeze', 'Unsqueeze', 'Slice', 'Concat', 'Identity']);

/** The one node that reads a tensor's values (Shape/Size read only its shape, e.g. for a dynamic Reshape), or null. */
const onlyConsumer = (index: GraphIndex, tensor: string): NodeProto | null => {
  const next = (index.consumers.get(tensor) ?? []).filter((n) => n.opType !== 'Shape' && n.opType !== 'Size');
  return next.length === 1 ? next[0] : null;
};

/** The other input of a binary node, and whether it is a constant. */
function otherInput(index: GraphIndex, node: NodeProto, from: string): { name: string; constant: boolean } | null {
  if (node.input.length !== 2) return null;
  const name = node.input[0] === from ? node.input[1] : node.input[0];
  return { name, constant: index.isConstant(name) };
}

/** Scaling by a constant written as Mul or Div, with the factor it applies (or null when not a scalar). */
function constantFactor(index: GraphIndex, node: NodeProto, from: string): number | null {
  if (node.opType !== 'Mul' && node.opType !== 'Div') return null;
  const other = otherInput(index, node, from);
  if (!other?.constant || (node.opType === 'Div' && node.input[0] !== from)) return null;
  const value = index.scalar(other.name);
  if (value === null) return null;
  return node.opType === 'Mul' ? value : 1 / value;
}

/**
 * Follows a gate (Erf, Tanh, Clip of x+3) to the product that makes the nonlinearity: through
 * element-wise steps with constants (the +1 of GELU, a /6 written before the product), then the
 * Mul by the non-constant input (`x`, or `0.5·x`), then a final constant scaling by `finalScale`
 * (0.5 for GELU, 1/6 for hardswish) when it comes after the product.
 *
 * @param x - the product's other input must be this tensor (or a constant multiple of it); null: any non-constant tensor
 */
function gatedProduct(index: GraphIndex, gate: NodeProto, x: string | null, finalScale: number): string | null {
  let tensor = gate.output[0];
  for (let step = 0; step < 4; step++) {
    const next = onlyConsumer(index, tensor);
    if (!next || !['Add', 'Sub', 'Mul', 'Div'].includes(next.opType)) return null;
    const other = otherInput(index, next, tensor);
    if (!other) return null;
    if (!other.constant) {
      if (next.opType !== 'Mul' || (x !== null && other.name !== x && scaledFrom(index, other.name) !== x)) return null;
      const end = next.output[0];
      const after = onlyConsumer(index, end);
      const factor = after ? constantFactor(index, after, end) : null;
      // Exporters write the factor with few digits (0.166667): a relative match to 1e−3 is enough to tell it from a layer scale.
      return factor !== null && Math.abs(factor - finalScale) < 1e-3 * finalScale ? after!.output[0] : end;
    }
    tensor = next.output[0];
  }
  return null;
}

/** `x` when `tensor` is `x` times (or divided by) a constant, else null. */
function scaledFrom(index: GraphIndex, tensor: string): string | null {
  const node = index.producer.get(tensor);
  if (!node || (node.opType !== 'Mul' && node.opType !== 'Div') || node.input.length !== 2) return null;
  const [a, b] = node.input;
  if (index.isConstant(b)) return a;
  if (node.opType === 'Mul' && index.isConstant(a)) return b;
  return null;
}

/** `x` when `tensor` is `x + c` for a constant c. */
function shiftedFrom(index: GraphIndex, tensor: string): string | null {
  const node = index.producer.get(tensor);
  if (!node || node.opType !== 'Add' || node.input.length !== 2) return null;
  const [a, b] = node.input;
  return index.isConstant(b) ? a : index.isConstant(a) ? b : null;
}

/**
 * The output tensor of a nonlinearity (SPEC §1), recognising the decomposed forms exporters emit:
 * GELU as `x·0.5·(1+erf(x/√2))` or with tanh, SiLU/swish as `x·sigmoid(x)` and `x·sigmoid(βx)`,
 * hardswish as `x·HardSigmoid(x)` and `x·Clip(x+3,0,6)/6`. The probe is the product, never an
 * inner node; a Clip that is not part of a hardswish is a ReLU6.
 */
export function nonlinearityOutput(index: GraphIndex, node: NodeProto): string | null {
  if (node.opType === 'Clip') {
    const x = shiftedFrom(index, node.input[0]);
    return (x !== null ? gatedProduct(index, node, x, 1 / 6) : null) ?? node.output[0];
  }
  if (NONLINEAR.has(node.opType)) return node.output[0];
  if (node.opType === 'Erf') return gatedProduct(index, node, null, 0.5);
  if (node.opType === 'Tanh') return gatedProduct(index, node, null, 0.5) ?? node.output[0];
  if (node.opType === 'Sigmoid' || node.opType === 'HardSigmoid') {
    const input = node.input[0];
    const xs = [input, scaledFrom(index, input)].filter((x): x is string => x !== null);
    const mul = (index.consumers.get(node.output[0]) ?? []).find((c) => c.opType === 'Mul' && c.input.some((i) => i !== node.output[0] && xs.includes(i)));
    return mul ? mul.output[0] : null;
  }
  return null;
}

/** The stem: the first Conv's output (the patch embedding of a ViT). */
export function stemOutputs(index: GraphIndex): string[] {
  const stem = index.nodes.find((n) => n.opType === 'Conv');
  return stem ? [stem.output[0]] : [];
}

/** The tensors of SPEC §1's default probe set that are found from ops alone (stem, nonlinearities, pooling). */
export function defaultCandidates(index: GraphIndex): Set<string> {
  const chosen = new Set(stemOutputs(index));
  for (const node of index.nodes) {
    const nonlinear = nonlinearityOutput(index, node);
    if (nonlinear) chosen.add(nonlinear);
    if (POOLING.has(node.opType) || REDUCE_POOLING.has(node.opType)) chosen.add(node.output[0]);
  }
  return chosen;
}

/** Element-wise ops that a polynomial or activation of one tensor is written with. */
const POINTWISE = new Set(['Pow', 'Mul', 'Div', 'Add', 'Sub', 'Neg', 'Abs', 'Sqrt', 'Exp', 'Log', 'Tanh', 'Erf', 'Sigmoid', 'Cast', 'Identity']);

/** Whether `tensor` is computed from `source` alone through element-wise ops with constants (e.g. 0.044715·x³ from x). */
function pointwiseOf(index: GraphIndex, tensor: string, source: string): boolean {
  let current = tensor;
  for (let step = 0; step < 8; step++) {
    const node = index.producer.get(current);
    if (!node || !POINTWISE.has(node.opType)) return false;
    const computed = node.input.filter((i) => i && !index.isConstant(i));
    if (computed.length !== 1) return false;
    if (computed[0] === source) return true;
    current = computed[0];
  }
  return false;
}

/**
 * Residual merges: an `Add` of two computed tensors that both have the output's shape, and not
 * the inside of a decomposed nonlinearity (tanh-GELU's `x + 0.044715·x³` adds a function of x to x).
 */
export function residualMerges(index: GraphIndex, shapes: ReadonlyMap<string, readonly number[]>): string[] {
  const same = (a?: readonly number[], b?: readonly number[]) => !!a && !!b && a.length === b.length && a.every((d, i) => d === b[i]);
  return index.nodes
    .filter((n) => n.opType === 'Add' && n.input.length === 2 && n.input.every((i) => !index.initializers.has(i) && index.producer.has(i)))
    .filter((n) => n.input.every((i) => same(shapes.get(i), shapes.get(n.output[0]))))
    .filter((n) => !pointwiseOf(index, n.input[0], n.input[1]) && !pointwiseOf(index, n.input[1], n.input[0]))
    .map((n) => n.output[0]);
}

/** The module scope of a node: its name without the last path segment (`/layer1/layer1.0/Add` → `/layer1/layer1.0`). */
function scopeOf(node: NodeProto): string | null {
  const cut = node.name.lastIndexOf('/');
  return cut > 0 ? node.name.slice(0, cut) : null;
}

/**
 * One output per residual or transformer block (`--layers blocks`). Consecutive residual merges in
 * the same module scope are one block (a transformer block's attention and MLP merges); the block's
 * output is its last merge, after a nonlinearity that follows it alone (ResNet's ReLU), followed
 * through layout-only ops (a window departition) to the first tensor that `readable` accepts.
 *
 * @param merges - residual merge outputs in topological order (`residualMerges`)
 */
export function blockOutputs(index: GraphIndex, merges: readonly string[], readable: (name: string) => boolean): string[] {
  const ends: string[] = [];
  merges.forEach((merge, i) => {
    const scope = scopeOf(index.producer.get(merge)!);
    const next = merges[i + 1];
    if (next && scope !== null && scopeOf(index.producer.get(next)!) === scope) return;
    let tensor = merge;
    const after = onlyConsumer(index, tensor);
    if (after && nonlinearityOutput(index, after) === after.output[0]) tensor = after.output[0];
    for (let step = 0; step < 12 && !readable(tensor); step++) {
      const node = onlyConsumer(index, tensor);
      if (!node || !LAYOUT_OPS.has(node.opType)) break;
      tensor = node.output[0];
    }
    if (readable(tensor)) ends.push(tensor);
  });
  return ends;
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
