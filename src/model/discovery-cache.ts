import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { toolVersion } from '../version.js';
import type { InputInfo } from '../types.js';

/**
 * Where what a run learns about a model is kept between runs: the discovery pass's result, the
 * model file's SHA-256 (src/model/file-sha256.ts), its graph without the weights
 * (src/model/load.ts) and the optimised scored models (src/forward/session-cache.ts). Library
 * options; the CLI has `--no-cache`.
 */
export interface DiscoveryCacheOptions {
  /** false: always run the discovery pass, hash the model, build and optimise the scored models, and leave the cache alone (default true). */
  readonly cache?: boolean;
  /** Cache folder (default: `$EQUIPROBE_CACHE_DIR`, else `$XDG_CACHE_HOME/equiprobe`, else `~/.cache/equiprobe`). */
  readonly cacheDir?: string;
}

/** The user cache folder: `EQUIPROBE_CACHE_DIR`, else the XDG cache home's `equiprobe`, else `~/.cache/equiprobe`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.EQUIPROBE_CACHE_DIR) return env.EQUIPROBE_CACHE_DIR;
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'equiprobe');
}

let codeHash: string | null = null;

/**
 * SHA-256 of the model stage's own code (this folder's files): during development the version
 * stays the same while discovery changes, and an entry written by other code must never be read.
 */
function discoveryCodeHash(): string {
  if (codeHash === null) {
    const dir = path.dirname(fileURLToPath(import.meta.url));
    const hash = createHash('sha256');
    for (const file of readdirSync(dir).filter((f) => /\.(js|ts)$/.test(f)).sort()) hash.update(`${file}\0`).update(readFileSync(path.join(dir, file)));
    codeHash = hash.digest('hex');
  }
  return codeHash;
}

/**
 * Everything the discovery result depends on: the model's bytes (SHA-256 with its external data),
 * the detected input (name, layout, size, fixed batch: `--size` and `--layout` change it), the
 * equiprobe version and discovery code, and the onnxruntime that computed the shapes.
 */
export function discoveryKey(sha256: string, input: InputInfo): string {
  const parts = {
    format: 1,
    equiprobe: toolVersion(),
    code: discoveryCodeHash(),
    onnxruntime: ort.env.versions?.common ?? 'unknown',
    model: sha256,
    input: { name: input.name, layout: input.layout, channels: input.channels, height: input.height, width: input.width, fixedBatch: input.fixedBatch },
  };
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/**
 * The key of a model's graph entry (src/model/load.ts `openModel`): the model's SHA-256, the
 * equiprobe version and the model stage's code (which decides what the entry keeps).
 */
export function graphKey(sha256: string): string {
  const parts = { format: 1, equiprobe: toolVersion(), code: discoveryCodeHash(), model: sha256 };
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}
