/**
 * The cache of optimised scored models: a run of a model seen before opens the stored ORT-format
 * model and gives the very same numbers; an entry is used only for its own key, a damaged one is
 * ignored and rewritten, and the folder stays within its size bound.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { writeCached } from '../../src/cache/entries.js';
import { statKey } from '../../src/cache/identity.js';
import { createSession } from '../../src/forward/session.js';
import { openCachedSession, pruneSessionCache, sessionKey, writeCachedSession } from '../../src/forward/session-cache.js';
import { buildRandomCnn } from '../../src/known-answer/random.js';
import { measure } from '../../src/pipeline.js';

const work = mkdtempSync(path.join(tmpdir(), 'equiprobe-session-cache-test-'));
const model = path.join(work, 'random.onnx');
writeFileSync(model, buildRandomCnn(3).bytes);
const bytes = readFileSync(model);
const runtime = { threads: 1 };

const entries = (dir: string) => readdirSync(dir).filter((f) => /^scored-.*\.ort$/.test(f)).sort();

/** The model's outputs for a fixed input, as plain arrays. */
async function outputs(session: ort.InferenceSession): Promise<number[][]> {
  const meta = session.inputMetadata[0] as { name: string; shape: readonly (number | string)[] };
  const dims = meta.shape.map((d, i) => (i === 0 ? 2 : Number(d)));
  const size = dims.reduce((a, b) => a * b, 1);
  const result = await session.run({ [meta.name]: new ort.Tensor('float32', Float32Array.from({ length: size }, (_, i) => Math.sin(i * 0.37)), dims) });
  return session.outputNames.map((n) => Array.from(result[n].data as Float32Array));
}

describe('optimised scored-model cache', () => {
  it('stores an entry that opens with the same outputs as the model itself; another key finds nothing', async () => {
    const dir = mkdtempSync(path.join(work, 'entry-'));
    const key = sessionKey('model-sha', { model: 'plain' }, runtime);
    expect(await openCachedSession(dir, key, runtime)).toBeNull();
    await writeCachedSession(dir, key, bytes, runtime);
    expect(entries(dir)).toEqual([`scored-${key}.ort`]);
    const cached = await openCachedSession(dir, key, runtime);
    expect(cached).not.toBeNull();
    const direct = await createSession(bytes, runtime);
    expect(await outputs(cached!.session)).toEqual(await outputs(direct));
    await cached!.session.release();
    await direct.release();
    expect(await openCachedSession(dir, sessionKey('other-sha', { model: 'plain' }, runtime), runtime)).toBeNull();
  });

  it('the key changes with the model, the appended graph, the threads and the device', () => {
    const keys = new Set([
      sessionKey('a', { model: 'originalModel' }, runtime),
      sessionKey('b', { model: 'originalModel' }, runtime),
      sessionKey('a', { model: 'permutationModel' }, runtime),
      sessionKey('a', { model: 'originalModel' }, { threads: 2 }),
      sessionKey('a', { model: 'originalModel' }, { ...runtime, device: 'cuda' }),
    ]);
    expect(keys.size).toBe(5);
  });

  it('a damaged entry is ignored, and writing again repairs it', async () => {
    const dir = mkdtempSync(path.join(work, 'damaged-'));
    const key = sessionKey('model-sha', { model: 'damaged' }, runtime);
    await writeCachedSession(dir, key, bytes, runtime);
    const file = path.join(dir, `scored-${key}.ort`);
    const good = readFileSync(file);
    const bad = Buffer.from(good);
    bad[bad.length - 9] ^= 0xff;
    writeFileSync(file, bad);
    expect(await openCachedSession(dir, key, runtime)).toBeNull();
    writeFileSync(file, good.subarray(0, good.length - 1));
    expect(await openCachedSession(dir, key, runtime)).toBeNull();
    await writeCachedSession(dir, key, bytes, runtime);
    const repaired = await openCachedSession(dir, key, runtime);
    expect(repaired).not.toBeNull();
    await repaired!.session.release();
  });

  it('a model file of the recorded identity is not hashed; any change to it is, and a match is trusted again', async () => {
    const dir = mkdtempSync(path.join(work, 'identity-'));
    const key = sessionKey('model-sha', { model: 'identity' }, runtime);
    await writeCachedSession(dir, key, bytes, runtime);
    const file = path.join(dir, `scored-${key}.ort`);
    const checksum = path.join(dir, `scored-${key}.json`);
    const entry = JSON.parse(readFileSync(checksum, 'utf8')) as { payload: string };
    const recorded = JSON.parse(entry.payload) as { size: number; sha256: string; identity?: string };
    expect(recorded.identity).toBe(statKey(file, statSync(file, { bigint: true })));
    // A wrong checksum under the file's own identity still opens: the identity alone was checked.
    await writeCached(dir, key, { ...recorded, sha256: '0'.repeat(64) }, 'scored');
    const trusted = await openCachedSession(dir, key, runtime);
    expect(trusted).not.toBeNull();
    await trusted!.session.release();
    // The same bytes written again (a new change time): hashed, and they match the checksum.
    await writeCached(dir, key, recorded, 'scored');
    writeFileSync(file, readFileSync(file));
    const hashed = await openCachedSession(dir, key, runtime);
    expect(hashed).not.toBeNull();
    await hashed!.session.release();
    // Changed within the last 2 s: its identity is not recorded yet.
    expect((JSON.parse((JSON.parse(readFileSync(checksum, 'utf8')) as { payload: string }).payload) as { identity?: string }).identity).toBe(recorded.identity);
    // Still changed under a checksum that does not match: ignored.
    await writeCached(dir, key, { ...recorded, sha256: '0'.repeat(64) }, 'scored');
    expect(await openCachedSession(dir, key, runtime)).toBeNull();
  });

  it('pruning deletes the least recently used entries beyond the bound, never the one just written', async () => {
    const dir = mkdtempSync(path.join(work, 'prune-'));
    const names = ['a', 'b', 'c', 'd'].map((c) => `scored-${c.repeat(64)}.ort`);
    names.forEach((name, i) => {
      writeFileSync(path.join(dir, name), new Uint8Array(100));
      writeFileSync(path.join(dir, name.replace('.ort', '.json')), '{}');
      // a oldest … d newest: an entry's use is its checksum file's time
      utimesSync(path.join(dir, name.replace('.ort', '.json')), 1000 + i, 1000 + i);
    });
    // Keep a (the oldest) as if just written: then d and c fit in 300 bytes beside it, b goes.
    await pruneSessionCache(dir, 300, path.join(dir, names[0]));
    expect(entries(dir)).toEqual([names[0], names[2], names[3]]);
    expect(readdirSync(dir)).not.toContain(names[1].replace('.ort', '.json'));
    await pruneSessionCache(dir, 100);
    expect(entries(dir)).toEqual([names[3]]);
  });

  it('measure gives the same numbers from cached scored models as without the cache (rot90 and translate)', async () => {
    const dir = mkdtempSync(path.join(work, 'measure-'));
    const options = { model, transforms: ['rot90', 'translate'] as const, shifts: [1, 3], synthetic: 6, threads: 1, cacheDir: dir };
    const plain = await measure({ ...options, cache: false });
    expect(readdirSync(dir)).toEqual([]);
    const first = await measure(options);
    // The original model and the permutation and shift models.
    expect(entries(dir)).toHaveLength(3);
    // A miss always writes the checksum file anew (a new file renamed into place); a hit only renews its time.
    const checksums = () => entries(dir).map((f) => statSync(path.join(dir, f.replace('.ort', '.json')), { bigint: true }).ino);
    const written = checksums();
    const second = await measure(options);
    expect(checksums()).toEqual(written);
    // No temporary file left behind.
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
    // A damaged entry: that scored model is built and optimised again, the run's numbers stay, and the entry is rewritten.
    const damaged = path.join(dir, entries(dir)[0]);
    const bad = readFileSync(damaged);
    bad[bad.length >> 1] ^= 0xff;
    writeFileSync(damaged, bad);
    const third = await measure(options);
    const after = checksums();
    expect(after[0]).not.toEqual(written[0]);
    expect(after.slice(1)).toEqual(written.slice(1));
    for (const run of [first, second, third]) {
      expect(run.report.layers).toEqual(plain.report.layers);
      expect(run.report.parts).toEqual(plain.report.parts);
    }
  }, 60_000);
});
