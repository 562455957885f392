/**
 * `measure --resume-if-possible`, the mode for jobs that a scheduler stops and starts again with
 * the same command line: SIGTERM part-way, then the same command again, ends with the
 * uninterrupted tables; the same command once more exits 0 without measuring. Runs the compiled
 * CLI (`npm run build` first).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BIN, ROOT, ZOO, ZOO_IMAGES, errorLines, requireBuild, runCli, type CliResult } from '../reliability/helpers.js';

const ARGS = ['measure', path.join(ZOO, 'cnn7.onnx'), '--images', ZOO_IMAGES, '--preset', 'fmnist', '-t', 'rot90', '--max-images', '40', '--batch', '1', '--threads', '1', '--no-plots', '-q'];
const TABLES = ['layers.csv', 'parts.csv', 'elements.csv'];

let tmp: string;
const out = (name: string) => path.join(tmp, name);

/** Images in the checkpoint of result folder `dir` (either format: checkpoint.json, or a checkpoint/ state folder). */
function savedImages(dir: string): number {
  const read = (file: string) => {
    try {
      return JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    } catch {
      return null;
    }
  };
  return read('checkpoint.json')?.state?.processed?.length ?? read('checkpoint/state.json')?.state?.images ?? 0;
}

/** Runs the CLI and sends SIGTERM once the first checkpoint holds an image. */
function terminateAfterFirstCheckpoint(args: string[], dir: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, EQUIPROBE_DEBUG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const poll = setInterval(() => {
      if (savedImages(dir) > 0) {
        clearInterval(poll);
        child.kill('SIGTERM');
      }
    }, 5);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

beforeAll(() => {
  requireBuild();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'equiprobe-resume-if-possible-'));
  const r = runCli([...ARGS, '--out', out('reference')]);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('measure --resume-if-possible', () => {
  test('SIGTERM part-way, the same command again resumes and ends with the uninterrupted tables; once more, exit 0 without measuring', async () => {
    const dir = out('job');
    const args = [...ARGS, '--out', dir, '--resume-if-possible'];
    const stopped = await terminateAfterFirstCheckpoint(args, dir);
    expect(stopped.code, stopped.stderr).toBe(143);
    expect(errorLines(stopped.stderr)).toEqual([expect.stringMatching(/^equiprobe: Interrupted by SIGTERM; \d+ image\(s\) are saved in '.*'\. Run the same command to continue\.$/)]);

    const resumed = runCli(args);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/^resuming from '.*checkpoint/m);
    for (const table of TABLES) expect(readFileSync(path.join(dir, table), 'utf8'), table).toBe(readFileSync(path.join(out('reference'), table), 'utf8'));

    const before = readFileSync(path.join(dir, 'result.json'), 'utf8');
    const again = runCli(args);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`'${dir}' already holds the finished result of these options and model; nothing was measured.`);
    expect(readFileSync(path.join(dir, 'result.json'), 'utf8')).toBe(before);
  }, 120_000);

  test('an empty folder is started', () => {
    const r = runCli([...ARGS, '--out', out('fresh'), '--resume-if-possible']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('resuming');
    expect(readFileSync(path.join(out('fresh'), 'layers.csv'), 'utf8')).toBe(readFileSync(path.join(out('reference'), 'layers.csv'), 'utf8'));
  }, 60_000);

  test('EXPECTED FAILURE - a finished result of other options is refused in one line and kept', () => {
    const before = readFileSync(path.join(out('reference'), 'result.json'), 'utf8');
    const r = runCli([...ARGS.map((a) => (a === 'rot90' ? 'hflip' : a)), '--out', out('reference'), '--resume-if-possible']);
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^equiprobe: '.*reference' holds a finished result of other options or another model .*Use --force to replace it, or --out/)]);
    expect(readFileSync(path.join(out('reference'), 'result.json'), 'utf8')).toBe(before);
  }, 60_000);

  test('EXPECTED FAILURE - with --force or --resume', () => {
    for (const flag of ['--force', '--resume']) {
      const r = runCli([...ARGS, '--out', out('conflict'), '--resume-if-possible', flag]);
      expect(r.code, flag).toBe(1);
      expect(r.stderr).toContain(`option '--resume-if-possible' cannot be used with option '${flag}'`);
      expect(existsSync(out('conflict'))).toBe(false);
    }
  }, 60_000);
});
