import type { NodeProto } from 'onnx-buf';

/**
 * Axis roles traced through the graph (SPEC §1): which axis of every tensor is the batch (N),
 * the channels (C) and the map's rows (H) and columns (W), from what ONNX defines each op to do,
 * never from the input's layout alone.
 *
 * An axis is a row-major product of *atoms*: a piece of one role, e.g. a Swin window partition
 * `[N·H/4·W/4, 4, 4, C]` has the outer parts of H and W in its first axis and the inner parts in
 * the next two. A Reshape re-chunks the row-major atom list exactly, so partitions, their reversal
 * and patch flattening are followed without knowing the architecture; a role is whole again
 * only when its pieces meet in one axis in order. `?` marks an axis of unknown meaning (a product
 * with a weight over space, a concat with a constant token).
 */
export type Role = 'N' | 'C' | 'H' | 'W' | '?';

/** A piece of one role: `size` values, `stride` apart in the role's own index. */
export interface Atom {
  readonly role: Role;
  readonly size: number;
  readonly stride: number;
  /** Identity of an unknown (`?`) axis, so that two unrelated unknown axes never merge. */
  readonly id?: number;
}

/** One tensor axis: its atoms, major to minor (none when the axis has size 1). */
export interface Axis {
  readonly atoms: readonly Atom[];
  /** The axis was reduced with keepdims (e.g. LayerNorm statistics over C): no role is left in it. */
  readonly reduced?: boolean;
}

/** Roles of a tensor that depends on the image: its axes, or why they could not be traced. */
export type Roles = TracedRoles | { readonly untraced: string };
export interface TracedRoles {
  readonly axes: readonly Axis[];
}

/** What the tracer is given: the graph's nodes in order, the image input and every tensor's shape. */
export interface TraceInput {
  readonly nodes: readonly NodeProto[];
  readonly input: { readonly name: string; readonly layout: 'NCHW' | 'NHWC' };
  /** Shapes from a discovery pass, image input included. */
  readonly shapes: ReadonlyMap<string, readonly number[]>;
  /** Integer value of a constant tensor (initializer or Constant node), or null. */
  readonly constantInts: (name: string) => readonly number[] | null;
}

/** Ops whose output ONNX defines as `[N, C, spatial...]` whatever the input's roles. */
const CHANNELS_FIRST = new Set([
  'Conv', 'ConvTranspose', 'ConvInteger', 'QLinearConv', 'MaxPool', 'AveragePool', 'LpPool', 'GlobalAveragePool', 'GlobalMaxPool',
  'GlobalLpPool', 'BatchNormalization', 'InstanceNormalization', 'LRN', 'DepthToSpace', 'SpaceToDepth', 'MaxUnpool', 'DeformConv',
]);
const PER_CHANNEL = new Set(['BatchNormalization', 'InstanceNormalization', 'LRN']);
/** Element-wise ops (with broadcasting) and per-element normalisations: roles pass through unchanged. */
const ELEMENTWISE = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'PRelu', 'Where', 'Equal', 'Greater', 'Less', 'GreaterOrEqual',
  'LessOrEqual', 'And', 'Or', 'Xor', 'Mod', 'BitShift', 'Relu', 'LeakyRelu', 'Elu', 'Selu', 'Celu', 'Gelu', 'Sigmoid', 'HardSigmoid',
  'HardSwish', 'Tanh', 'Erf', 'Softplus', 'Softsign', 'Mish', 'ThresholdedRelu', 'Clip', 'Abs', 'Neg', 'Sqrt', 'Exp', 'Log',
  'Reciprocal', 'Floor', 'Ceil', 'Round', 'Sign', 'Sin', 'Cos', 'Not', 'IsNaN', 'IsInf', 'Cast', 'CastLike', 'Identity', 'Dropout',
  'Softmax', 'LogSoftmax', 'Hardmax', 'LayerNormalization', 'GroupNormalization', 'SimplifiedLayerNormalization',
  'SkipLayerNormalization', 'LpNormalization', 'MeanVarianceNormalization', 'ScatterND', 'ScatterElements', 'Scatter',
  'QuantizeLinear', 'DequantizeLinear', 'FastGelu', 'BiasGelu', 'QuickGelu', 'Shrink',
]);
/** Ops whose outputs carry no image features (shapes, constants). */
const SHAPE_ONLY = new Set(['Shape', 'Size', 'Constant', 'ConstantOfShape', 'Range', 'NonZero', 'EyeLike', 'RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike']);
const RESHAPES = new Set(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze']);
/** Ops that change axis sizes in place: a single-role axis keeps its role (crops, pads, resizes). */
const RESIZES = new Set(['Slice', 'Pad', 'Resize', 'Upsample', 'Gather', 'Split', 'Expand', 'Tile', 'CenterCropPad']);
const REDUCTIONS = new Set([
  'ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp',
  'ReduceSumSquare', 'ArgMax', 'ArgMin',
]);

const untraced = (reason: string): Roles => ({ untraced: reason });
/** Whether roles were traced (not why they could not be). */
export const isTraced = (r: Roles | undefined): r is TracedRoles => !!r && 'axes' in r;

let unknownCounter = 0;
/** A fresh axis of unknown meaning (`?`), or an empty axis when its size is 1. */
function unknownAxis(size: number): Axis {
  unknownCounter += 1;
  return { atoms: size === 1 ? [] : [{ role: '?', size, stride: 1, id: unknownCounter }] };
}

function roleAxis(role: Role, size: number): Axis {
  return { atoms: [{ role, size, stride: 1 }] };
}

function sameAtoms(a: Axis, b: Axis): boolean {
  return a.atoms.length === b.atoms.length && a.atoms.every((x, i) => x.role === b.atoms[i].role && x.size === b.atoms[i].size && x.stride === b.atoms[i].stride && x.id === b.atoms[i].id);
}

const informative = (axis: Axis) => axis.atoms.some((a) => a.role !== '?');

/** Merges adjacent atoms that are consecutive pieces of one role (outer piece first). */
function mergeAtoms(atoms: readonly Atom[]): Atom[] {
  const out: Atom[] = [];
  for (const atom of atoms) {
    const last = out[out.length - 1];
    if (last && last.role === atom.role && last.id === atom.id && last.stride === atom.stride * atom.size) {
      out[out.length - 1] = { ...atom, size: last.size * atom.size };
    } else {
      out.push(atom);
    }
  }
  return out;
}

/**
 * Roles after a reshape from `inDims` to `outDims`: the row-major atom list re-chunked into the
 * new axes, splitting an atom where an axis boundary falls inside it.
 */
export function reshapeAxes(axes: readonly Axis[], inDims: readonly number[], outDims: readonly number[]): Roles {
  const flat: Atom[] = [];
  axes.forEach((axis, i) => {
    if (inDims[i] > 1) flat.push(...axis.atoms.filter((a) => a.size > 1));
  });
  const out: Axis[] = [];
  let k = 0;
  for (const d of outDims) {
    const atoms: Atom[] = [];
    let need = d;
    while (need > 1) {
      const a = flat[k];
      if (!a) return untraced('reshape: sizes do not match');
      if (a.size <= need) {
        if (need % a.size !== 0) return untraced('reshape mixes axes');
        atoms.push(a);
        need /= a.size;
        k += 1;
      } else {
        if (a.size % need !== 0) return untraced('reshape mixes axes');
        atoms.push({ ...a, size: need, stride: (a.stride * a.size) / need });
        flat[k] = { ...a, size: a.size / need };
        need = 1;
      }
    }
    out.push({ atoms: mergeAtoms(atoms) });
  }
  return k === flat.length ? { axes: out } : untraced('reshape: sizes do not match');
}

/**
 * Roles of an element-wise result: inputs aligned from the right (numpy broadcasting); an axis
 * takes the role of the inputs that are not broadcast along it. Inputs that agree on a role, or
 * carry none (`?`, constants), are consistent; two different roles on one axis are not.
 */
function broadcastAxes(op: string, inputs: readonly { axes: readonly Axis[]; dims: readonly number[] }[], outDims: readonly number[]): Roles {
  const rank = outDims.length;
  const axes: Axis[] = [];
  for (let i = 0; i < rank; i++) {
    const candidates: Axis[] = [];
    for (const { axes: inAxes, dims } of inputs) {
      const j = i - (rank - dims.length);
      if (j >= 0 && dims[j] === outDims[i]) candidates.push(inAxes[j]);
    }
    const known = candidates.filter(informative);
    if (known.some((a) => !sameAtoms(a, known[0]))) return untraced(`${op}: its inputs disagree on the roles of axis ${i}`);
    axes.push(known[0] ?? candidates.find((a) => a.atoms.length > 0) ?? candidates[0] ?? unknownAxis(outDims[i]));
  }
  return { axes };
}

/** An axis whose size changed in place (crop, pad, resize): a single-role axis keeps its role, anything else becomes unknown. */
function resizedAxis(axis: Axis, size: number, keepRole: boolean): Axis {
  if (axis.atoms.length === 1 && keepRole && axis.atoms[0].role !== '?') {
    return { atoms: [{ role: axis.atoms[0].role, size, stride: 1 }] };
  }
  return unknownAxis(size);
}

function attribute(node: NodeProto, name: string): { i?: bigint; ints?: readonly bigint[] } | undefined {
  return node.attribute.find((a) => a.name === name);
}

const intAttr = (node: NodeProto, name: string, fallback: number) => {
  const a = attribute(node, name);
  return a?.i !== undefined ? Number(a.i) : fallback;
};

function reduceAxes(node: NodeProto, rank: number, t: TraceInput): number[] | null {
  const attr = attribute(node, 'axes');
  let axes: readonly number[] | null = attr?.ints && attr.ints.length > 0 ? attr.ints.map(Number) : null;
  if (node.opType === 'ArgMax' || node.opType === 'ArgMin') axes = [intAttr(node, 'axis', 0)];
  else if (!axes && node.input[1]) axes = t.constantInts(node.input[1]);
  if (!axes && node.input[1]) return null;
  if (!axes || axes.length === 0) return intAttr(node, 'noop_with_empty_axes', 0) ? [] : Array.from({ length: rank }, (_, i) => i);
  return axes.map((a) => (a < 0 ? a + rank : a));
}

/** Roles of a node's outputs, given the roles of its inputs. */
function traceNode(node: NodeProto, roles: ReadonlyMap<string, Roles>, t: TraceInput): (Roles | undefined)[] {
  const op = node.opType;
  const outDims = t.shapes.get(node.output[0]);
  if (SHAPE_ONLY.has(op)) return node.output.map(() => undefined);
  const inputs = node.input.map((name) => (name ? roles.get(name) : undefined));
  // A node that reads no image-dependent tensor computes a constant.
  if (inputs.every((r) => r === undefined)) return node.output.map(() => undefined);
  if (!outDims) return node.output.map(() => untraced('shape not known'));
  const rest = (first: Roles) => [first, ...node.output.slice(1).map(() => untraced(`secondary output of ${op}`))];

  // Per-channel normalisations keep the layout they are given (a group BatchNorm over [N, C, g, h, w] too);
  // only an untraced input takes ONNX's definition, [N, C, h, w].
  if (PER_CHANNEL.has(op) && isTraced(inputs[0]) && t.shapes.get(node.input[0])?.length === outDims.length) return rest(inputs[0]);
  if (CHANNELS_FIRST.has(op)) {
    if (outDims.length < 3) return rest(untraced(`${op} output of rank ${outDims.length}`));
    const spatial = outDims.length === 4 ? [roleAxis('H', outDims[2]), roleAxis('W', outDims[3])] : outDims.slice(2).map(unknownAxis);
    return rest({ axes: [roleAxis('N', outDims[0]), roleAxis('C', outDims[1]), ...spatial] });
  }

  const traced = node.input.map((name, i) => ({ roles: inputs[i], dims: t.shapes.get(name) }));
  const failed = traced.find((x) => x.roles && !isTraced(x.roles));
  const first = inputs[0];

  if (ELEMENTWISE.has(op)) {
    const known = traced.filter((x): x is { roles: { axes: readonly Axis[] }; dims: readonly number[] } => isTraced(x.roles) && !!x.dims);
    // An untraced input is only harmless when a traced one already spans the whole output.
    const spans = known.some((x) => x.dims.length === outDims.length && x.dims.every((d, i) => d === outDims[i]));
    if (failed && !spans) return rest(failed.roles!);
    if (known.length === 0) return rest(untraced(`${op}: no traced input`));
    return rest(broadcastAxes(op, known.map((x) => ({ axes: x.roles.axes, dims: x.dims })), outDims));
  }
  if (failed) return node.output.map(() => failed.roles);
  // A Concat may start with a constant (a ViT's CLS token): its axes come from the traced inputs.
  if (op === 'Concat') return [concatAxes(node, traced, outDims)];
  if (!isTraced(first)) return node.output.map(() => untraced(`${op}: its data input is a constant`));
  const inDims = t.shapes.get(node.input[0]);
  if (!inDims) return node.output.map(() => untraced('shape not known'));

  if (op === 'Transpose') {
    const permAttr = attribute(node, 'perm')?.ints;
    const perm = permAttr && permAttr.length > 0 ? permAttr.map(Number) : inDims.map((_, i) => inDims.length - 1 - i);
    return [{ axes: perm.map((p) => first.axes[p]) }];
  }
  if (RESHAPES.has(op)) return [reshapeAxes(first.axes, inDims, outDims)];
  if (REDUCTIONS.has(op)) {
    const reduced = reduceAxes(node, inDims.length, t);
    if (!reduced) return [untraced(`${op}: axes are not constant`)];
    const keep = intAttr(node, 'keepdims', 1) === 1;
    const axes = first.axes.flatMap((a, i) => (reduced.includes(i) ? (keep ? [{ atoms: [], reduced: true }] : []) : [a]));
    return [axes.length === outDims.length ? { axes } : untraced(`${op}: unexpected output rank`)];
  }
  if (op === 'Gather' && outDims.length === inDims.length - 1) {
    const axis = (intAttr(node, 'axis', 0) + inDims.length) % inDims.length;
    return [{ axes: first.axes.filter((_, i) => i !== axis) }];
  }
  if (RESIZES.has(op)) {
    const keepRole = op !== 'Tile' && op !== 'Expand';
    return node.output.map((name) => {
      const dims = t.shapes.get(name);
      if (!dims || dims.length !== inDims.length) return untraced(`${op} changes the rank`);
      return { axes: first.axes.map((a, i) => (dims[i] === inDims[i] ? a : resizedAxis(a, dims[i], keepRole))) };
    });
  }
  if (op === 'MatMul' || op === 'Gemm') return [productAxes(node, traced, outDims)];
  return node.output.map(() => untraced(`${op} is not traced`));
}

/** Concat: along the concat axis, pieces of one role (a roll) or channels stay that role; other axes broadcast. */
function concatAxes(node: NodeProto, inputs: readonly { roles: Roles | undefined; dims: readonly number[] | undefined }[], outDims: readonly number[]): Roles {
  const rank = outDims.length;
  const axis = (intAttr(node, 'axis', 0) + rank) % rank;
  const known = inputs.filter((x): x is { roles: { axes: readonly Axis[] }; dims: readonly number[] } => isTraced(x.roles) && !!x.dims && x.dims.length === rank);
  // The other axes must agree; the concat axis is decided below from its pieces.
  const others = broadcastAxes('Concat', known.map((x) => ({ axes: x.roles.axes.map((a, i) => (i === axis ? { atoms: [] } : a)), dims: x.dims.map((d, i) => (i === axis ? outDims[i] : d)) })), outDims);
  if (!isTraced(others)) return others;
  const pieces = inputs.map((x) => (isTraced(x.roles) ? x.roles.axes[axis] : null));
  const roleOf = (a: Axis | null) => (a && a.atoms.length === 1 && a.atoms[0].stride === 1 ? a.atoms[0].role : null);
  const role = roleOf(pieces[0]);
  const one = role !== null && role !== '?' && role !== 'N' && pieces.every((p) => roleOf(p) === role);
  const axes = [...others.axes];
  axes[axis] = one ? roleAxis(role, outDims[axis]) : unknownAxis(outDims[axis]);
  return { axes };
}

/**
 * MatMul/Gemm: rows come from A, columns from B. A product with a weight makes a new axis: channels
 * when A's contracted axis held channels, unknown when it mixed positions (token mixing).
 */
function productAxes(node: NodeProto, inputs: readonly { roles: Roles | undefined; dims: readonly number[] | undefined }[], outDims: readonly number[]): Roles {
  const [a, b] = inputs;
  if (!isTraced(a.roles) || !a.dims) return untraced(`${node.opType} of a constant by an activation`);
  const rank = outDims.length;
  const gemm = node.opType === 'Gemm';
  const transA = gemm && intAttr(node, 'transA', 0) === 1;
  const transB = gemm && intAttr(node, 'transB', 0) === 1;
  const aAxes = a.roles.axes;
  const rowAxis = aAxes[transA ? aAxes.length - 1 : aAxes.length - 2];
  const contracted = aAxes[transA ? aAxes.length - 2 : aAxes.length - 1];
  let column: Axis;
  if (isTraced(b.roles)) {
    column = b.roles.axes[transB ? b.roles.axes.length - 2 : b.roles.axes.length - 1];
  } else {
    const channels = contracted.atoms.length > 0 && contracted.atoms.every((x) => x.role === 'C');
    column = channels ? roleAxis('C', outDims[rank - 1]) : unknownAxis(outDims[rank - 1]);
  }
  if (rank < 2 || aAxes.length < 2) return untraced(`${node.opType} of vectors`);
  const batch: Axis[] = [];
  for (let i = 0; i < rank - 2; i++) {
    const j = i - (rank - aAxes.length);
    batch.push(j >= 0 ? aAxes[j] : unknownAxis(outDims[i]));
  }
  if (isTraced(b.roles) && b.dims) {
    const bb = b.roles.axes;
    for (let i = 0; i < rank - 2; i++) {
      const j = i - (rank - bb.length);
      if (j >= 0 && b.dims[j] === outDims[i] && informative(bb[j]) && informative(batch[i]) && !sameAtoms(bb[j], batch[i])) {
        return untraced(`${node.opType}: its inputs disagree on the roles of axis ${i}`);
      }
      if (j >= 0 && !informative(batch[i]) && informative(bb[j])) batch[i] = bb[j];
    }
  }
  return { axes: [...batch, rowAxis, column] };
}

/**
 * Traces the roles of every tensor that depends on the image input. Tensors missing from the
 * result are constants (weights, shapes).
 *
 * @example
 * // Conv → Transpose(0,2,3,1): the transposed tensor reads [N, H, W, C].
 * const roles = traceAxisRoles({ nodes, input: { name: 'x', layout: 'NCHW' }, shapes, constantInts });
 */
export function traceAxisRoles(t: TraceInput): Map<string, Roles> {
  const roles = new Map<string, Roles>();
  const inDims = t.shapes.get(t.input.name) ?? [0, 0, 0, 0];
  const order: Role[] = t.input.layout === 'NCHW' ? ['N', 'C', 'H', 'W'] : ['N', 'H', 'W', 'C'];
  roles.set(t.input.name, { axes: order.map((r, i) => roleAxis(r, inDims[i])) });
  for (const node of t.nodes) {
    const outs = traceNode(node, roles, t);
    node.output.forEach((name, i) => {
      if (name && outs[i] !== undefined) roles.set(name, outs[i]!);
    });
  }
  return roles;
}

/** A short written form of a tensor's roles, e.g. `[N,H,W,C]`, `[N·H·W,H,W,C]` (window partition), `[N,H,W,1]` (reduced). */
export function describeRoles(roles: Roles): string {
  if (!isTraced(roles)) return `untraced (${roles.untraced})`;
  const axis = (a: Axis) => (a.reduced ? '1' : a.atoms.length === 0 ? '1' : a.atoms.map((x) => (x.role === 'H' || x.role === 'W') && x.stride !== 1 ? `${x.role}/${x.stride}` : x.role).join('·'));
  return `[${roles.axes.map(axis).join(',')}]`;
}

