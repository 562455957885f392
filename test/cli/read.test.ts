import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readReport, readReports } from '../../src/report/read.js';
import { toJson } from '../../src/report/write.js';
import { makeReport } from '../report/fixtures.js';
import { tempDir, writeResult, writeText } from '../analysis/results.js';

describe('readReports', () => {
  it('reads result folders and result.json paths, in the order given', async () => {
    const root = tempDir();
    const a = writeResult(root, 'a', makeReport({ name: 'a' }));
    const b = writeResult(root, 'b', makeReport({ name: 'b' }));
    const loaded = await readReports([join(b, 'result.json'), a]);
    expect(loaded.map((l) => l.report.model.name)).toEqual(['b', 'a']);
    expect(loaded.map((l) => l.file)).toEqual([join(b, 'result.json'), join(a, 'result.json')]);
    expect(loaded[1].source).toBe(a);
    expect(loaded[0].report.parts.length).toBe(10);
  });

  it('EXPECTED FAILURE - no paths', async () => {
    await expect(readReports([])).rejects.toThrow(RangeError);
    await expect(readReports([])).rejects.toThrow('No results given. Pass a result folder written by `equiprobe measure`, or its result.json.');
  });

  it('EXPECTED FAILURE - a missing path, the first bad one in order', async () => {
    const root = tempDir();
    const a = writeResult(root, 'a', makeReport({ name: 'a' }));
    await expect(readReports([a, join(root, 'nope'), join(root, 'also-nope')])).rejects.toThrow(
      `'${join(root, 'nope')}' does not exist. Pass a result folder written by \`equiprobe measure\`, or its result.json.`,
    );
  });

  it('EXPECTED FAILURE - a folder without result.json points at --resume', async () => {
    const root = tempDir();
    writeText(root, 'checkpoint.json', '{}');
    await expect(readReport(root)).rejects.toThrow(`'${root}' has no result.json.`);
    await expect(readReport(root)).rejects.toThrow(/equiprobe measure --resume/);
  });

  it('EXPECTED FAILURE - a file that is not JSON', async () => {
    const file = writeText(tempDir(), 'result.json', '{"schemaVersion": 1,');
    await expect(readReport(file)).rejects.toThrow(new RegExp(`^'${file}' is not valid JSON \\(.+\\)\\. Pass a result folder`));
  });

  it('EXPECTED FAILURE - JSON that is not an equiprobe result', async () => {
    const root = tempDir();
    for (const text of ['{"model": "r18"}', '[1, 2]', 'null', '{"schemaVersion": 1, "tool": {"name": "other"}}']) {
      const file = writeText(root, 'x.json', text);
      await expect(readReport(file)).rejects.toThrow(`'${file}' is not an equiprobe result (it has no schema_version and tool.name 'equiprobe').`);
    }
  });

  it('EXPECTED FAILURE - another schema version', async () => {
    const dir = writeResult(tempDir(), 'r', { ...makeReport({ name: 'r' }), schemaVersion: 3 as 2 });
    await expect(readReport(dir)).rejects.toThrow(
      `'${join(dir, 'result.json')}' has result schema_version 3, but this equiprobe reads version 2. Measure the model again with this equiprobe, or use the equiprobe version that wrote it.`,
    );
  });

  it('EXPECTED FAILURE - a truncated result names the missing field', async () => {
    const { parts: _parts, ...rest } = makeReport({ name: 'r' });
    const file = writeText(tempDir(), 'result.json', JSON.stringify(rest));
    await expect(readReport(file)).rejects.toThrow(`'${file}' is an equiprobe result without 'parts'; it may be truncated or edited. Measure the model again.`);
  });

  it('reads result.json in its snake_case on-disk form back into the in-memory report', async () => {
    const report = makeReport({ name: 'r' });
    const dir = writeResult(tempDir(), 'r', report);
    const disk = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
    expect(disk.schema_version).toBe(2);
    expect(disk.layers[0]).toMatchObject({ part: report.probes[0].part, op: report.probes[0].op, depth: 0, skipped: false, skip_reason: null });
    expect(Object.keys(disk.layers[0].inv)).toEqual(expect.arrayContaining(['defined_pairs', 'undefined_pairs']));
    const byTransform = (t: string) => disk.layers.find((l: { transform: string }) => l.transform === t);
    expect(byTransform('rot90').elements.map((e: { shift: unknown }) => e.shift)).toEqual([null, null, null]);
    expect(byTransform('translate').elements.every((e: { shift: unknown }) => typeof e.shift === 'number' && e.shift > 0)).toBe(true);
    // The same report, at the written precision.
    expect((await readReport(dir)).report).toEqual(JSON.parse(toJson(report)));
  });

  it('still reads a version 1 result (camelCase keys) as it is', async () => {
    const report = { ...makeReport({ name: 'r' }), schemaVersion: 1 as 2 };
    const file = writeText(tempDir(), 'result.json', JSON.stringify(report));
    expect((await readReport(file)).report.model.name).toBe('r');
  });

  it('every message is a single line', async () => {
    const file = writeText(tempDir(), 'result.json', '{\n"a":\n');
    const err = await readReport(file).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).not.toContain('\n');
  });
});
