/**
 * Bad inputs through the compiled CLI: each either fails with one line `equiprobe: …`, exit code 1,
 * no stack trace and no output folder, or (where the input is only partly bad) succeeds and says
 * what it skipped or flagged. docs/reliability.md lists the same cases with their messages.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ZOO, ZOO_IMAGES, createRng, errorLines, hasStack, matmulModel, nanBranchModel, noOutputModel, requireBuild, runCliAsync, tinyCnn, twoInputModel, unknownOpModel,
  type CliResult,
} from './helpers.js';

let tmp: string;
const at = (...parts: string[]) => path.join(tmp, ...parts);
const FAST = ['--threads', '1', '--no-plots', '-q'];
let outCount = 0;
const freshOut = () => at(`out-${(outCount += 1)}`);

beforeAll(() => {
  requireBuild();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'equiprobe-bad-'));
  const rng = createRng(7);
  const random = (n: number) => Uint8Array.from({ length: n }, () => rng.int(256));
  writeFileSync(at('tiny.onnx'), tinyCnn().toBytes());
  writeFileSync(at('random.onnx'), random(4096));
  writeFileSync(at('empty.onnx'), new Uint8Array(0));
  copyFileSync(path.join(ZOO_IMAGES, '00000_c9.png'), at('image.onnx'));
  writeFileSync(at('truncated.onnx'), readFileSync(path.join(ZOO, 'cnn7.onnx')).subarray(0, 40_000));
  mkdirSync(at('folder.onnx'));
  writeFileSync(at('locked.onnx'), tinyCnn().toBytes());
  chmodSync(at('locked.onnx'), 0o000);
  writeFileSync(at('matmul.onnx'), matmulModel());
  writeFileSync(at('two-inputs.onnx'), twoInputModel());
  writeFileSync(at('non-square.onnx'), tinyCnn({ channels: 3, height: 16, width: 24 }).toBytes());
  writeFileSync(at('foobar.onnx'), unknownOpModel());
  writeFileSync(at('opset99.onnx'), tinyCnn().toBytes(99));
  writeFileSync(at('nan.onnx'), nanBranchModel());
  writeFileSync(at('dynamic.onnx'), tinyCnn({ height: 'H', width: 'W' }).toBytes());
  writeFileSync(at('huge-input.onnx'), tinyCnn({ height: 2 ** 31, width: 2 ** 31 }).toBytes());
  writeFileSync(at('zero-batch.onnx'), tinyCnn({ batch: 0 }).toBytes());
  writeFileSync(at('no-output.onnx'), noOutputModel());

  mkdirSync(at('no-images'));
  writeFileSync(at('no-images', 'notes.txt'), 'not an image');
  mkdirSync(at('undecodable'));
  writeFileSync(at('undecodable', 'a.png'), random(300));
  writeFileSync(at('undecodable', 'b.jpg'), new Uint8Array(0));
  writeFileSync(at('undecodable', 'c.png'), readFileSync(path.join(ZOO_IMAGES, '00001_c2.png')).subarray(0, 60));
  mkdirSync(at('mixed'));
  for (const name of readdirSync(ZOO_IMAGES).filter((n) => n.endsWith('.png')).slice(0, 8)) copyFileSync(path.join(ZOO_IMAGES, name), at('mixed', name));
  for (const name of readdirSync(at('undecodable'))) copyFileSync(at('undecodable', name), at('mixed', `z${name}`));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** A failure: exit 1, one stderr line (besides warnings) that matches, no stack, no output written. */
async function expectFailure(args: string[], pattern: RegExp): Promise<CliResult> {
  const out = freshOut();
  const r = await runCliAsync(args[0] === 'measure' ? [...args, '--out', out, ...FAST] : args);
  expect(r.code, r.stderr).toBe(1);
  const lines = errorLines(r.stderr);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^equiprobe: /);
  expect(lines[0]).toMatch(pattern);
  expect(lines[0].length).toBeLessThan(400);
  expect(hasStack(r.stderr + r.stdout)).toBe(false);
  expect(existsSync(out), `${out} should not exist`).toBe(false);
  return r;
}

/** A success: exit 0 and a result.json, which is returned. */
async function expectSuccess(args: string[]): Promise<{ r: CliResult; report: Record<string, any> }> {
  const out = freshOut();
  const r = await runCliAsync([...args, '--out', out, ...FAST]);
  expect(r.code, r.stderr).toBe(0);
  expect(hasStack(r.stderr + r.stdout)).toBe(false);
  return { r, report: JSON.parse(readFileSync(path.join(out, 'result.json'), 'utf8')) };
}

const SYN = ['--synthetic', '8'];
const isRoot = process.getuid?.() === 0;

describe.concurrent('model files', { timeout: 60_000 }, () => {
  test('EXPECTED FAILURE - missing model file', () => expectFailure(['measure', at('missing.onnx')], /does not exist/));
  test('EXPECTED FAILURE - model path is a folder', () => expectFailure(['measure', at('folder.onnx')], /is a folder or other non-file, not a model file/));
  // root reads any file, so the permission case only means something for other users.
  test.skipIf(isRoot)('EXPECTED FAILURE - unreadable model file', () => expectFailure(['measure', at('locked.onnx')], /Cannot read model file .*EACCES/));
  for (const name of ['random', 'empty', 'image', 'truncated']) {
    test(`EXPECTED FAILURE - not ONNX: ${name}`, () => expectFailure(['measure', at(`${name}.onnx`)], /is not an ONNX model/));
  }
  test('EXPECTED FAILURE - a 2-D MatMul model', () => expectFailure(['measure', at('matmul.onnx')], /no image-like input/));
  test('EXPECTED FAILURE - two required inputs', () => expectFailure(['measure', at('two-inputs.onnx')], /2 required inputs \(a, b\)/));
  test('EXPECTED FAILURE - rot90 on a 16×24 input', () => expectFailure(['measure', at('non-square.onnx'), ...SYN], /rot90' needs a square input .* 16×24/));
  test('EXPECTED FAILURE - unsupported operator FooBar', () => expectFailure(['measure', at('foobar.onnx')], /no operator 'FooBar' at opset 17/));
  test('EXPECTED FAILURE - unsupported opset 99', () => expectFailure(['measure', at('opset99.onnx')], /needs opset 99 of 'ai\.onnx', but this onnxruntime supports up to opset \d+/));
  test('EXPECTED FAILURE - dynamic spatial size without --size', () => expectFailure(['measure', at('dynamic.onnx'), ...SYN], /dynamic spatial size\. Give the size with --size/));
  test('dynamic spatial size with --size', async () => {
    const { report } = await expectSuccess(['measure', at('dynamic.onnx'), ...SYN, '--size', '16']);
    expect(report.model.input).toMatchObject({ height: 16, width: 16 });
  });
  // Found by the fuzz test: these crashed with a TypeError or a RangeError from a typed array.
  test('EXPECTED FAILURE - no graph output', () => expectFailure(['measure', at('no-output.onnx'), ...SYN], /declares no graph output/));
  test('EXPECTED FAILURE - input shape too large', () => expectFailure(['measure', at('huge-input.onnx'), ...SYN], /has shape \[N, 1, 2147483648, 2147483648\], too large/));
  test('EXPECTED FAILURE - a batch dim of 0', () => expectFailure(['measure', at('zero-batch.onnx'), ...SYN], /has shape \[0, 1, 16, 16\] with a size of 0 or less/));
  test('EXPECTED FAILURE - layers on an unsupported operator', () => expectFailure(['layers', at('foobar.onnx')], /no operator 'FooBar'/));
  test('EXPECTED FAILURE - layers on random bytes', () => expectFailure(['layers', at('random.onnx')], /is not an ONNX model/));
});

describe.concurrent('images and options', { timeout: 60_000 }, () => {
  test('EXPECTED FAILURE - image folder without images', () => expectFailure(['measure', at('tiny.onnx'), '--images', at('no-images'), '--preset', 'none'], /No image files in/));
  test('EXPECTED FAILURE - only undecodable images', async () => {
    const r = await expectFailure(['measure', at('tiny.onnx'), '--images', at('undecodable'), '--preset', 'none'], /None of the 3 image file\(s\) .* could be decoded/);
    expect(r.stderr.match(/^warning: skipped /gm)).toHaveLength(3);
  });
  test('some undecodable images among good ones are skipped and counted', async () => {
    const { r, report } = await expectSuccess(['measure', at('tiny.onnx'), '--images', at('mixed'), '--preset', 'none']);
    expect(report.images.used).toBe(8);
    expect(report.images.skipped.map((s: { file: string }) => s.file)).toEqual(['za.png', 'zb.jpg', 'zc.png']);
    expect(report.images.skipped.every((s: { reason: string }) => s.reason.length > 0 && !s.reason.includes('\n'))).toBe(true);
    expect(r.stdout).toContain('3 image file(s) skipped');
  });
  test('EXPECTED FAILURE - preset imagenet on a 1-channel model', () =>
    expectFailure(['measure', at('tiny.onnx'), '--images', at('mixed'), '--preset', 'imagenet'], /Preset 'imagenet' gives 3 channels .* takes 1/));
  test('EXPECTED FAILURE - --include matching nothing', () => expectFailure(['measure', at('tiny.onnx'), ...SYN, '--include', '^nothing$'], /--include '\^nothing\$' matches no probe tensor/));
  test('a layer with NaN/Inf is flagged and left out of the part averages', async () => {
    const { r, report } = await expectSuccess(['measure', at('nan.onnx'), ...SYN]);
    expect(r.stderr).toMatch(/^warning: Layer 'nan_relu' produced NaN or Inf/m);
    expect(report.warnings.filter((w: string) => w.includes("'nan_relu'"))).toHaveLength(1);
    const probe = report.probes.find((p: { name: string }) => p.name === 'nan_relu');
    const peers = report.probes.filter((p: { part: string; name: string }) => p.part === probe.part && p.name !== 'nan_relu');
    const part = report.parts.find((p: { part: string }) => p.part === probe.part);
    expect(part.layers).toBe(peers.length);
    for (const p of report.parts) expect(Number.isFinite(p.inv) && Number.isFinite(p.eqv)).toBe(true);
  });
});
