import type { ModelProto } from 'onnx-buf';

/**
 * Nodes whose output depends on the whole batch rather than on each image (SPEC §4b): a
 * BatchNormalization in training mode (`training_mode = 1`, opset 14+) normalises with the batch's
 * own statistics, so an image's "per-image" scores depend on the other images of its batch.
 *
 * @returns the names (or op types) of such nodes, in graph order
 */
export function batchDependentNodes(model: ModelProto): string[] {
  return (model.graph?.node ?? [])
    .filter((n) => n.opType === 'BatchNormalization' && n.attribute.some((a) => a.name === 'training_mode' && Number(a.i) === 1))
    .map((n) => n.name || n.opType);
}
