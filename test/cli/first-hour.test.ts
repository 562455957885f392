/**
 * What a new user meets in the first hour (issue 13): one test per message added or changed,
 * the synthetic-images notice, and byte-identical re-runs.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, test } from 'vitest';
import { OptionError } from '../../src/option-error.js';
import { measure } from '../../src/pipeline.js';
import { errorLines, hasStack, requireBuild, runCli, runCliAsync, ZOO, ZOO_IMAGES, type CliResult } from '../reliability/helpers.js';

const P4CNN = path.join(ZOO, 'p4cnn.onnx');
let tmp: string;

beforeAll(() => {
  requireBuild();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'equiprobe-first-hour-'));
});

function expectOneLineError(r: CliResult, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  const lines = errorLines(r.stderr).filter((l) => !l.startsWith('(run with --help'));
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(hasStack(r.stderr + r.stdout)).toBe(false);
}

describe.concurrent('first-hour messages', { timeout: 60_000 }, () => {
  test('--version and -V print the package version', () => {
    const { version } = JSON.parse(readFileSync(path.join(ZOO, '..', '..', 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = runCli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(version);
    }
  });

  test('EXPECTED FAILURE - image files without --preset/--mean/--std name the presets, and nothing is written', async () => {
    const out = path.join(tmp, 'no-preset');
    const r = await runCliAsync(['measure', P4CNN, '--images', ZOO_IMAGES, '--out', out]);
    expectOneLineError(r, /^equiprobe: Image files in '.*' need the preprocessing the model was trained with: give --preset imagenet, --preset fmnist, --mean and --std, or --preset none/);
    // The run's lock may leave the folder; no result file is in it.
    expect(existsSync(path.join(out, 'result.json'))).toBe(false);
  });

  test('--preset none is still accepted when chosen explicitly', async () => {
    const out = path.join(tmp, 'preset-none');
    const r = await runCliAsync(['measure', P4CNN, '--images', ZOO_IMAGES, '--preset', 'none', '--max-images', '4', '--no-plots', '-q', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(path.join(out, 'result.json'), 'utf8'));
    expect(json.config.preprocessing.preset).toBe('none');
    // The only warning: 4 images are too few for the vector layers' interval (SPEC §4b), said, not left as a silent '-'.
    expect(json.warnings).toEqual([expect.stringMatching(/^Vector layers \(.+\) and the Pool and Final parts have no interval: the block jackknife needs at least 40 images and 4 were measured/)]);
  });

  test('EXPECTED FAILURE - --shifts 100 is out of range (not "not a shift list")', () => {
    const r = runCli(['measure', P4CNN, '-t', 'translate', '--shifts', '100']);
    expectOneLineError(r, /shift 100 is out of range: shifts are 1–32 pixels/);
    expect(r.stderr).not.toContain('is not a shift list');
  });

  test('EXPECTED FAILURE - a malformed --shifts is not a shift list', () => {
    expectOneLineError(runCli(['measure', P4CNN, '-t', 'translate', '--shifts', '1..x']), /'1\.\.x' is not a shift list: use a range such as 1\.\.8/);
  });

  test('without --images the summary and result.json say the images were synthetic noise', async () => {
    const out = path.join(tmp, 'synthetic');
    const r = await runCliAsync(['measure', P4CNN, '--synthetic', '4', '--no-plots', '-q', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('p4cnn: 4 synthetic noise images, 12 probes, pearson');
    expect(r.stdout).toMatch(/^warning: No image folder was given, so 4 seeded noise images were measured/m);
    const json = JSON.parse(readFileSync(path.join(out, 'result.json'), 'utf8'));
    expect(json.warnings[0]).toMatch(/^No image folder was given, so 4 seeded noise images were measured/);
    expect(json.config.synthetic).toBe(4);
  });
});

test('EXPECTED FAILURE - the library names option fields, not flags, before loading the model', async () => {
  const err = await measure({ model: path.join(tmp, 'not-loaded.onnx'), images: ZOO_IMAGES }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(OptionError);
  expect((err as Error).message).toMatch(/give `preset: 'imagenet'`, `preset: 'fmnist'`, `mean` and `std`, or `preset: 'none'`/);
  expect((err as Error).message).not.toContain('--');
});

describe.concurrent('class folders', { timeout: 60_000 }, () => {
  /** 3 class folders of 4 zoo images each. */
  function classTree(): string {
    const dir = mkdtempSync(path.join(tmp, 'classes-'));
    const files = readdirSync(ZOO_IMAGES).filter((f) => f.endsWith('.png')).sort().slice(0, 12);
    files.forEach((f, i) => {
      const cls = ['bag', 'coat', 'shirt'][Math.floor(i / 4)];
      mkdirSync(path.join(dir, cls), { recursive: true });
      copyFileSync(path.join(ZOO_IMAGES, f), path.join(dir, cls, f));
    });
    return dir;
  }

  test('--help states the --classes order rule and that --max-images takes whole classes', () => {
    const r = runCli(['measure', '--help']);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain("line i of FILE is the folder name of the model's class index i");
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('with class subfolders: whole classes, in folder order');
  });

  test('class folders without --classes: a warning says accuracy is not measured; --max-images names the classes it covers', async () => {
    const dir = classTree();
    const r = await runCliAsync(['measure', P4CNN, '--images', dir, '--preset', 'fmnist', '--max-images', '5', '--no-plots', '-q', '--out', path.join(dir, 'out')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: The images are in 3 class subfolders \('bag', 'coat', 'shirt'\) but no classes file was given, so accuracy is not measured\. Give one \(--classes FILE\)/m);
    expect(r.stderr).toMatch(/^warning: The first 5 image\(s\) in sorted path order \(max images, SPEC §8\) cover 2 of 3 class folders \('bag', 'coat'\)/m);
  });

  test('class folders with --classes: no warning, and accuracy is measured', async () => {
    const dir = classTree();
    const classes = path.join(dir, '..', `${path.basename(dir)}.txt`);
    writeFileSync(classes, 'shirt\ncoat\nbag\n');
    const r = await runCliAsync(['measure', P4CNN, '--images', dir, '--preset', 'fmnist', '--classes', classes, '--no-plots', '-q', '--out', path.join(dir, 'out')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/class subfolders|class folders/);
    expect(JSON.parse(readFileSync(path.join(dir, 'out', 'result.json'), 'utf8')).accuracy.images).toBe(12);
  });
});

test('result.json records the channel conversion done on each image file', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(path.join(tmp, 'conversions-'));
  const pixels = (channels: 1 | 3 | 4) => sharp(Buffer.alloc(28 * 28 * channels, 90), { raw: { width: 28, height: 28, channels } });
  await pixels(1).toColourspace('b-w').png().toFile(path.join(dir, 'a-gray.png'));
  await pixels(3).png().toFile(path.join(dir, 'b-rgb.png'));
  await pixels(4).png().toFile(path.join(dir, 'c-rgba.png'));
  await pixels(3).png().toFile(path.join(dir, 'd-rgb.png'));
  const r = await runCliAsync(['measure', P4CNN, '--images', dir, '--preset', 'fmnist', '--no-plots', '-q', '--out', path.join(dir, 'out')]);
  expect(r.code, r.stderr).toBe(0);
  const json = JSON.parse(readFileSync(path.join(dir, 'out', 'result.json'), 'utf8'));
  // Sorted by code units ('a' < '→').
  expect(json.images.conversions).toEqual([
    { conversion: 'none', images: 1 },
    { conversion: 'rgba→gray', images: 1 },
    { conversion: 'rgb→gray', images: 2 },
  ]);
});

describe('byte-stable outputs', { timeout: 120_000 }, () => {
  test('two runs of the same measurement write byte-identical result files', async () => {
    const args = (out: string) => ['measure', P4CNN, '--images', ZOO_IMAGES, '--preset', 'fmnist', '-t', 'rot90', '-t', 'translate', '--shifts', '1,3', '--max-images', '16', '--threads', '2', '-q', '--out', out];
    const env = { SOURCE_DATE_EPOCH: '1767225600' };
    const [a, b] = [path.join(tmp, 'stable-a'), path.join(tmp, 'stable-b')];
    const runs = await Promise.all([runCliAsync(args(a), { env }), runCliAsync(args(b), { env })]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    // The state/ folder keeps full precision on purpose (merge adds its sums); every result file must match.
    const files = readdirSync(a, { withFileTypes: true }).filter((f) => f.isFile()).map((f) => f.name).sort();
    expect(files).toEqual(expect.arrayContaining(['result.json', 'layers.csv', 'layers.json', 'parts.csv', 'elements.csv', 'shift.svg', 'layers_rot90.svg']));
    for (const f of files) expect(readFileSync(path.join(b, f)).equals(readFileSync(path.join(a, f))), f).toBe(true);
    expect(JSON.parse(readFileSync(path.join(a, 'result.json'), 'utf8')).created_at).toBe('2026-01-01T00:00:00.000Z');
  });
});
