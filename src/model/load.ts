import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, TensorProto_DataLocation, type ModelProto } from 'onnx-buf';
import { messages } from '../messages.js';
import { rememberBytes } from '../onnx/serialise.js';
import type { DiscoveryCacheOptions } from './discovery-cache.js';
import { fileSha256 } from './file-sha256.js';

/** A parsed ONNX model with the facts every later stage needs. */
export interface LoadedModel {
  /** Model name: the file's base name without `.onnx`. */
  readonly name: string;
  readonly path: string;
  /** SHA-256 of the graph file and every external-data file it uses. */
  readonly sha256: string;
  /** The parsed protobuf, external weights inlined. */
  readonly proto: ModelProto;
}

/**
 * Reads and parses an ONNX model file; external weight files are inlined so that the model can
 * be re-serialised with extra outputs without writing next to the user's file.
 *
 * @param file - path to a `.onnx` file
 * @param cache - where the file's SHA-256 is remembered by its identity (`cache: false`: hash it every time)
 * @returns the parsed model with its SHA-256
 * @example
 * const model = await loadModel('zoo/cnn7.onnx'); // model.name === 'cnn7'
 */
export async function loadModel(file: string, cache: DiscoveryCacheOptions = {}): Promise<LoadedModel> {
  let bytes: Uint8Array;
  const info = await stat(file, { bigint: true }).catch(() => null);
  if (info && !info.isFile()) throw new Error(messages.modelNotFile(file));
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(messages.modelMissing(file));
    throw new Error(messages.modelUnreadable(file, (err as Error).message));
  }
  const proto = parseModel(bytes, file);
  const external = await inlineExternalData(proto, path.dirname(file));
  // The identity covers the weights wherever they are stored (SPEC §1): the graph file, then each
  // external-data file in order of first use as its location, a NUL and its bytes. Without
  // external data this is the SHA-256 of the file alone, as before.
  let sha256: string;
  if (external.size === 0 && info) {
    sha256 = await fileSha256(file, info, bytes, cache);
  } else {
    const hash = createHash('sha256').update(bytes);
    for (const [location, data] of external) hash.update(`${location}\0`).update(data);
    sha256 = hash.digest('hex');
  }
  // The file's bytes still describe the model when no weights were inlined: reused when it is serialised with additions.
  if (external.size === 0) rememberBytes(proto, bytes, sha256);
  return {
    name: path.basename(file).replace(/\.onnx$/i, ''),
    path: file,
    sha256,
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

/** Inlines external weights; returns each external file's contents by location, in order of first use. */
async function inlineExternalData(proto: ModelProto, dir: string): Promise<Map<string, Buffer>> {
  const cache = new Map<string, Buffer>();
  const byLocation = new Map<string, Buffer>();
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
    if (!byLocation.has(location)) byLocation.set(location, data);
    const offset = Number(entry.offset ?? 0);
    const length = entry.length !== undefined ? Number(entry.length) : data.length - offset;
    tensor.rawData = new Uint8Array(data.subarray(offset, offset + length));
    tensor.dataLocation = TensorProto_DataLocation.DEFAULT;
    tensor.externalData = [];
  }
  return byLocation;
}
