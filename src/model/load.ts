import { createHash } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { AttributeProtoSchema, GraphProtoSchema, ModelProtoSchema, NodeProtoSchema, TensorProtoSchema, TensorProto_DataLocation, type ModelProto, type TensorProto } from 'onnx-buf';
import { readCached, writeCached } from '../cache/entries.js';
import { messages } from '../messages.js';
import { parsedSha256, rememberBytes } from '../onnx/serialise.js';
import { defaultCacheDir, graphKey, type DiscoveryCacheOptions } from './discovery-cache.js';
import { fileSha256, rememberedSha256 } from './file-sha256.js';

/** A parsed ONNX model with the facts every later stage needs. */
export interface LoadedModel {
  /** Model name: the file's base name without `.onnx`. */
  readonly name: string;
  readonly path: string;
  /** SHA-256 of the graph file and every external-data file it uses. */
  readonly sha256: string;
  /**
   * The parsed protobuf, external weights inlined; from `openModel`, for a model seen before, its
   * graph only: every initializer is there, but those over `GRAPH_TENSOR_BYTES` hold no values
   * (anything that runs the model or reads its weights takes `weights()`).
   */
  readonly proto: ModelProto;
  /** The model with all its weights: `proto` itself, or for a graph only, the file read and parsed on the first call. */
  readonly weights: () => Promise<ModelProto>;
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
  let room: Uint8Array | undefined;
  const info = await stat(file, { bigint: true }).catch(() => null);
  if (info && !info.isFile()) throw new Error(messages.modelNotFile(file));
  try {
    ({ bytes, room } = await readWithRoom(file));
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
  if (external.size === 0) rememberBytes(proto, bytes, sha256, room);
  return { name: modelName(file), path: file, sha256, proto, weights: async () => proto };
}

const modelName = (file: string) => path.basename(file).replace(/\.onnx$/i, '');

/**
 * Initializers and Constant nodes up to this many bytes keep their values in a model's graph entry
 * (scalars, shapes, axes: what the graph stage reads).
 */
export const GRAPH_TENSOR_BYTES = 1024;

/** A graph entry larger than this is not stored (a graph this large is not cheaper to read than the model). */
const GRAPH_ENTRY_MAX_BYTES = 16 << 20;

/**
 * The model with the values of its initializers and Constant nodes over `GRAPH_TENSOR_BYTES` left
 * out (`model` is left unchanged).
 */
export function graphOnly(model: ModelProto): ModelProto {
  const graph = model.graph!;
  const strip = (t: TensorProto) => (tensorBytes(t) <= GRAPH_TENSOR_BYTES ? t : create(TensorProtoSchema, { name: t.name, dims: t.dims, dataType: t.dataType, docString: t.docString }));
  // Some exporters keep weights in Constant nodes rather than initializers.
  const node = graph.node.map((n) =>
    n.opType === 'Constant' && n.attribute.some((a) => a.t && tensorBytes(a.t) > GRAPH_TENSOR_BYTES)
      ? create(NodeProtoSchema, { ...n, attribute: n.attribute.map((a) => (a.t ? create(AttributeProtoSchema, { ...a, t: strip(a.t) }) : a)) })
      : n,
  );
  return create(ModelProtoSchema, { ...model, graph: create(GraphProtoSchema, { ...graph, node, initializer: graph.initializer.map(strip) }) });
}

function tensorBytes(t: TensorProto): number {
  return t.rawData.length + 4 * (t.floatData.length + t.int32Data.length) + 8 * (t.int64Data.length + t.doubleData.length + t.uint64Data.length) + t.stringData.reduce((s, b) => s + b.length, 0);
}

/** A cached graph entry: the graph-only model's protobuf, base64. */
const isGraphEntry = (value: unknown): value is string => typeof value === 'string';

/**
 * `loadModel` for a measurement: when the model was seen before (its SHA-256 remembered by the
 * file's identity and its graph in the cache folder), the model file is neither read nor parsed
 * (ResNet-50: ~0.1–0.2 s for 100 MB) and `proto` holds its graph only; `weights()` reads and parses
 * it on the first call (discovery or a scored model not in the cache), and fails when the file is
 * no longer the one whose SHA-256 the run uses. Otherwise it is `loadModel`, and the model's graph
 * is stored for the next run.
 *
 * @param file - path to a `.onnx` file
 * @param cache - the cache folder (`cache: false`: `loadModel` without storing anything)
 * @returns the model, its SHA-256, and its graph with or without the weights
 */
export async function openModel(file: string, cache: DiscoveryCacheOptions = {}): Promise<LoadedModel> {
  if (cache.cache === false) return loadModel(file, cache);
  const dir = cache.cacheDir ?? defaultCacheDir();
  const info = await stat(file, { bigint: true }).catch(() => null);
  const sha256 = info?.isFile() ? await rememberedSha256(file, info, cache) : null;
  const stored = sha256 === null ? null : await readCached(dir, graphKey(sha256), isGraphEntry, 'graph');
  if (sha256 !== null && stored !== null) {
    let proto: ModelProto | null = null;
    try {
      proto = parseModel(Buffer.from(stored, 'base64'), file);
    } catch {
      // a damaged entry: load the model, which rewrites it
    }
    if (proto) {
      let full: Promise<ModelProto> | null = null;
      const weights = () =>
        (full ??= loadModel(file, cache).then((loaded) => {
          if (loaded.sha256 !== sha256) throw new Error(messages.modelChanged(file));
          return loaded.proto;
        }));
      return { name: modelName(file), path: file, sha256, proto, weights };
    }
  }
  const loaded = await loadModel(file, cache);
  // Only a model without external data: its SHA-256 alone is remembered by the file's identity.
  if (parsedSha256(loaded.proto) !== undefined) {
    const graph = toBinary(ModelProtoSchema, graphOnly(loaded.proto));
    if (graph.length <= GRAPH_ENTRY_MAX_BYTES) await writeCached(dir, graphKey(loaded.sha256), Buffer.from(graph).toString('base64'), 'graph');
  }
  return loaded;
}

/**
 * Room left after a model's bytes for what scored models append to it (src/onnx/serialise.ts):
 * ResNet-50's default probe set appends about 0.5 MB. Pages never written cost nothing.
 */
const roomAfter = (size: number) => (4 << 20) + Math.ceil(size / 16);

/**
 * The file's bytes, read into a buffer of this function's own with `roomAfter` bytes to spare
 * after them (`room`: the whole buffer), so that a scored model built from them need not copy them.
 */
async function readWithRoom(file: string): Promise<{ bytes: Uint8Array; room: Uint8Array }> {
  const handle = await open(file, 'r');
  try {
    const size = Number((await handle.stat()).size);
    // Not pooled (allocUnsafeSlow): the room after the bytes belongs to this buffer alone.
    let room: Uint8Array = Buffer.allocUnsafeSlow(size + roomAfter(size));
    let done = 0;
    for (;;) {
      if (done === room.length) {
        const larger = Buffer.allocUnsafeSlow(2 * room.length);
        larger.set(room);
        room = larger;
      }
      const { bytesRead } = await handle.read(room, done, room.length - done, null);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return { bytes: room.subarray(0, done), room };
  } finally {
    await handle.close();
  }
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
