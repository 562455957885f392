/**
 * A model file's SHA-256 is remembered by its identity (path, inode, size, times), as git's index
 * does: a file seen before is not hashed again, and any change to it is hashed anew.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCached } from '../../src/cache/entries.js';
import { statKey } from '../../src/cache/identity.js';
import { loadModel } from '../../src/model/load.js';
import { buildRandomCnn } from '../../src/known-answer/random.js';

const work = mkdtempSync(path.join(tmpdir(), 'equiprobe-sha-test-'));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const planted = 'f'.repeat(64);

/** Writes an entry claiming that `file`, as it is now, has the SHA-256 `planted`: a result carrying it came from the cache. */
const plant = (dir: string, file: string) => writeCached(dir, statKey(file, statSync(file, { bigint: true })), planted, 'sha256');

describe('model SHA-256 remembered by file identity', () => {
  it('a file still for 2 s is remembered; the next load reads the entry; --no-cache hashes', async () => {
    const dir = mkdtempSync(path.join(work, 'seen-'));
    const file = path.join(dir, 'model.onnx');
    writeFileSync(file, buildRandomCnn(1).bytes);
    await new Promise((r) => setTimeout(r, 2100));
    expect((await loadModel(file, { cacheDir: dir })).sha256).toBe(sha256(readFileSync(file)));
    expect(readdirSync(dir).filter((f) => f.startsWith('sha256-'))).toHaveLength(1);
    await plant(dir, file);
    expect((await loadModel(file, { cacheDir: dir })).sha256).toBe(planted);
    expect((await loadModel(file, { cacheDir: dir, cache: false })).sha256).toBe(sha256(readFileSync(file)));
  });

  it('a file changed in the last 2 s is hashed and not remembered', async () => {
    const dir = mkdtempSync(path.join(work, 'racy-'));
    const file = path.join(dir, 'model.onnx');
    writeFileSync(file, buildRandomCnn(2).bytes);
    expect((await loadModel(file, { cacheDir: dir })).sha256).toBe(sha256(readFileSync(file)));
    expect(readdirSync(dir).filter((f) => f.startsWith('sha256-'))).toEqual([]);
  });

  it('rewriting the file (same size, new weights) changes its identity, so the old entry is not used', async () => {
    const dir = mkdtempSync(path.join(work, 'changed-'));
    const file = path.join(dir, 'model.onnx');
    writeFileSync(file, buildRandomCnn(3).bytes);
    await plant(dir, file);
    const other = buildRandomCnn(4).bytes;
    expect(other.length).toBe(statSync(file).size);
    writeFileSync(file, other);
    expect((await loadModel(file, { cacheDir: dir })).sha256).toBe(sha256(other));
  });
});
