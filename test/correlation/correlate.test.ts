import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  accuracyFromReports,
  correlateReports,
  correlationPoints,
  parseAccuracyCsv,
  readAccuracyCsv,
} from '../../src/correlation/correlate.js';
import type { ProbeReport } from '../../src/types.js';
import { makeReport } from '../report/fixtures.js';

/** Four models whose part scores grow with `quality`. */
const reports = [
  makeReport({ name: 'a', quality: 0.5, transforms: ['rot90'] }),
  makeReport({ name: 'b', quality: 0.7, transforms: ['rot90'] }),
  makeReport({ name: 'c', quality: 0.9, transforms: ['rot90'] }),
  makeReport({ name: 'd', quality: 1.1, transforms: ['rot90'] }),
];

describe('correlateReports', () => {
  it('gives one row per transform × part × {inv, eqv}, in order', () => {
    const acc = new Map([['a', 0.6], ['b', 0.7], ['c', 0.8], ['d', 0.9]]);
    const rows = correlateReports(reports, acc);
    expect(rows.map((r) => `${r.transform}/${r.part}/${r.score}`)).toEqual([
      'rot90/Early/inv', 'rot90/Early/eqv', 'rot90/Middle/inv', 'rot90/Middle/eqv', 'rot90/Late/inv',
      'rot90/Late/eqv', 'rot90/Pool/inv', 'rot90/Pool/eqv', 'rot90/Final/inv', 'rot90/Final/eqv',
    ]);
    // Scores rise with quality and so does accuracy: ρ = 1, exact p = 2/4! = 1/12.
    const late = rows.find((r) => r.part === 'Late' && r.score === 'inv');
    expect(late?.n).toBe(4);
    expect(late?.rho).toBeCloseTo(1, 12);
    expect(late?.p).toBeCloseTo(1 / 12, 12);
  });

  it('reverses the sign when accuracy falls with the score', () => {
    const acc = new Map([['a', 0.9], ['b', 0.8], ['c', 0.7], ['d', 0.6]]);
    const row = correlateReports(reports, acc).find((r) => r.part === 'Middle' && r.score === 'eqv');
    expect(row?.rho).toBeCloseTo(-1, 12);
  });

  it('reports null ρ when all accuracies are tied', () => {
    const acc = new Map([['a', 0.5], ['b', 0.5], ['c', 0.5], ['d', 0.5]]);
    for (const r of correlateReports(reports, acc)) expect(r).toMatchObject({ rho: null, p: null, n: 4 });
  });

  it('leaves a model without a part (or with a null score from JSON) out of that row only', () => {
    const noPool: ProbeReport = { ...reports[3], parts: reports[3].parts.filter((p) => p.part !== 'Pool') };
    const nullFinal: ProbeReport = {
      ...reports[2],
      parts: reports[2].parts.map((p) => (p.part === 'Final' ? { ...p, inv: null as unknown as number } : p)),
    };
    const acc = new Map([['a', 0.6], ['b', 0.7], ['c', 0.8], ['d', 0.9]]);
    const rows = correlateReports([reports[0], reports[1], nullFinal, noPool], acc);
    expect(rows.find((r) => r.part === 'Pool' && r.score === 'inv')?.n).toBe(3);
    expect(rows.find((r) => r.part === 'Final' && r.score === 'inv')?.n).toBe(3);
    expect(rows.find((r) => r.part === 'Final' && r.score === 'eqv')?.n).toBe(4);
  });

  it('EXPECTED FAILURE - models without accuracy are listed in a RangeError', () => {
    const call = (): unknown => correlateReports(reports, new Map([['a', 0.6], ['c', 0.8]]));
    expect(call).toThrow(RangeError);
    expect(call).toThrow('No accuracy for models: b, d. Add them to acc.csv (columns model,accuracy).');
  });

  it('EXPECTED FAILURE - two results scoring the same model and transform', () => {
    const acc = new Map([['a', 0.6], ['b', 0.7]]);
    expect(() => correlateReports([reports[0], reports[1], reports[0]], acc)).toThrow(/Model 'a' has more than one rot90 score/);
  });

  it('accepts two results of one model with different transforms', () => {
    const rot = makeReport({ name: 'm', transforms: ['rot90'] });
    const tr = makeReport({ name: 'm', transforms: ['translate'] });
    const other = makeReport({ name: 'n', quality: 0.3, transforms: ['rot90', 'translate'] });
    const rows = correlateReports([rot, tr, other], new Map([['m', 0.8], ['n', 0.4]]));
    expect(new Set(rows.map((r) => r.transform))).toEqual(new Set(['rot90', 'translate']));
    expect(rows.every((r) => r.n === 2 && r.p === null)).toBe(true);
  });
});

describe('correlationPoints', () => {
  it('returns score and accuracy per model in report order', () => {
    const acc = new Map([['a', 0.6], ['b', 0.7], ['c', 0.8], ['d', 0.9]]);
    const pts = correlationPoints(reports, acc, 'Pool', 'rot90', 'inv');
    expect(pts.map((p) => p.model)).toEqual(['a', 'b', 'c', 'd']);
    expect(pts[0].score).toBeCloseTo(0.5 * (9 / 11) * 0.8 - 0.05, 12);
    expect(pts[0].accuracy).toBe(0.6);
  });
});

describe('accuracyFromReports', () => {
  it('uses report.accuracy.top1 and skips results without labels', () => {
    const rs = [makeReport({ name: 'x', top1: 0.75 }), makeReport({ name: 'y' }), makeReport({ name: 'z', top1: 0.5 })];
    expect(accuracyFromReports(rs)).toEqual(new Map([['x', 0.75], ['z', 0.5]]));
  });

  it('EXPECTED FAILURE - one model with two different top-1 values', () => {
    const rs = [makeReport({ name: 'x', top1: 0.75 }), makeReport({ name: 'x', top1: 0.7 })];
    expect(() => accuracyFromReports(rs)).toThrow(RangeError);
    expect(() => accuracyFromReports(rs)).toThrow(/Model 'x' has two different top-1 accuracies \(0.75 and 0.7\)/);
  });
});

describe('parseAccuracyCsv / readAccuracyCsv', () => {
  it('reads model,accuracy with extra columns, any column order, quotes, CRLF, BOM and blank lines', () => {
    const text = '\uFEFFnotes,Accuracy,MODEL\r\n"fine, tuned",0.81,"vit, small"\r\n\r\n,76.1%,resnet50\r\nx,0.5,"say ""hi"""\r\n';
    expect(parseAccuracyCsv(text)).toEqual(new Map([['vit, small', 0.81], ['resnet50', 76.1], ['say "hi"', 0.5]]));
  });

  it('reads a file from disk (no trailing newline)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'equiprobe-acc-'));
    const path = join(dir, 'acc.csv');
    writeFileSync(path, 'model,accuracy\nr18,0.69\nr50,0.76');
    expect(readAccuracyCsv(path)).toEqual(new Map([['r18', 0.69], ['r50', 0.76]]));
  });

  it('reads another value column on request', () => {
    const text = 'model,accuracy,c4_avg_accuracy\ncnn7,0.92,0.36\np4cnn,0.91,0.91\n';
    expect(parseAccuracyCsv(text, 'acc.csv', 'c4_avg_accuracy')).toEqual(new Map([['cnn7', 0.36], ['p4cnn', 0.91]]));
    expect(() => parseAccuracyCsv(text, 'acc.csv', 'top5')).toThrow(/missing column 'top5'/);
  });

  it('EXPECTED FAILURE - missing column names the file and the header', () => {
    expect(() => parseAccuracyCsv('name,acc\nr18,0.7\n', 'acc.csv')).toThrow(
      "acc.csv: missing column 'model' in header (name,acc). The first line must name the columns, e.g. model,accuracy.",
    );
    expect(() => parseAccuracyCsv('model,top1\nr18,0.7\n', 'acc.csv')).toThrow(/missing column 'accuracy'/);
    expect(() => parseAccuracyCsv('', 'acc.csv')).toThrow(/missing column 'model' in header \(empty\)/);
  });

  it('EXPECTED FAILURE - bad values name the line', () => {
    expect(() => parseAccuracyCsv('model,accuracy\nr18,0.7\nr50,high\n', 'acc.csv')).toThrow("acc.csv:3: accuracy 'high' is not a finite number.");
    expect(() => parseAccuracyCsv('model,accuracy\nr18,\n', 'acc.csv')).toThrow("acc.csv:2: accuracy '' is not a finite number.");
    expect(() => parseAccuracyCsv('model,accuracy\n,0.7\n', 'acc.csv')).toThrow('acc.csv:2: empty model name.');
    expect(() => parseAccuracyCsv('model,accuracy\nr18,0.7\nr18,0.8\n', 'acc.csv')).toThrow(/acc.csv:3: model 'r18' appears more than once/);
    expect(() => parseAccuracyCsv('model,accuracy\n"r18,0.7\n', 'acc.csv')).toThrow('acc.csv:2: a quoted field is not closed.');
    expect(() => parseAccuracyCsv('model,accuracy\n', 'acc.csv')).toThrow('acc.csv: no data rows');
  });

  it('EXPECTED FAILURE - a missing file surfaces the file-system error', () => {
    expect(() => readAccuracyCsv('/nonexistent/acc.csv')).toThrow(/ENOENT/);
  });
});
