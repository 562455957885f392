/**
 * Kill-and-resume: a run stopped part-way (SIGKILL, SIGTERM, SIGINT) keeps a valid checkpoint and
 * its previous result, and `--resume` ends with exactly the scores of an uninterrupted run.
 * Runs the compiled CLI (`dist/`, built by `npm ci` through `prepare`; locally run `npx tsc` first).
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BIN, ROOT, ZOO, ZOO_IMAGES, errorLines, hasStack, requireBuild, runCli, type CliResult } from './helpers.js';

const IMAGES = 60;
// One null pair per batch (--batch 1 and 2 alike) gives a checkpoint every two images, so a kill reliably lands part-way.
const ARGS = [
  'measure', path.join(ZOO, 'cnn7.onnx'), '--images', ZOO_IMAGES, '--preset', 'fmnist', '-t', 'rot90',
  '--max-images', String(IMAGES), '--batch', '1', '--threads', '1', '--no-plots', '-q',
];

let tmp: string;
let reference: Record<string, unknown>;

const out = (name: string) => path.join(tmp, name);
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
/** The committed checkpoint's manifest (state format 2): images measured and the fixed-size state. */
const checkpointOf = (dir: string) => readJson(path.join(dir, 'checkpoint', 'state.json'));

/**
 * Starts a run and sends `signal` once its checkpoint holds at least `atLeast` images. Every
 * checkpoint read on the way must parse (writes are atomic).
 */
function runAndInterrupt(dir: string, signal: NodeJS.Signals, extra: string[] = [], atLeast = 4): Promise<CliResult & { seen: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...ARGS, '--out', dir, ...extra], { cwd: ROOT, env: { ...process.env, EQUIPROBE_DEBUG: '' } });
    let stdout = '';
    let stderr = '';
    let seen = 0;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const checkpoint = path.join(dir, 'checkpoint', 'state.json');
    const poll = setInterval(() => {
      if (!existsSync(checkpoint)) return;
      let saved: number;
      try {
        saved = readJson(checkpoint).state.images;
      } catch (err) {
        // A checkpoint may vanish between existsSync and read (run finished); a torn one is a failure.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        clearInterval(poll);
        child.kill('SIGKILL');
        reject(new Error(`checkpoint/state.json was not valid JSON mid-run: ${(err as Error).message}`));
        return;
      }
      if (saved >= atLeast) {
        seen = saved;
        clearInterval(poll);
        child.kill(signal);
      }
    }, 5);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code, sig) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ code, signal: sig, stdout, stderr, seen });
    });
  });
}

/** The report without what legitimately differs between runs (time stamp, thread count, batch size). */
function comparable(report: Record<string, unknown>): Record<string, unknown> {
  const { created_at: _c, config, ...rest } = report as { created_at: string; config: Record<string, unknown> };
  const { threads: _t, batch: _b, ...kept } = config;
  return { ...rest, config: kept };
}

/**
 * Deep equality with numbers compared to 1e-9, or to one unit of the 6th significant digit that
 * result.json keeps (two sums that differ in the 12th digit can round apart); null stands for NaN.
 */
function expectClose(actual: unknown, expected: unknown, where = '$'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    expect(Math.abs(actual - expected), `${where}: ${actual} vs ${expected}`).toBeLessThanOrEqual(Math.max(1e-9, 1e-5 * Math.abs(expected)));
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual), where).toBe(true);
    expect((actual as unknown[]).length, `${where}.length`).toBe(expected.length);
    expected.forEach((e, i) => expectClose((actual as unknown[])[i], e, `${where}[${i}]`));
  } else if (expected && typeof expected === 'object') {
    expect(Object.keys(actual as object).sort(), where).toEqual(Object.keys(expected).sort());
    for (const [k, v] of Object.entries(expected)) expectClose((actual as Record<string, unknown>)[k], v, `${where}.${k}`);
  } else {
    expect(actual, where).toEqual(expected);
  }
}

function expectOneLineError(r: CliResult, pattern: RegExp): void {
  const lines = errorLines(r.stderr);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^equiprobe: /);
  expect(lines[0]).toMatch(pattern);
  expect(hasStack(r.stderr + r.stdout)).toBe(false);
}

beforeAll(() => {
  requireBuild();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'equiprobe-resume-'));
  const r = runCli([...ARGS, '--out', out('reference')]);
  expect(r.code, r.stderr).toBe(0);
  reference = readJson(path.join(out('reference'), 'result.json'));
  expect((reference as { images: { used: number } }).images.used).toBe(IMAGES);
}, 120_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('kill and resume', () => {
  test('SIGKILL part-way, then --resume, gives the uninterrupted scores', async () => {
    const dir = out('killed');
    const killed = await runAndInterrupt(dir, 'SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(path.join(dir, 'result.json'))).toBe(false);
    const saved = checkpointOf(dir).state.images;
    expect(saved).toBeGreaterThanOrEqual(killed.seen);
    expect(saved).toBeLessThan(IMAGES);

    const resumed = runCli([...ARGS, '--out', dir, '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    // The checkpoint becomes the result's state (for merge).
    expect(existsSync(path.join(dir, 'checkpoint'))).toBe(false);
    expect(readJson(path.join(dir, 'state', 'state.json')).state.images).toBe(IMAGES);
    expectClose(comparable(readJson(path.join(dir, 'result.json'))), comparable(reference));
  }, 120_000);

  test('SIGTERM stops after the batch in progress with exit 143 and a one-line hint; --resume finishes', async () => {
    const dir = out('terminated');
    const stopped = await runAndInterrupt(dir, 'SIGTERM');
    expect(stopped.code).toBe(143);
    expectOneLineError(stopped, /Interrupted by SIGTERM; \d+ image\(s\) are saved in .*checkpoint'.*--resume/);
    expect(existsSync(path.join(dir, 'result.json'))).toBe(false);
    const state = checkpointOf(dir).state;
    expect(state.images).toBeLessThan(IMAGES);
    expect(stopped.stderr).toContain(`${state.images} image(s) are saved`);

    // EXPECTED FAILURE - resuming with other options (another transform, fewer images).
    for (const extra of [['-t', 'hflip'], ['--max-images', '20']]) {
      const args = [...ARGS, '--out', dir, '--resume'];
      const at = args.indexOf(extra[0]);
      if (at >= 0) args.splice(at, 2);
      const other = runCli([...args, ...extra]);
      expect(other.code).toBe(1);
      expectOneLineError(other, /Cannot resume: .* was written with other options/);
    }
    expect(checkpointOf(dir).state).toEqual(state);

    const resumed = runCli([...ARGS, '--out', dir, '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expectClose(comparable(readJson(path.join(dir, 'result.json'))), comparable(reference));
  }, 120_000);

  test('SIGINT during a --force rerun leaves the previous result intact (exit 130)', async () => {
    const dir = out('previous');
    cpSync(out('reference'), dir, { recursive: true });
    const before = readFileSync(path.join(dir, 'result.json'), 'utf8');
    const stopped = await runAndInterrupt(dir, 'SIGINT', ['--force']);
    expect(stopped.code).toBe(130);
    expectOneLineError(stopped, /Interrupted by SIGINT/);
    expect(readFileSync(path.join(dir, 'result.json'), 'utf8')).toBe(before);
    expect(() => checkpointOf(dir)).not.toThrow();
    // No staging folder is left behind by a graceful stop.
    expect(readdirNames(dir).filter((n) => n.startsWith('.staging-'))).toEqual([]);
  }, 120_000);

  test('a signal before the first checkpoint exits at once and writes nothing', async () => {
    const dir = out('early');
    // One batch of all images: the first checkpoint comes only at the end. Without -q the progress
    // line after the first forward pass tells that the run (and its signal handler) has started.
    const args = [...ARGS.filter((a) => a !== '-q'), '--out', dir];
    args[args.indexOf('--batch') + 1] = String(IMAGES);
    const r = await new Promise<CliResult>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, EQUIPROBE_DEBUG: '' } });
      let stderr = '';
      child.stderr.on('data', (d) => {
        if (!stderr.includes('passes')) setImmediate(() => stderr.includes('passes') && child.kill('SIGTERM'));
        stderr += d;
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout: '', stderr });
      });
    });
    expect(r.code, r.stderr).toBe(143);
    expectOneLineError({ ...r, stderr: r.stderr.split('\n').filter((l) => !l.includes(' passes, ')).join('\n') }, /before the first checkpoint; nothing was written/);
    expect(existsSync(path.join(dir, 'result.json'))).toBe(false);
    expect(existsSync(path.join(dir, 'checkpoint'))).toBe(false);
  }, 60_000);
});

describe('one writer per result folder', () => {
  test('EXPECTED FAILURE - a second run on a folder being written stops with one line naming the writer; its lock is taken over once it is killed', async () => {
    const dir = out('locked');
    const first = spawn(process.execPath, [BIN, ...ARGS, '--out', dir], { cwd: ROOT, env: { ...process.env, EQUIPROBE_DEBUG: '' } });
    const closed = new Promise((resolve) => first.on('close', resolve));
    // Wait until the first run has committed a checkpoint: it holds the lock by then.
    const manifest = path.join(dir, 'checkpoint', 'state.json');
    for (let i = 0; i < 600 && !(existsSync(manifest) && readJson(manifest).state.images > 0); i++) await new Promise((r) => setTimeout(r, 50));
    // Stopped, not killed: the writer stays alive holding its lock however long the second run takes
    // to start (on a loaded machine the first run could otherwise finish and release it first).
    first.kill('SIGSTOP');
    expect(existsSync(path.join(dir, '.equiprobe.lock')), 'the first run ended before it could be stopped').toBe(true);
    const second = runCli([...ARGS, '--out', dir, '--force']);
    first.kill('SIGKILL');
    await closed;
    expect(second.code).toBe(1);
    expectOneLineError(second, new RegExp(`is being written by process ${first.pid}; wait for it to finish or stop it`));
    // The killed run left its lock behind; the next run takes it over.
    expect(existsSync(path.join(dir, '.equiprobe.lock'))).toBe(true);
    const third = runCli([...ARGS, '--out', dir, '--resume']);
    expect(third.code, third.stderr).toBe(0);
    expect(existsSync(path.join(dir, '.equiprobe.lock'))).toBe(false);
    expectClose(comparable(readJson(path.join(dir, 'result.json'))), comparable(reference));
  }, 120_000);

  test('EXPECTED FAILURE - a JSON checkpoint of an older equiprobe is refused with one line', () => {
    const dir = out('old-checkpoint');
    cpSync(out('reference'), dir, { recursive: true });
    writeFileSync(path.join(dir, 'checkpoint.json'), JSON.stringify({ fingerprint: 'x', state: { processed: [] } }));
    const r = runCli([...ARGS, '--out', dir, '--resume']);
    expect(r.code).toBe(1);
    expectOneLineError(r, /checkpoint\.json' was written by an older equiprobe \(a JSON checkpoint\); it cannot be resumed or merged/);
  });
});

describe('existing results', () => {
  test('EXPECTED FAILURE - a new run over an existing result without --force', () => {
    const dir = out('reference');
    const before = readFileSync(path.join(dir, 'result.json'), 'utf8');
    const r = runCli([...ARGS, '--out', dir]);
    expect(r.code).toBe(1);
    expectOneLineError(r, /already holds a result\. Use --force/);
    expect(readFileSync(path.join(dir, 'result.json'), 'utf8')).toBe(before);
  }, 60_000);

  test('EXPECTED FAILURE - --resume with no checkpoint', () => {
    const r = runCli([...ARGS, '--out', out('reference'), '--resume']);
    expect(r.code).toBe(1);
    expectOneLineError(r, /Cannot resume: no readable checkpoint/);
  });
});

function readdirNames(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}
