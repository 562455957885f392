import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { fileURLToPath } from 'node:url';
import { entryFile, readCached, writeCached } from '../cache/entries.js';
import { isSettled, readIdentified, statKey } from '../cache/identity.js';
import { toolVersion } from '../version.js';
import { createSession, sessionOptions, type RuntimeOptions } from './session.js';

/**
 * The optimised scored models kept between runs, beside the discovery cache (same folder):
 * onnxruntime's own optimisation of a scored model (graph rewrites, NCHWc layouts) is saved in
 * ORT format once and later opened with optimisation disabled and its bytes used in place, which
 * skips rebuilding the graph's optimisation on every run. The saved graph is specific to the CPU
 * it was optimised on (onnxruntime says so), hence the CPU in the key.
 */

/** Most bytes of scored-model entries kept; the least recently used go first (ResNet-50: ~100 MB each). */
export const SESSION_CACHE_MAX_BYTES = 1 << 30;

/** Session-option entries that make onnxruntime use a cached ORT-format model's bytes in place. */
const BYTES_IN_PLACE = { use_ort_model_bytes_directly: '1', use_ort_model_bytes_for_initializers: '1' };

let cpu: string | null = null;

/** The CPU the optimised graph was made for: model name and feature flags (Linux), else the model name. */
export function cpuIdentity(): string {
  if (cpu === null) {
    let text = '';
    try {
      // The first processor's block: its model and flags decide which kernels and layouts onnxruntime picks.
      text = readFileSync('/proc/cpuinfo', 'utf8').split(/\n\s*\n/)[0];
    } catch {
      // not Linux
    }
    const lines = text.split('\n').filter((l) => /^(vendor_id|cpu family|model|model name|flags|Features|CPU implementer|CPU part)\s*:/.test(l));
    cpu = createHash('sha256').update(`${os.arch()}\0${os.cpus()[0]?.model ?? ''}\0${lines.join('\n')}`).digest('hex');
  }
  return cpu;
}

let codeHash: string | null = null;

/**
 * SHA-256 of the code that builds scored models (src/scored-models/, src/onnx/): during development
 * the version stays the same while the appended graph changes, and an entry built by other code
 * must never be opened.
 */
function graphCodeHash(): string {
  if (codeHash === null) {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const hash = createHash('sha256');
    for (const folder of ['scored-models', 'onnx']) {
      const dir = path.join(here, '..', folder);
      for (const file of readdirSync(dir).filter((f) => /\.(js|ts)$/.test(f)).sort()) hash.update(`${folder}/${file}\0`).update(readFileSync(path.join(dir, file)));
    }
    codeHash = hash.digest('hex');
  }
  return codeHash;
}

/**
 * Everything an optimised scored model depends on: the model (its SHA-256), what was appended to
 * it (`graph`: which scored model and the plan it was built for) and the code that appends it, the
 * onnxruntime and equiprobe versions, the CPU, and the session options that shape the graph.
 * Keyed by what the graph is built from rather than by its bytes, a cached model opens without
 * building the graph or copying the weights.
 *
 * @param model - the model's SHA-256, or for a model without one, the SHA-256 of the scored
 *   model's own bytes (which then name the appended graph too)
 */
export function sessionKey(model: string, graph: unknown, runtime: RuntimeOptions): string {
  const options = sessionOptions(runtime);
  const parts = {
    format: 1,
    equiprobe: toolVersion(),
    code: graphCodeHash(),
    onnxruntime: ort.env.versions?.common ?? 'unknown',
    cpu: cpuIdentity(),
    model,
    graph,
    options: { level: options.graphOptimizationLevel, threads: options.intraOpNumThreads, providers: options.executionProviders },
  };
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

const modelFile = (dir: string, key: string) => path.join(dir, `scored-${key}.ort`);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * The cache entry beside a scored model: its size and SHA-256, and the identity of the file that
 * has them (`statKey`), when known: a file of that identity is not hashed again.
 */
interface ModelChecksum {
  readonly size: number;
  readonly sha256: string;
  readonly identity?: string;
}
const isModelChecksum = (value: unknown): value is ModelChecksum =>
  typeof value === 'object' && value !== null && typeof (value as ModelChecksum).size === 'number' && typeof (value as ModelChecksum).sha256 === 'string' &&
  ['undefined', 'string'].includes(typeof (value as ModelChecksum).identity);

/** A session opened from the cache, with the bytes it uses in place (they must outlive it). */
export interface CachedSession {
  readonly session: ort.InferenceSession;
  readonly bytes: Uint8Array;
}

/**
 * The bytes of the cached model for `key` when they are the ones its entry describes, else null.
 * A file whose identity is the one recorded is trusted without hashing its ~100 MB (as the model's
 * own SHA-256 is, src/model/file-sha256.ts); any other is hashed, and when it matches and has been
 * still for a while its identity is recorded for the next run.
 */
async function readVerified(dir: string, key: string, entry: ModelChecksum): Promise<Buffer | null> {
  const file = modelFile(dir, key);
  const { bytes, before, after } = await readIdentified(file);
  if (bytes.length !== entry.size) return null;
  const identity = statKey(file, before);
  const still = identity === statKey(file, after);
  if (still && entry.identity === identity) return bytes;
  if (entry.sha256 !== sha256(bytes)) return null;
  if (still && isSettled(before)) await writeCached(dir, key, { size: entry.size, sha256: entry.sha256, identity }, 'scored');
  return bytes;
}

/**
 * The bytes of the cached optimised model for `key`, or null when there is none or it cannot be
 * trusted (missing, size or checksum not as recorded, written for another key). Reading runs on
 * libuv's threads: started for every scored model at once, the reads overlap onnxruntime opening
 * the one before (which blocks the main thread).
 */
export async function readCachedModel(dir: string, key: string): Promise<Buffer | null> {
  const entry = await readCached(dir, key, isModelChecksum, 'scored');
  return entry === null ? null : readVerified(dir, key, entry).catch(() => null);
}

/**
 * Opens the cached optimised model for `key`, or returns null when there is none or it cannot be
 * trusted (see `readCachedModel`, or refused by onnxruntime).
 */
export async function openCachedSession(dir: string, key: string, runtime: RuntimeOptions): Promise<CachedSession | null> {
  const bytes = await readCachedModel(dir, key);
  return bytes === null ? null : openCachedBytes(dir, key, bytes, runtime);
}

/**
 * Opens bytes from `readCachedModel`, or returns null when onnxruntime refuses them. A used
 * entry's time (its checksum file's) is renewed, so the cache keeps the most recently used; the
 * model file itself is left alone, as its times are part of its identity.
 */
export async function openCachedBytes(dir: string, key: string, bytes: Buffer, runtime: RuntimeOptions): Promise<CachedSession | null> {
  try {
    const session = await createSession(bytes, runtime, { graphOptimizationLevel: 'disabled', extra: { session: BYTES_IN_PLACE } });
    const now = new Date();
    await utimes(entryFile(dir, key, 'scored'), now, now).catch(() => undefined);
    return { session, bytes };
  } catch {
    return null;
  }
}

/** How long a freshly written model's identity waits to be recorded: longer than the file system's clock tick. */
const TICK_MS = 20;

/**
 * The identity of a model file this process has just written, once a later change could no longer
 * keep its change time: after `TICK_MS`, on a file system with sub-second times. Null when the file
 * changed meanwhile or its times are whole seconds (the next run then hashes it and records it).
 */
async function freshIdentity(file: string): Promise<string | null> {
  const info = await stat(file, { bigint: true });
  if (info.ctimeNs % 1_000_000_000n === 0n) return null;
  const wait = Number(info.ctimeMs) + TICK_MS - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const identity = statKey(file, info);
  return statKey(file, await stat(file, { bigint: true })) === identity ? identity : null;
}

/**
 * Optimises `bytes` as a session would and stores the result for `key`: the model is written
 * (ORT format) to a temporary file and renamed into place, then its size, checksum and identity as
 * the cache's JSON entry (src/cache/entries.ts) — the model first, so a reader meeting a new model
 * with an old checksum ignores it. Then the oldest
 * entries beyond `SESSION_CACHE_MAX_BYTES` are deleted. A cache that cannot be written only
 * costs time on the next run, so failures are ignored.
 */
export async function writeCachedSession(dir: string, key: string, bytes: Uint8Array, runtime: RuntimeOptions): Promise<void> {
  const tmp = path.join(dir, `.scored-${key}.${process.pid}.${randomBytes(4).toString('hex')}.tmp.ort`);
  try {
    await mkdir(dir, { recursive: true });
    const session = await createSession(bytes, runtime, { optimizedModelFilePath: tmp, extra: { session: { save_model_format: 'ORT' } } });
    await session.release();
    const saved = await readFile(tmp);
    await rename(tmp, modelFile(dir, key));
    const identity = await freshIdentity(modelFile(dir, key));
    await writeCached(dir, key, { size: saved.length, sha256: sha256(saved), ...(identity ? { identity } : {}) }, 'scored');
    await pruneSessionCache(dir, SESSION_CACHE_MAX_BYTES, modelFile(dir, key));
  } catch {
    await rm(tmp, { force: true }).catch(() => undefined);
  }
}

/**
 * Deletes the least recently used scored-model entries until those left take at most `maxBytes`
 * (`keep`, the entry just written, always stays). An entry was last used when its checksum file
 * was last written or renewed (the model file's own time when that file is missing).
 */
export async function pruneSessionCache(dir: string, maxBytes: number, keep?: string): Promise<void> {
  const keys = (await readdir(dir)).flatMap((f) => /^scored-([0-9a-f]{64})\.ort$/.exec(f)?.[1] ?? []);
  const entries = (
    await Promise.all(
      keys.map(async (key) => {
        const info = await stat(modelFile(dir, key)).catch(() => null);
        const used = (await stat(entryFile(dir, key, 'scored')).catch(() => info))?.mtimeMs ?? 0;
        return { key, file: modelFile(dir, key), info, used };
      }),
    )
  )
    .flatMap(({ key, file, info, used }) => (info ? [{ key, size: info.size, used: file === keep ? Infinity : used }] : []))
    .sort((a, b) => b.used - a.used);
  let total = 0;
  for (const { key, size, used } of entries) {
    total += size;
    if (total > maxBytes && used !== Infinity) {
      await rm(modelFile(dir, key), { force: true });
      await rm(entryFile(dir, key, 'scored'), { force: true });
    }
  }
}
