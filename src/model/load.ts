import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, TensorProto_DataLocation, type ModelProto } from 'onnx-buf';
import { messages } from '../messages.js';

/** A parsed ONNX model with the facts every later stage needs. */
export interface LoadedModel {
  /** Model name: the file's base name without `.onnx`. */
  readonly name: string;
  readonly path: string;
  readonly sha256: string;
  /** The parsed protobuf, external weights inlined. */
  readonly proto: ModelProto;
}

/**
 * Reads and parses an ONNX model file; external weight files are inlined so that the model can
 * be re-serialised with extra outputs without writing next to the user's file.
 *
 * @param file - path to a `.onnx` file
 * @returns the parsed model with its SHA-256
 * @example
 * const model = await loadModel('zoo/cnn7.onnx'); // model.name === 'cnn7'
 */
export async function loadModel(file: string): Promise<LoadedModel> {
  let bytes: Uint8Array;
  const info = await stat(file).catch(() => null);
  if (info && !info.isFile()) throw new Error(messages.modelNotFile(file));
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(messages.modelMissing(file));
    throw new Error(messages.modelUnreadable(file, (err as Error).message));
  }
  const proto = parseModel(bytes, file);
  await inlineExternalData(proto, path.dirname(file));
  return {
    name: path.basename(file).replace(/\.onnx$/i, ''),
    path: file,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    proto,
  };
}

/** Parses ONNX bytes; anything that is not a model with a graph is reported as "not ONNX". */
export function parseModel(bytes: Uint8Array, file = '<bytes>'): ModelProto {
  let proto: ModelProto;
  try {
    proto = fromBinary(ModelProtoSchema, bytes);
  } catch {
    throw new Error(messages.notOnnx(file));
  }
  // Random bytes sometimes parse as a protobuf; a real model has a graph with nodes and an opset.
  if (!proto.graph || proto.graph.node.length === 0 || proto.opsetImport.length === 0) {
    throw new Error(messages.notOnnx(file));
  }
  if (proto.graph.output.length === 0) throw new Error(messages.noOutput(file));
  return proto;
}

async function inlineExternalData(proto: ModelProto, dir: string): Promise<void> {
  const cache = new Map<string, Buffer>();
  for (const tensor of proto.graph?.initializer ?? []) {
    if (tensor.dataLocation !== TensorProto_DataLocation.EXTERNAL) continue;
    const entry = Object.fromEntries(tensor.externalData.map((e) => [e.key, e.value]));
    const location = entry.location ?? '';
    const file = path.resolve(dir, location);
    let data = cache.get(file);
    if (!data) {
      try {
        data = await readFile(file);
      } catch {
        throw new Error(messages.externalDataMissing(location));
      }
      cache.set(file, data);
    }
    const offset = Number(entry.offset ?? 0);
    const length = entry.length !== undefined ? Number(entry.length) : data.length - offset;
    tensor.rawData = new Uint8Array(data.subarray(offset, offset + length));
    tensor.dataLocation = TensorProto_DataLocation.DEFAULT;
    tensor.externalData = [];
  }
}
