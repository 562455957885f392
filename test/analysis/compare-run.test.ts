import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareOutputs, formatCompareTable, labelledPartsTable } from '../../src/analysis/compare-run.js';
import { writeFilesAtomic } from '../../src/report/atomic.js';
import { readReports } from '../../src/report/read.js';
import { makeReport } from '../report/fixtures.js';
import { PNG_SIGNATURE, tempDir, writeResult } from './results.js';

describe('compareOutputs', () => {
  it('writes compare.csv and one PNG/SVG pair per transform', async () => {
    const root = tempDir();
    const dirs = [
      writeResult(root, 'r18', makeReport({ name: 'r18', quality: 0.7 })),
      writeResult(root, 'vit', makeReport({ name: 'vit', quality: 1.1, transforms: ['rot90'] })),
    ];
    const out = await compareOutputs(await readReports(dirs));
    const dest = join(root, 'compare');
    await writeFilesAtomic(dest, out.files);

    expect(readdirSync(dest).sort()).toEqual(['compare.csv', 'compare_rot90.png', 'compare_rot90.svg', 'compare_translate.png', 'compare_translate.svg']);
    for (const png of ['compare_rot90.png', 'compare_translate.png']) {
      expect([...readFileSync(join(dest, png)).subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    }
    expect(readFileSync(join(dest, 'compare_rot90.svg'), 'utf8')).toContain('Part scores — rot90');

    const csv = readFileSync(join(dest, 'compare.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('model,transform,part,inv,eqv,layers');
    expect(csv).toHaveLength(1 + 2 * 5 + 5);
    // Early of r18: mean of fakeInv over depths 0–2 = 0.7 · (1/11) · 0.8 − 0.05.
    expect(csv[1]).toBe(`r18,rot90,Early,${Number((0.7 * (1 / 11) * 0.8 - 0.05).toPrecision(6))},${csv[1].split(',')[4]},3`);
    expect(csv.filter((l) => l.startsWith('vit,translate'))).toEqual([]);

    const lines = out.table.split('\n');
    expect(lines[0]).toMatch(/^transform\s+part\s+r18 inv\s+r18 eqv\s+vit inv\s+vit eqv$/);
    expect(lines).toHaveLength(2 + 10);
    // vit has no translate scores: its columns show '-'.
    expect(lines.find((l) => l.startsWith('translate  Pool'))).toMatch(/\s-\s+-$/);
  }, 60_000);

  it('keeps two results of one model apart and can skip plots', async () => {
    const root = tempDir();
    const dirs = [
      writeResult(root, 'a1', makeReport({ name: 'a', transforms: ['hflip'] })),
      writeResult(root, 'a2', makeReport({ name: 'a', transforms: ['hflip'], similarity: 'cosine', quality: 0.5 })),
    ];
    const out = await compareOutputs(await readReports(dirs), { plots: false });
    expect(out.files.map((f) => f.name)).toEqual(['compare.csv']);
    expect([...new Set(out.rows.map((r) => r.model))]).toEqual(['a', 'a (2)']);
    expect(out.table.split('\n')[0]).toContain('a (2) eqv');
  });
});

describe('formatCompareTable', () => {
  it('prints four decimals, also for exact 0 and 1, and - for null scores', () => {
    const rows = labelledPartsTable([makeReport({ name: 'm', transforms: ['vflip'] })]).map((r, i) =>
      i === 0 ? { ...r, inv: 1, eqv: null as unknown as number } : r,
    );
    const line = formatCompareTable(rows).split('\n')[2];
    expect(line).toMatch(/^vflip\s+Early\s+1\.0000\s+-$/);
  });
});
