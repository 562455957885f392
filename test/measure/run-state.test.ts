import { appendFileSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FILE_COLUMN, PAIR_COLUMN, RunState, STATE_VERSION } from '../../src/measure/run-state.js';
import { emptyCoMoments } from '../../src/scores/co-moments.js';
import type { MeasureState } from '../../src/scores/state.js';

const fresh = () => path.join(mkdtempSync(path.join(tmpdir(), 'equiprobe-runstate-')), 'state');

function state(): MeasureState {
  const m = emptyCoMoments(3, true);
  m.n = 5;
  m.cross.set([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  return { images: 0, skipped: [], maps: {}, moments: { pool: { 'rot90:k1': m } }, accuracy: null, nonFinite: [], pairs: 0, nullMissing: 0 };
}

const batch = (files: string[]) => ({ [FILE_COLUMN]: files, [PAIR_COLUMN]: Int32Array.from(files, (_, i) => i), v: new Float32Array(files.length * 4).fill(1) });

describe('run state on disk (SPEC §8)', () => {
  it('appends each batch and rewrites only the fixed-size part; reopening gives back the same state', async () => {
    const dir = fresh();
    const run = await RunState.create(dir, 'print', state(), [{ name: 'v', type: 'float32', width: 4 }]);
    const sizes: number[] = [];
    for (let b = 0; b < 3; b++) {
      run.state.images += 2;
      run.state.moments.pool['rot90:k1'].n += 2;
      await run.append(batch([`a${b}`, `b${b}`]));
      await run.commit();
      sizes.push(statSync(path.join(dir, 'state.json')).size);
    }
    // The manifest does not grow with the images; the vectors grow by exactly what each batch added.
    expect(new Set(sizes).size).toBe(1);
    expect(statSync(path.join(dir, 'rows', 'c2.bin')).size).toBe(6 * 4 * 4);
    expect(readdirSync(dir).filter((f) => f.startsWith('moments-'))).toHaveLength(1);
    const again = await RunState.open(dir, { fingerprint: 'print' });
    expect(again.state.images).toBe(6);
    expect(again.state.moments.pool['rot90:k1'].n).toBe(11);
    expect(Array.from(again.state.moments.pool['rot90:k1'].cross)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...(await again.measuredFiles())]).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2']);
  });

  it('a batch appended but never committed (killed before the manifest rename) is cut off on resume', async () => {
    const dir = fresh();
    const run = await RunState.create(dir, 'print', state(), [{ name: 'v', type: 'float32', width: 4 }]);
    await run.append(batch(['a', 'b']));
    await run.commit();
    // The store committed a second batch, the run's manifest did not: what SIGKILL between the two leaves.
    await run.rows.append(batch(['c', 'd']));
    appendFileSync(path.join(dir, 'rows', 'c2.bin'), Buffer.alloc(5));
    const resumed = await RunState.open(dir, { writable: true, fingerprint: 'print' });
    expect([...(await resumed.measuredFiles())]).toEqual(['a', 'b']);
    expect(statSync(path.join(dir, 'rows', 'c2.bin')).size).toBe(2 * 4 * 4);
  });

  it('batches appended after the last commit are not read, and are cut off on resume', async () => {
    const dir = fresh();
    const run = await RunState.create(dir, 'print', state(), [{ name: 'v', type: 'float32', width: 4 }]);
    await run.append(batch(['a', 'b']));
    run.state.images = 2;
    await run.commit();
    // Two batches appended by the run, not committed (a commit comes by time, not after every batch).
    await run.append(batch(['c', 'd']));
    run.state.images = 4;
    await run.append(batch(['e', 'f']));
    const reader = await RunState.open(dir, { fingerprint: 'print' });
    expect(reader.state.images).toBe(2);
    expect([...(await reader.measuredFiles())]).toEqual(['a', 'b']);
    expect(reader.rows.rows).toBe(2);
    const resumed = await RunState.open(dir, { writable: true, fingerprint: 'print' });
    expect([...(await resumed.measuredFiles())]).toEqual(['a', 'b']);
    expect(statSync(path.join(dir, 'rows', 'c2.bin')).size).toBe(2 * 4 * 4);
  });

  it('EXPECTED FAILURE - other options, another format version, no state: one line each', async () => {
    const dir = fresh();
    await RunState.create(dir, 'print', state(), []);
    await expect(RunState.open(dir, { fingerprint: 'other' })).rejects.toThrow(/^Cannot resume: '.*' was written with other options or another model\./);
    writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ format: 'equiprobe-state', version: 1 }));
    await expect(RunState.open(dir)).rejects.toThrow(new RegExp(`holds a state of another equiprobe \\(state format 1, this one reads ${STATE_VERSION}\\)`));
    await expect(RunState.open(path.join(dir, 'nothing'))).rejects.toThrow(/^Cannot resume: no readable checkpoint at/);
  });
});
