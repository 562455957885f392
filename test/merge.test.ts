import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRandomCnn } from '../src/known-answer/random.js';
import { planVectors } from '../src/measure/vectors.js';
import { mergeResults, STATE_DIR } from '../src/merge.js';
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
function scores(report: ProbeReport): (number | null)[] {
  return [
    ...report.layers.flatMap((l) => [l.inv.mean, l.inv.std, l.eqv.mean, l.eqv.std, l.inv.defined, l.eqv.undefinedPairs, l.inv.nearConstant, l.inv.oneSided, ...l.elements.flatMap((e) => [e.inv.mean, e.eqv.mean])]),
    ...report.parts.flatMap((p) => [p.inv, p.eqv]),
  ];
}

/** Intervals, chance levels and excess of every layer and part (SPEC §4b). */
function uncertainties(report: ProbeReport): (number | null)[] {
  const of = (u: ProbeReport['parts'][number]['uncertainty']) => (['inv', 'eqv'] as const).flatMap((s) => [u![s].lo, u![s].hi, u![s].chance, u![s].above, u![s].excess]);
  return [...report.layers.flatMap((l) => of(l.uncertainty)), ...report.parts.flatMap((p) => of(p.uncertainty))];
}

function expectSame(a: (number | null)[], b: (number | null)[], digits: number) {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => (v === null || b[i] === null ? expect(v).toBe(b[i]) : expect(v).toBeCloseTo(b[i]!, digits)));
}

/** Measures shard `index` of `count` into its own result folder (result files and state/, as the CLI writes them). */
async function shard(options: MeasureOptions, index: number, count: number, name: string): Promise<string> {
  const out = path.join(dir, name);
  const { report } = await measure({ ...options, shard: { index, count }, stateDir: path.join(out, STATE_DIR) });
  await writeFilesAtomic(out, await resultFiles(report, false));
  return out;
}

describe('shards and threads (SPEC §8)', () => {
  // 10 images keep the vector probes per image. Co-moments (22 sets per element) are the smaller state
  // from 311 images on for one element (translate by 2): K = 10, 22·141·8 = 24,816 B against
  // 320·10·2·4 = 25,600 B; K = 8, 22·97·8 = 17,072 B against 320·8·2·4 = 20,480 B.
  it.each([
    [10, {}],
    [320, { transforms: ['translate'], shifts: [2] }],
  ] as const)('4 shards merged give the result of one run, vector layers included (%i images)', async (synthetic, transforms) => {
    const options: MeasureOptions = { ...base, ...transforms, synthetic };
    const whole = await measure(options);
    const elements = synthetic === 10 ? 5 : 1;
    const modes = planVectors(whole.report.probes, elements, synthetic).map((p) => p.mode);
    expect(modes.length).toBeGreaterThan(0);
    expect(new Set(modes)).toEqual(new Set([synthetic === 10 ? 'rows' : 'moments']));
    expect(Object.keys(whole.state.moments).length).toBe(synthetic === 10 ? 0 : modes.length);
    const shards = await Promise.all([0, 1, 2, 3].map((i) => shard(options, i, 4, `n${synthetic}-shard-${i}`)));
    const merged = await mergeResults(shards, { threads: 1 });
    expect(merged.report.images.used).toBe(synthetic);
    expect(merged.state.images).toBe(synthetic);
    expectSame(scores(merged.report), scores(whole.report), 9);
    // Intervals and nulls too: per-image rows, null rows, block and null co-moments do not depend on the shards.
    const u = uncertainties(whole.report);
    expect(u.filter((v) => v !== null).length).toBeGreaterThan(u.length / 2);
    if (synthetic === 320) expect(whole.report.parts.find((p) => p.part === 'Final')!.uncertainty!.eqv.lo).not.toBeNull();
    expectSame(uncertainties(merged.report), u, 9);

    // Merged results merge again: (0 + 1) + (2 + 3) is the whole run too.
    const halves = [];
    for (const [name, pair] of [['a', shards.slice(0, 2)], ['b', shards.slice(2)]] as const) {
      const out = path.join(dir, `n${synthetic}-half-${name}`);
      const { report } = await mergeResults(pair, { threads: 1, stateDir: path.join(out, STATE_DIR) });
      await writeFilesAtomic(out, await resultFiles(report, false));
      halves.push(out);
    }
    const again = (await mergeResults(halves, { threads: 1 })).report;
    expectSame(scores(again), scores(whole.report), 9);
    expectSame(uncertainties(again), uncertainties(whole.report), 9);
  }, 120_000);

  it('EXPECTED FAILURE - overlapping shards are refused', async () => {
    const first = await shard(base, 0, 4, 'again-0');
    const second = await shard(base, 0, 4, 'again-1');
    await expect(mergeResults([first, second])).rejects.toThrow(/more than one shard/);
    // Nor may a merge write into one of its shards.
    const other = await shard(base, 1, 4, 'again-2');
    await expect(mergeResults([first, other], { stateDir: path.join(other, STATE_DIR) })).rejects.toThrow(/would overwrite shard '.*again-2'\. Merge into a new folder/);
  }, 30_000);

  it('EXPECTED FAILURE - a result folder of an older equiprobe (state.json) is refused with one line', async () => {
    const out = path.join(dir, 'old');
    const { report } = await measure(base);
    await writeFilesAtomic(out, [...(await resultFiles(report, false)), { name: 'state.json', content: '{"processed":[]}' }]);
    await expect(mergeResults([out, out])).rejects.toThrow(/^'.*state\.json' was written by an older equiprobe \(a JSON checkpoint\); it cannot be resumed or merged\. Measure again \(--force replaces it\)\.$/);
  }, 30_000);

  it('1 and 2 threads give the same numbers to 1e-4, intervals and nulls included', async () => {
    const [a, b] = [(await measure(base)).report, (await measure({ ...base, threads: 2 })).report];
    const [one, two] = [[...scores(a), ...uncertainties(a)], [...scores(b), ...uncertainties(b)]];
    expect(one.length).toBe(two.length);
    one.forEach((v, i) => (v === null ? expect(two[i]).toBeNull() : expect(Math.abs(v - two[i]!)).toBeLessThan(1e-4)));
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
      expectSame(got, dynamic, 5);
    }
  }, 60_000);
});
