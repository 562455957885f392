import type { ModelProto, ValueInfoProto } from 'onnx-buf';
import { TensorProto_DataType } from 'onnx-buf';
import { messages } from '../messages.js';
import { OptionError } from '../option-error.js';
import type { InputInfo } from '../types.js';

type Dim = number | null;

function dimsOf(info: ValueInfoProto): Dim[] | null {
  const type = info.type?.value;
  if (type?.case !== 'tensorType' || !type.value.shape) return null;
  return type.value.shape.dim.map((d) => (d.value.case === 'dimValue' ? Number(d.value.value) : null));
}

/** Most input values one forward pass may take (2^28 float32 = 1 GiB); beyond it the shape is surely wrong. */
const MAX_INPUT_VALUES = 2 ** 28;

function isFloatTensor(info: ValueInfoProto): boolean {
  const type = info.type?.value;
  return type?.case === 'tensorType' && [TensorProto_DataType.FLOAT, TensorProto_DataType.FLOAT16].includes(type.value.elemType);
}

/**
 * Finds the model's one image input (SPEC §1): the required inputs are those without an
 * initializer; exactly one must be a 4-D float tensor. NHWC is detected when the last dim is 1 or 3
 * and the second is not.
 *
 * @param proto - parsed model
 * @param file - model path, for messages
 * @param size - spatial size to use when the model's is dynamic (`--size`)
 * @param layout - force the layout instead of detecting it
 * @returns the input's name, layout, channels, size and fixed batch (or null when dynamic)
 */
export function detectInput(proto: ModelProto, file: string, size?: number, layout?: 'NCHW' | 'NHWC'): InputInfo {
  const graph = proto.graph!;
  const initialized = new Set(graph.initializer.map((t) => t.name));
  const required = graph.input.filter((i) => !initialized.has(i.name));
  if (required.length > 1) throw new Error(messages.twoRequiredInputs(required.map((i) => i.name)));
  const input = required[0];
  const dims = input ? dimsOf(input) : null;
  if (!input || !dims || dims.length !== 4 || !isFloatTensor(input)) throw new Error(messages.noImageInput(file));
  // onnxruntime rejects such a shape too, but a batch of 0 would make our batching loop spin.
  if (dims.some((d) => d !== null && d <= 0)) throw new RangeError(messages.badInputShape(input.name, dims.map((d) => d ?? '?')));
  const nhwc = layout ? layout === 'NHWC' : (dims[3] === 1 || dims[3] === 3) && dims[1] !== 1 && dims[1] !== 3;
  const [c, h, w] = nhwc ? [dims[3], dims[1], dims[2]] : [dims[1], dims[2], dims[3]];
  if ((h === null || w === null) && !size) throw new OptionError((o) => messages.dynamicSize(o, input.name));
  const info: InputInfo = {
    name: input.name,
    layout: nhwc ? 'NHWC' : 'NCHW',
    channels: c ?? 3,
    height: h ?? size!,
    width: w ?? size!,
    fixedBatch: dims[0],
  };
  if ((info.fixedBatch ?? 1) * info.channels * info.height * info.width > MAX_INPUT_VALUES) {
    throw new RangeError(messages.inputTooLarge(info.name, [info.fixedBatch ?? 'N', ...(nhwc ? [info.height, info.width, info.channels] : [info.channels, info.height, info.width])]));
  }
  return info;
}
