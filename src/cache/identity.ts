import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';

/**
 * A file's identity as the file system gives it, which the cache folder uses in place of hashing
 * the file again, as git's index does: a file whose identity is what it was when its SHA-256 was
 * computed still has that SHA-256. Any write changes the change time, which no user can set back.
 */

/**
 * A file changed this recently may change again within the clock's resolution without its change
 * time moving (git's "racy" entries): its identity is not trusted yet. The change time, not the
 * modification time, since no user can set it back.
 */
export const RACY_MS = 2000;

/**
 * The file's identity: path, device, inode, size, and modification and change times in
 * nanoseconds, hashed.
 */
export function statKey(file: string, info: BigIntStats): string {
  const parts = { format: 1, path: path.resolve(file), dev: String(info.dev), ino: String(info.ino), size: String(info.size), mtime: String(info.mtimeNs), ctime: String(info.ctimeNs) };
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** Whether the file last changed at least `RACY_MS` ago, so that a later change moves its change time. */
export const isSettled = (info: BigIntStats): boolean => Date.now() - Number(info.ctimeMs) >= RACY_MS;

/** A file's bytes with its identity before and after they were read (equal when it did not change meanwhile). */
export interface IdentifiedBytes {
  readonly bytes: Buffer;
  readonly before: BigIntStats;
  readonly after: BigIntStats;
}

/**
 * Reads `file` whole through one handle, with its status before and after: the bytes belong to
 * the identity `before` when `statKey` of both is the same.
 */
export async function readIdentified(file: string): Promise<IdentifiedBytes> {
  const handle = await open(file, 'r');
  try {
    const before = await handle.stat({ bigint: true });
    // One buffer of the file's size, filled by as few reads as the system allows (readFile reads in 512 KiB chunks).
    const bytes = Buffer.allocUnsafe(Number(before.size));
    let done = 0;
    while (done < bytes.length) {
      const { bytesRead } = await handle.read(bytes, done, bytes.length - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    const after = await handle.stat({ bigint: true });
    return { bytes: done === bytes.length ? bytes : bytes.subarray(0, done), before, after };
  } finally {
    await handle.close();
  }
}
