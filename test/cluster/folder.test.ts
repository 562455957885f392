/**
 * `measureToFolder` with `existing: 'resume-or-start'` (the library side of
 * `measure --resume-if-possible`): a job stopped part-way and started again with the same options
 * continues and ends with the uninterrupted result; started once more it measures nothing; a
 * folder of other options is refused, never overwritten.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildRandomCnn } from '../../src/known-answer/random.js';
import { CHECKPOINT, measureToFolder, type FolderOptions } from '../../src/measure-folder.js';

const dir = mkdtempSync(path.join(tmpdir(), 'equiprobe-folder-'));
const model = path.join(dir, 'random_cnn.onnx');
writeFileSync(model, buildRandomCnn(5).bytes);
const base = { model, transforms: ['rot90', 'translate'], shifts: [2, 5], synthetic: 12, batch: 2, threads: 1, plots: false } as const;
const at = (name: string): FolderOptions => ({ ...base, out: path.join(dir, name) });

class Stop extends Error {}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('measureToFolder resume-or-start', () => {
  it('stopped after 2 batches, then started again: resumes from 4 images and ends with the uninterrupted CSV tables', async () => {
    const whole = await measureToFolder({ ...at('whole'), existing: 'resume-or-start' });
    expect(whole.outcome).toBe('started');

    const options = { ...at('stopped'), existing: 'resume-or-start' as const };
    let checkpoints = 0;
    await expect(
      measureToFolder({
        ...options,
        onCheckpointWritten: () => {
          if (++checkpoints === 2) throw new Stop();
        },
      }),
    ).rejects.toBeInstanceOf(Stop);
    expect(existsSync(path.join(options.out, CHECKPOINT))).toBe(true);
    expect(existsSync(path.join(options.out, 'result.json'))).toBe(false);

    let resumedFrom = '';
    const resumed = await measureToFolder({ ...options, onResume: (checkpoint) => (resumedFrom = checkpoint) });
    expect(resumed.outcome).toBe('resumed');
    expect(resumedFrom).toBe(path.join(options.out, CHECKPOINT));
    expect(existsSync(path.join(options.out, CHECKPOINT))).toBe(false);
    for (const table of ['layers.csv', 'parts.csv', 'elements.csv']) {
      expect(readFileSync(path.join(options.out, table), 'utf8'), table).toBe(readFileSync(path.join(at('whole').out, table), 'utf8'));
    }
  }, 60_000);

  it('started once more after it finished: outcome done, nothing rewritten', async () => {
    const options = { ...at('whole'), existing: 'resume-or-start' as const };
    const before = readFileSync(path.join(options.out, 'result.json'), 'utf8');
    let measured = false;
    const again = await measureToFolder({ ...options, onProgress: () => (measured = true) });
    expect(again.outcome).toBe('done');
    expect(measured).toBe(false);
    expect(again.report.images.used).toBe(12);
    expect(readFileSync(path.join(options.out, 'result.json'), 'utf8')).toBe(before);
  }, 30_000);

  it('a result left with its checkpoint (stopped between the two) counts as done, and the checkpoint goes', async () => {
    const options = { ...at('whole'), existing: 'resume-or-start' as const };
    writeFileSync(path.join(options.out, CHECKPOINT), '{}');
    expect((await measureToFolder(options)).outcome).toBe('done');
    expect(existsSync(path.join(options.out, CHECKPOINT))).toBe(false);
  }, 30_000);

  it('EXPECTED FAILURE - a finished result of other options is refused and kept', async () => {
    const out = at('whole').out;
    const before = readFileSync(path.join(out, 'result.json'), 'utf8');
    await expect(measureToFolder({ ...at('whole'), shifts: [2], existing: 'resume-or-start' })).rejects.toThrow(/holds a finished result of other options/);
    expect(readFileSync(path.join(out, 'result.json'), 'utf8')).toBe(before);
  }, 30_000);

  it('EXPECTED FAILURE - a checkpoint of other options is refused and kept', async () => {
    const options = { ...at('other-checkpoint'), existing: 'resume-or-start' as const };
    await expect(measureToFolder({ ...options, onCheckpointWritten: () => { throw new Stop(); } })).rejects.toBeInstanceOf(Stop);
    const saved = readFileSync(path.join(options.out, CHECKPOINT, 'state.json'));
    await expect(measureToFolder({ ...options, seed: 7 })).rejects.toThrow(/Cannot resume: .* was written with other options/);
    expect(readFileSync(path.join(options.out, CHECKPOINT, 'state.json'))).toEqual(saved);
  }, 30_000);

  it('the state is kept with the result, and its fingerprint does not depend on threads or batch', async () => {
    const out = at('whole').out;
    expect(existsSync(path.join(out, 'state', 'state.json'))).toBe(true);
    expect((await measureToFolder({ ...at('whole'), threads: 2, batch: 5, existing: 'resume-or-start' })).outcome).toBe('done');
  }, 30_000);
});
