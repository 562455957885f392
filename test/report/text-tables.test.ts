import { describe, expect, it } from 'vitest';
import { fixed, formatTable, partsTable } from '../../src/report/text-tables.js';
import { makeReport } from './fixtures.js';

describe('partsTable', () => {
  it('gives one row per model × transform × part, parts in Early…Final order', () => {
    const rows = partsTable([makeReport({ name: 'r50', transforms: ['translate', 'rot90'] }), makeReport({ name: 'vit', transforms: ['rot90'] })]);
    expect(rows).toHaveLength(15);
    expect(rows.slice(0, 6).map((r) => `${r.model}/${r.transform}/${r.part}`)).toEqual([
      'r50/rot90/Early', 'r50/rot90/Middle', 'r50/rot90/Late', 'r50/rot90/Pool', 'r50/rot90/Final', 'r50/translate/Early',
    ]);
    expect(rows[0]).toEqual({ model: 'r50', transform: 'rot90', part: 'Early', inv: expect.any(Number), eqv: expect.any(Number), layers: 3 });
    expect(rows[14].model).toBe('vit');
  });
});

describe('formatTable', () => {
  it('aligns text left and numbers right, with a dashed rule', () => {
    const text = formatTable(
      [
        { model: 'resnet50', inv: 0.5, layers: 3 },
        { model: 'vit', inv: -0.123456, layers: 12 },
      ],
      ['model', { key: 'inv', digits: 3 }, 'layers'],
    );
    expect(text).toBe(['model        inv  layers', '--------  ------  ------', 'resnet50   0.500       3', 'vit       -0.123      12'].join('\n'));
  });

  it('uses headers and prints missing values as "-"', () => {
    const text = formatTable([{ a: 'x', b: null }, { a: 'yy', b: 1.5 }], [{ key: 'a', header: 'Name' }, { key: 'b', header: 'Value', digits: 1 }]);
    expect(text.split('\n')).toEqual(['Name  Value', '----  -----', 'x         -', 'yy      1.5']);
  });

  it('formats partsTable rows for the terminal', () => {
    const text = formatTable(partsTable([makeReport({ name: 'r50', transforms: ['rot90'] })]), ['model', 'transform', 'part', 'inv', 'eqv', 'layers']);
    const lines = text.split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[0]).toMatch(/^model\s+transform\s+part\s+inv\s+eqv\s+layers$/);
    expect(new Set(lines.map((l) => l.length)).size).toBeLessThanOrEqual(2); // rows padded to equal width
  });
});

describe('fixed', () => {
  it('drops the sign of a value that rounds to zero, and only then', () => {
    expect(fixed(-0.0001, 3)).toBe('0.000');
    expect(fixed(-0.0004, 3)).toBe('0.000');
    expect(fixed(-0.0005, 3)).toBe('-0.001');
    expect(fixed(-0.25, 1)).toBe('-0.3');
    expect(fixed(-0.4, 0)).toBe('0');
    expect(formatTable([{ inv: -0.0001 }], [{ key: 'inv', digits: 3 }]).split('\n')[2]).toBe('0.000');
  });
});
