import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { htmlReportOutput } from '../../src/analysis/report-run.js';
import { writeFilesAtomic } from '../../src/report/atomic.js';
import { readReports } from '../../src/report/read.js';
import { makeReport } from '../report/fixtures.js';
import { tempDir, writeResult, writeText } from './results.js';

describe('htmlReportOutput', () => {
  it('writes one self-contained HTML page with a correlation section from acc.csv', async () => {
    const root = tempDir();
    const dirs = ['r18', 'r50', 'vit'].map((name, i) => writeResult(root, name, makeReport({ name, quality: 0.6 + 0.2 * i })));
    const csv = writeText(root, 'acc.csv', 'model,accuracy\nr18,0.69\nr50,0.76\nvit,0.81\n');
    const out = join(root, 'site', 'nested', 'report.html');
    const { dir, file, correlation } = await htmlReportOutput(await readReports(dirs), out, { accuracy: csv, title: 'Zoo <3' });
    expect(dir).toBe(join(root, 'site', 'nested'));
    await writeFilesAtomic(dir, [file]);

    const html = readFileSync(out, 'utf8');
    expect(correlation).toBe('csv');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<title>Zoo &lt;3</title>');
    expect(html).toContain('Correlation with accuracy');
    for (const name of ['r18', 'r50', 'vit']) expect(html).toContain(name);
    expect(html).toContain('<svg');
    // Self-contained: no scripts, no external resources, no links to other files.
    expect(html).not.toMatch(/<script|<link|<img|<iframe/i);
    expect(html).not.toMatch(/(src|href)="(?!#)/);
    expect(html).not.toMatch(/url\((?!#)/);
  }, 60_000);

  it('adds correlation from recorded top-1 only when every model has one', async () => {
    const root = tempDir();
    const labelled = ['a', 'b'].map((name, i) => writeResult(root, name, makeReport({ name, transforms: ['rot90'], quality: 1 + i, top1: 0.5 + i / 10 })));
    const unlabelled = writeResult(root, 'c', makeReport({ name: 'c', transforms: ['rot90'] }));
    const out = join(root, 'r.html');
    expect((await htmlReportOutput(await readReports(labelled), out)).correlation).toBe('reports');
    const without = await htmlReportOutput(await readReports([...labelled, unlabelled]), out);
    expect(without.correlation).toBeNull();
    expect(String(without.file.content)).not.toContain('Correlation with accuracy');
    // Two results of one model under one transform cannot be ranked: no correlation, no failure.
    expect((await htmlReportOutput(await readReports([...labelled, labelled[0]]), out)).correlation).toBeNull();
  }, 60_000);

  it('EXPECTED FAILURE - --out names a folder', async () => {
    const root = tempDir();
    const dirs = [writeResult(root, 'a', makeReport({ name: 'a', transforms: ['rot90'] }))];
    mkdirSync(join(root, 'out'));
    await expect(htmlReportOutput(await readReports(dirs), join(root, 'out'))).rejects.toThrow(
      `--out '${join(root, 'out')}' is a folder; give the HTML file to write, e.g. ${join(root, 'out')}/report.html.`,
    );
  });

  it('EXPECTED FAILURE - an acc.csv without one of the models', async () => {
    const root = tempDir();
    const dirs = ['a', 'b'].map((name) => writeResult(root, name, makeReport({ name, transforms: ['rot90'] })));
    const csv = writeText(root, 'acc.csv', 'model,accuracy\na,0.5\n');
    await expect(htmlReportOutput(await readReports(dirs), join(root, 'r.html'), { accuracy: csv })).rejects.toThrow(
      `No accuracy in '${csv}' for models: b.`,
    );
  });
});
