import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { defaultCacheDir, type DiscoveryCacheOptions } from './discovery-cache.js';
import { readCached, writeCached } from '../cache/entries.js';

/**
 * A file changed this recently may change again within the clock's resolution without its change
 * time moving (git's "racy" entries): its SHA-256 is not remembered. The change time, not the
 * modification time, since no user can set it back.
 */
const RACY_MS = 2000;

/**
 * The file's identity as the file system gives it: path, device, inode, size, and modification
 * and change times in nanoseconds. Any write changes the change time, which no user can set back.
 */
export function statKey(file: string, info: BigIntStats): string {
  const parts = { format: 1, path: path.resolve(file), dev: String(info.dev), ino: String(info.ino), size: String(info.size), mtime: String(info.mtimeNs), ctime: String(info.ctimeNs) };
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

const isSha256 = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);

/**
 * The SHA-256 of `bytes`, the contents of `file` (stat `info`), remembered in the cache folder by
 * the file's identity as git's index remembers its files' hashes: a model seen before is not
 * hashed again (about 0.06 s per 100 MB). `cache: false` hashes and leaves the cache alone.
 */
export async function fileSha256(file: string, info: BigIntStats, bytes: Uint8Array, options: DiscoveryCacheOptions = {}): Promise<string> {
  const hash = () => createHash('sha256').update(bytes).digest('hex');
  if (options.cache === false) return hash();
  const dir = options.cacheDir ?? defaultCacheDir();
  const key = statKey(file, info);
  const known = await readCached(dir, key, isSha256, 'sha256');
  if (known !== null) return known;
  const sha256 = hash();
  // Remembered only for a file that had been still for a while and did not change while it was read.
  const after = await stat(file, { bigint: true }).catch(() => null);
  if (Date.now() - Number(info.ctimeMs) >= RACY_MS && after && statKey(file, after) === key) await writeCached(dir, key, sha256, 'sha256');
  return sha256;
}
