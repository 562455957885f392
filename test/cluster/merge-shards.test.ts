/**
 * A merge that runs before every shard of the array is finished (a task pending, pre-empted or
 * failed) names the missing shards in one line and writes nothing; a folder of shards merges the
 * same as the list of its subfolders.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRandomCnn } from '../../src/known-answer/random.js';
import { measureToFolder } from '../../src/measure-folder.js';
import { mergeResults } from '../../src/merge.js';
import { errorLines, hasStack, requireBuild, runCli } from '../reliability/helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'equiprobe-shards-'));
const model = path.join(dir, 'random_cnn.onnx');
const shards = path.join(dir, 'shards');
const base = { model, transforms: ['rot90'], synthetic: 9, batch: 3, threads: 1, plots: false } as const;

/** A copy of the shards folder without the given shards (and with `unfinished` holding only a checkpoint). */
function partial(name: string, drop: number[], unfinished: number[] = []): string {
  const copy = path.join(dir, name);
  for (let i = 0; i < 4; i++) {
    if (drop.includes(i)) continue;
    if (unfinished.includes(i)) {
      mkdirSync(path.join(copy, String(i)), { recursive: true });
      writeFileSync(path.join(copy, String(i), 'checkpoint.json'), '{}');
    } else {
      cpSync(path.join(shards, String(i)), path.join(copy, String(i)), { recursive: true });
    }
  }
  mkdirSync(copy, { recursive: true });
  return copy;
}

beforeAll(async () => {
  writeFileSync(model, buildRandomCnn(4).bytes);
  for (let index = 0; index < 4; index++) {
    await measureToFolder({ ...base, shard: { index, count: 4 }, out: path.join(shards, String(index)) });
  }
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('merge of a whole array only', () => {
  it('a folder of shards merges like the list of its folders, and the merged config says it is no shard', async () => {
    const listed = await mergeResults([0, 1, 2, 3].map((i) => path.join(shards, String(i))), { threads: 1 });
    const folder = await mergeResults([shards], { threads: 1, expect: 4 });
    expect(folder.report.images.used).toBe(9);
    expect(folder.report.layers).toEqual(listed.report.layers);
    expect(folder.report.config.shard).toBeNull();
  }, 30_000);

  it('EXPECTED FAILURE - a missing shard is named with the task to rerun', async () => {
    const where = partial('missing-2', [2]);
    await expect(mergeResults([where], { expect: 4 })).rejects.toThrow(`Shard 2/4 missing in '${where}': rerun task 2, then merge again. Nothing was written.`);
    // Without --expect, part of an array merges (on purpose: halves merged again later).
    expect((await mergeResults([0, 1].map((i) => path.join(where, String(i))), { threads: 1 })).report.images.used).toBeLessThan(9);
  });

  it('EXPECTED FAILURE - a shard with only a checkpoint (pre-empted, not yet resumed) is named as not finished', async () => {
    const where = partial('unfinished-1', [3], [1]);
    await expect(mergeResults([where], { expect: 4 })).rejects.toThrow(
      `Shards 1, 3 of 4 missing in '${where}' (not finished: '${path.join(where, '1')}'): rerun tasks 1, 3, then merge again.`,
    );
  });

  it('EXPECTED FAILURE - an empty shards folder, another shard count, a shard given twice', async () => {
    const empty = path.join(dir, 'empty');
    mkdirSync(empty);
    await expect(mergeResults([empty], { expect: 3 })).rejects.toThrow(/^Shards 0, 1, 2 of 3 missing in '.*empty'/);
    await expect(mergeResults([shards], { expect: 16 })).rejects.toThrow(/is shard 0\/4, not one of 16 shards/);
    const one = path.join(shards, '1');
    await expect(mergeResults([one, one, path.join(shards, '0')])).rejects.toThrow(/is shard 1\/4 again/);
    await expect(mergeResults([path.join(dir, 'missing-2', '0'), path.join(dir, 'unfinished-1', '1')])).rejects.toThrow(/unfinished-1\/1' holds no finished result/);
  });

  it('EXPECTED FAILURE - the CLI names the missing shard in one line, exit 1, and writes nothing', () => {
    requireBuild();
    const where = partial('cli-missing-3', [3]);
    const out = path.join(dir, 'merged');
    const r = runCli(['merge', '--expect', '4', where, '--out', out]);
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toEqual([`equiprobe: Shard 3/4 missing in '${where}': rerun task 3, then merge again. Nothing was written.`]);
    expect(hasStack(r.stderr)).toBe(false);
    expect(existsSync(path.join(out, 'result.json'))).toBe(false);

    const ok = runCli(['merge', '--expect', '4', shards, '--out', out, '--no-plots']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(out, 'result.json'), 'utf8')).images.used).toBe(9);
  }, 60_000);
});
