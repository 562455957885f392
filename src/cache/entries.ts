import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The JSON entries of equiprobe's cache folder (src/model/discovery-cache.ts says where it is):
 * one file per key, holding the key and a checksummed payload, written atomically. The discovery
 * pass's results, model SHA-256s, models' graphs and the checksums of the optimised scored models
 * (src/forward/session-cache.ts) are all kept this way.
 */

/** What an entry holds, which names its file (`discovery-<key>.json`, `sha256-<key>.json`, `scored-<key>.json`, `graph-<key>.json`). */
export type EntryKind = 'discovery' | 'sha256' | 'scored' | 'graph';

/** The file of the entry for `key`. */
export const entryFile = (dir: string, key: string, kind: EntryKind): string => path.join(dir, `${kind}-${key}.json`);
const checksum = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The cached value for `key`, or null when there is none or it cannot be trusted: unreadable,
 * not JSON, written for another key, or with a payload that fails its checksum or `valid`.
 */
export async function readCached<T>(dir: string, key: string, valid: (value: unknown) => value is T, kind: EntryKind = 'discovery'): Promise<T | null> {
  try {
    const entry = JSON.parse(await readFile(entryFile(dir, key, kind), 'utf8')) as { key?: unknown; sha256?: unknown; payload?: unknown };
    if (entry.key !== key || typeof entry.payload !== 'string' || entry.sha256 !== checksum(entry.payload)) return null;
    const value: unknown = JSON.parse(entry.payload);
    return valid(value) ? value : null;
  } catch {
    return null;
  }
}

/**
 * Stores `value` for `key`, atomically (a temporary file renamed over the entry, so a reader sees
 * the old entry or the new one, never half of one). A cache that cannot be written only costs
 * time on the next run, so write failures are ignored.
 */
export async function writeCached(dir: string, key: string, value: unknown, kind: EntryKind = 'discovery'): Promise<void> {
  const payload = JSON.stringify(value);
  const tmp = path.join(dir, `.${kind}-${key}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(tmp, JSON.stringify({ key, sha256: checksum(payload), payload }));
    await rename(tmp, entryFile(dir, key, kind));
  } catch {
    await rm(tmp, { force: true }).catch(() => undefined);
  }
}
