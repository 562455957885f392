import { create } from '@bufbuild/protobuf';
import { GraphProtoSchema, ModelProtoSchema, NodeProtoSchema, OperatorSetIdProtoSchema, type ModelProto, type NodeProto, type TensorProto } from 'onnx-buf';
import { makeTensor } from './graph.js';

/** The opset the appended metric needs: its Slice takes the overlap bounds as inputs (opset 10). */
export const METRIC_OPSET = 10;
/** The oldest opset equiprobe measures (SPEC §1). */
export const OLDEST_OPSET = 7;

/**
 * Ops whose signature or meaning changes between opset 7 and 10 in a way this upgrade does not
 * rewrite: a model using them keeps its opset and is refused, never silently changed.
 */
const NOT_UPGRADED = new Set(['Upsample', 'TopK', 'Scan', 'If', 'Loop']);

/** The model's default-domain opset. */
export function defaultOpset(model: ModelProto): number {
  return Number(model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0n);
}

/** Why a node cannot be read at opset 10 exactly as at its own opset, or null. */
function blocker(node: NodeProto, consumed: ReadonlySet<string>): string | null {
  if (NOT_UPGRADED.has(node.opType)) return node.opType;
  const spatial = node.attribute.find((a) => a.name === 'spatial');
  if (node.opType === 'BatchNormalization' && spatial && spatial.i === 0n) return 'BatchNormalization with spatial = 0';
  // Dropout's mask becomes boolean at opset 10.
  if (node.opType === 'Dropout' && node.output[1] && consumed.has(node.output[1])) return 'Dropout whose mask is used';
  return null;
}

/**
 * The model the metric is appended to (SPEC §1: opset 7 or newer). From opset 10 on it is the
 * model itself. Opsets 7–9 are upgraded to 10 where that is exact: Slice's starts/ends/axes
 * attributes become the inputs opset 10 reads, BatchNormalization's `spatial = 1` (the only
 * behaviour opset 9 kept) is dropped, and every other op of these opsets means the same at 10
 * (changes up to 10 only widen types or add attributes whose defaults are the old behaviour).
 * A model with an op that would change meaning is refused by name.
 *
 * @returns the model itself, or an upgraded copy (the original is left unchanged)
 * @throws RangeError naming the opset and the op that blocks an exact upgrade
 */
export function upgradeForMetric(model: ModelProto, tooOld: (opset: number, op?: string) => string): ModelProto {
  const opset = defaultOpset(model);
  if (opset >= METRIC_OPSET) return model;
  if (opset < OLDEST_OPSET) throw new RangeError(tooOld(opset));
  const graph = model.graph!;
  const consumed = new Set([...graph.node.flatMap((n) => n.input), ...graph.output.map((o) => o.name)]);
  const blocked = graph.node.map((n) => blocker(n, consumed)).find((b) => b !== null);
  if (blocked) throw new RangeError(tooOld(opset, blocked));
  const added: TensorProto[] = [];
  const node = graph.node.map((n, i) => {
    if (n.opType === 'BatchNormalization') return create(NodeProtoSchema, { ...n, attribute: n.attribute.filter((a) => a.name !== 'spatial') });
    if (n.opType !== 'Slice' || n.input.length > 1) return n;
    const ints = (name: string) => n.attribute.find((a) => a.name === name)?.ints.map(Number);
    const starts = ints('starts') ?? [];
    const names = [`equiprobe/upgrade/${i}/starts`, `equiprobe/upgrade/${i}/ends`];
    added.push(makeTensor(names[0], starts, [starts.length], 'int64'), makeTensor(names[1], ints('ends') ?? [], [starts.length], 'int64'));
    const axes = ints('axes');
    if (axes) {
      names.push(`equiprobe/upgrade/${i}/axes`);
      added.push(makeTensor(names[2], axes, [axes.length], 'int64'));
    }
    return create(NodeProtoSchema, { ...n, input: [n.input[0], ...names], attribute: n.attribute.filter((a) => !['starts', 'ends', 'axes'].includes(a.name)) });
  });
  return create(ModelProtoSchema, {
    ...model,
    // Opset 10 needs IR version 5.
    irVersion: model.irVersion < 5n ? 5n : model.irVersion,
    opsetImport: model.opsetImport.map((o) => (o.domain === '' || o.domain === 'ai.onnx' ? create(OperatorSetIdProtoSchema, { domain: o.domain, version: BigInt(METRIC_OPSET) }) : o)),
    graph: create(GraphProtoSchema, { ...graph, node, initializer: [...graph.initializer, ...added] }),
  });
}
