import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRandomCnn } from '../probes/random.js';
import { mergeResults } from '../src/merge.js';
import { measure, type MeasureOptions } from '../src/pipeline.js';
import { writeFilesAtomic } from '../src/report/atomic.js';
import { resultFiles } from '../src/report/write.js';
import type { ProbeReport } from '../src/types.js';
import { tinyCnn } from './reliability/helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'equiprobe-merge-'));
const model = path.join(dir, 'random_cnn.onnx');
writeFileSync(model, buildRandomCnn(3).bytes);
const base: MeasureOptions = { model, transforms: ['rot90', 'translate'], shifts: [2, 5], synthetic: 10, batch: 3, threads: 1 };

/** Every number of a report that must not depend on sharding or threads. */
function scores(report: ProbeReport): number[] {
  // A null score (no defined pair) must stay null: it becomes a sentinel no real score can equal.
  return [
    ...report.layers.flatMap((l) => [l.inv.mean, l.inv.std, l.eqv.mean, l.eqv.std, l.inv.defined, l.eqv.undefinedPairs, l.inv.nearConstant, l.inv.oneSided, ...l.elements.flatMap((e) => [e.inv.mean, e.eqv.mean])]),
    ...report.parts.flatMap((p) => [p.inv, p.eqv]),
  ].map((v) => v ?? -999);
}

describe('shards and threads (SPEC §8)', () => {
  it('4 shards merged give the result of one run, vector layers included', async () => {
    const whole = await measure(base);
    const shardDirs: string[] = [];
    for (let index = 0; index < 4; index++) {
      const { report, state } = await measure({ ...base, shard: { index, count: 4 } });
      const out = path.join(dir, `shard-${index}`);
      await writeFilesAtomic(out, await resultFiles(report, state, false));
      shardDirs.push(out);
    }
    const merged = await mergeResults(shardDirs, { threads: 1 });
    expect(merged.state.processed).toEqual(whole.state.processed);
    expect(merged.report.images.used).toBe(10);
    const [a, b] = [scores(merged.report), scores(whole.report)];
    expect(a.length).toBe(b.length);
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 9));
  }, 60_000);

  it('EXPECTED FAILURE - overlapping shards are refused', async () => {
    const out = path.join(dir, 'again');
    const { report, state } = await measure({ ...base, shard: { index: 0, count: 4 } });
    await writeFilesAtomic(out, await resultFiles(report, state, false));
    await expect(mergeResults([out, path.join(dir, 'shard-0')])).rejects.toThrow(/more than one shard/);
  }, 30_000);

  it('1 and 2 threads give the same numbers to 1e-4', async () => {
    const one = scores((await measure(base)).report);
    const two = scores((await measure({ ...base, threads: 2 })).report);
    one.forEach((v, i) => expect(Math.abs(v - two[i])).toBeLessThan(1e-4));
  }, 60_000);

  it('a fixed-batch export (batch 1 or 4, last chunk padded) gives the result of the dynamic-batch model', async () => {
    const export_ = (batch: number | 'N') => {
      const file = path.join(dir, `tiny-${batch}.onnx`);
      writeFileSync(file, tinyCnn({ batch }).toBytes());
      return file;
    };
    const options = { ...base, transforms: ['rot90', 'translate', 'hflip'] as const, synthetic: 6, batch: 4 };
    const dynamic = scores((await measure({ ...options, model: export_('N') })).report);
    for (const fixed of [1, 4]) {
      const got = scores((await measure({ ...options, model: export_(fixed) })).report);
      expect(got.length).toBe(dynamic.length);
      got.forEach((v, i) => expect(v).toBeCloseTo(dynamic[i], 5));
    }
  }, 60_000);
});
