import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { correlationOutputs, formatCorrelationTable, resolveAccuracy } from '../../src/analysis/correlate-run.js';
import { writeFilesAtomic } from '../../src/report/atomic.js';
import { readReports } from '../../src/report/read.js';
import type { ProbeReport } from '../../src/types.js';
import { makeReport } from '../report/fixtures.js';
import { PNG_SIGNATURE, tempDir, writeResult, writeText } from './results.js';

/** Four models whose part scores all rise with quality (a < b < c < d). */
function fourModels(top1?: readonly (number | undefined)[]): ProbeReport[] {
  return ['a', 'b', 'c', 'd'].map((name, i) => makeReport({ name, quality: 0.5 + 0.2 * i, transforms: ['rot90'], top1: top1?.[i] }));
}

/** Writes reports as result folders under a temp root; returns the root and the folders. */
function writeAll(reports: readonly ProbeReport[]): { root: string; dirs: string[] } {
  const root = tempDir();
  return { root, dirs: reports.map((r, i) => writeResult(root, `${r.model.name}-${i}`, r)) };
}

describe('correlationOutputs', () => {
  it('correlates end to end: result folders + acc.csv → correlation.csv/.json and scatter plots', async () => {
    const { root, dirs } = writeAll(fourModels());
    const csv = writeText(root, 'acc.csv', 'model,accuracy\na,0.60\nb,0.70\nc,0.75\nd,0.90\n');
    const out = await correlationOutputs(await readReports(dirs), { accuracy: csv });
    const dest = join(root, 'correlate');
    await writeFilesAtomic(dest, out.files);

    // Accuracy rises with every part score: ρ = 1 and the exact two-sided p is 2/4! = 2/24.
    const lines = readFileSync(join(dest, 'correlation.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('transform,part,score,rho,n,p');
    expect(lines).toHaveLength(1 + 5 * 2);
    expect(lines).toContain('rot90,Late,inv,1,4,0.0833333333333');
    expect(lines).toContain('rot90,Early,eqv,1,4,0.0833333333333');

    const json = JSON.parse(readFileSync(join(dest, 'correlation.json'), 'utf8'));
    expect(json.accuracy_source).toEqual({ kind: 'csv', path: csv, column: 'accuracy' });
    expect(json.models.map((m: { model: string; accuracy: number }) => [m.model, m.accuracy])).toEqual([
      ['a', 0.6], ['b', 0.7], ['c', 0.75], ['d', 0.9],
    ]);
    expect(json.models[0].result).toBe(join(dirs[0], 'result.json'));
    expect(json.rows).toHaveLength(10);
    for (const row of json.rows) {
      expect(row.n).toBe(4);
      expect(row.rho).toBeCloseTo(1, 12);
      expect(row.p).toBeCloseTo(2 / 24, 6); // written at 6 significant digits
    }

    const scatters = readdirSync(dest).filter((f) => f.startsWith('scatter_')).sort();
    expect(scatters).toEqual(
      ['early', 'final', 'late', 'middle', 'pool'].flatMap((p) => [`scatter_rot90_${p}.png`, `scatter_rot90_${p}.svg`]),
    );
    expect([...readFileSync(join(dest, 'scatter_rot90_late.png')).subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(readFileSync(join(dest, 'scatter_rot90_late.svg'), 'utf8')).toContain('Late part, rot90');

    expect(out.table.split('\n')[0]).toMatch(/^transform\s+part\s+score\s+rho\s+n\s+p$/);
    expect(out.table).toMatch(/rot90\s+Late\s+inv\s+1\.000\s+4\s+0\.0833/);
  }, 60_000);

  it('reads another CSV column, and reverses ρ when accuracy falls with the score', async () => {
    const { root, dirs } = writeAll(fourModels());
    const csv = writeText(root, 'acc.csv', 'model,accuracy,c4_avg_accuracy\na,0.6,0.9\nb,0.7,0.8\nc,0.8,0.7\nd,0.9,0.6\n');
    const out = await correlationOutputs(await readReports(dirs), { accuracy: csv, column: 'c4_avg_accuracy', plots: false });
    expect(out.files.map((f) => f.name)).toEqual(['correlation.csv', 'correlation.json']);
    expect(out.rows.every((r) => r.rho !== null && Math.abs(r.rho + 1) < 1e-12)).toBe(true);
    expect(out.accuracy.source).toEqual({ kind: 'csv', path: csv, column: 'c4_avg_accuracy' });
  });

  it('uses the recorded top-1 when no CSV is given', async () => {
    const { dirs } = writeAll(fourModels([0.5, 0.6, 0.7, 0.8]));
    const out = await correlationOutputs(await readReports(dirs), { plots: false });
    expect(out.accuracy.source).toEqual({ kind: 'reports' });
    expect(out.rows.find((r) => r.part === 'Pool' && r.score === 'eqv')).toMatchObject({ n: 4, p: 2 / 24 });
  });

  it('leaves a part score that JSON turned into null out of its row', async () => {
    const reports = fourModels();
    reports[0] = { ...reports[0], parts: reports[0].parts.map((p) => (p.part === 'Final' ? { ...p, inv: Number.NaN } : p)) };
    const { root, dirs } = writeAll(reports);
    const csv = writeText(root, 'acc.csv', 'model,accuracy\na,0.6\nb,0.7\nc,0.8\nd,0.9\n');
    const out = await correlationOutputs(await readReports(dirs), { accuracy: csv, plots: false });
    expect(out.rows.find((r) => r.part === 'Final' && r.score === 'inv')).toMatchObject({ n: 3, rho: 1 });
    expect(out.rows.find((r) => r.part === 'Final' && r.score === 'eqv')?.n).toBe(4);
  });

  it('EXPECTED FAILURE - CSV model names that match no result are listed', async () => {
    const { root, dirs } = writeAll(fourModels());
    const csv = writeText(root, 'acc.csv', 'model,accuracy\na,0.6\nB,0.7\nc,0.8\nd-1,0.9\n');
    const call = async (): Promise<unknown> => correlationOutputs(await readReports(dirs), { accuracy: csv });
    await expect(call()).rejects.toThrow(RangeError);
    await expect(call()).rejects.toThrow(
      `No accuracy in '${csv}' for models: b, d (the CSV has rows for B, d-1, which match no result). Add rows named exactly like the results' model names (model,accuracy).`,
    );
  });

  it('EXPECTED FAILURE - no CSV and no recorded accuracy', async () => {
    const { dirs } = writeAll(fourModels());
    await expect(correlationOutputs(await readReports(dirs))).rejects.toThrow(
      'No accuracy to correlate with: pass --accuracy acc.csv (columns model,accuracy), or measure the models with --labels so that top-1 is recorded.',
    );
  });

  it('EXPECTED FAILURE - only some results recorded top-1', async () => {
    const { dirs } = writeAll(fourModels([0.5, undefined, 0.7, undefined]));
    await expect(correlationOutputs(await readReports(dirs))).rejects.toThrow(
      'No recorded top-1 accuracy for models: b, d. Measure them with --labels, or pass --accuracy acc.csv (columns model,accuracy).',
    );
  });

  it('EXPECTED FAILURE - fewer than two models', async () => {
    const { dirs } = writeAll([makeReport({ name: 'solo', top1: 0.5 })]);
    await expect(correlationOutputs(await readReports(dirs))).rejects.toThrow(
      'Correlation needs results of at least 2 models (3 or more for a p-value), got solo. Pass more result folders.',
    );
  });

  it('EXPECTED FAILURE - a model measured twice under one transform', async () => {
    const reports = fourModels([0.5, 0.6, 0.7, 0.8]);
    const { dirs } = writeAll([...reports, reports[0]]);
    await expect(correlationOutputs(await readReports(dirs))).rejects.toThrow(/Model 'a' has more than one rot90 score/);
  });
});

describe('resolveAccuracy', () => {
  const reports = fourModels();

  it('EXPECTED FAILURE - a missing CSV says which flag to fix', () => {
    expect(() => resolveAccuracy(reports, { accuracy: '/nonexistent/acc.csv' })).toThrow(
      "Cannot read accuracy CSV '/nonexistent/acc.csv' (ENOENT). Check the path given to --accuracy.",
    );
  });

  it('EXPECTED FAILURE - a malformed CSV keeps the parser message', () => {
    const csv = writeText(tempDir(), 'acc.csv', 'name,acc\na,1\n');
    expect(() => resolveAccuracy(reports, { accuracy: csv })).toThrow(`${csv}: missing column 'model' in header (name,acc).`);
  });

  it('EXPECTED FAILURE - --column without --accuracy', () => {
    expect(() => resolveAccuracy(reports, { column: 'c4' })).toThrow('--column c4 selects a column of the accuracy CSV; pass --accuracy acc.csv as well.');
  });

  it('takes the recorded top-1 when no CSV is given', () => {
    const resolved = resolveAccuracy(fourModels([0.1, 0.2, 0.3, 0.4]));
    expect(resolved.accuracy).toEqual(new Map([['a', 0.1], ['b', 0.2], ['c', 0.3], ['d', 0.4]]));
    expect(resolved.source).toEqual({ kind: 'reports' });
  });
});

describe('formatCorrelationTable', () => {
  it('prints - for undefined ρ and p, and small p in scientific notation', () => {
    const table = formatCorrelationTable([
      { transform: 'rot90', part: 'Early', score: 'inv', rho: null, n: 4, p: null },
      { transform: 'translate', part: 'Final', score: 'eqv', rho: -0.98, n: 30, p: 3.2e-9 },
    ]);
    const lines = table.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/^rot90\s+Early\s+inv\s+-\s+4\s+-$/);
    expect(lines[3]).toMatch(/^translate\s+Final\s+eqv\s+-0\.980\s+30\s+3\.2e-9$/);
  });
});
