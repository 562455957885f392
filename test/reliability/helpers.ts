/**
 * Shared fixtures for the reliability tests: tiny hand-built models (valid and deliberately
 * wrong), a seeded PRNG for mutations, and a runner for the compiled CLI (`bin/equiprobe.js`,
 * which imports `dist/`; `npm ci` builds it through `prepare`, locally run `npx tsc` first).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import { GraphBuilder, type Dim } from '../../src/onnx/graph.js';
import { mulberry32 } from '../../src/images/prng.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin/equiprobe.js');
export const ZOO = path.join(ROOT, 'examples/zoo');
export const ZOO_IMAGES = path.join(ZOO, 'images');

/** Throws a clear message when `dist/` is missing, rather than a confusing module error in every test. */
export function requireBuild(): void {
  if (!existsSync(path.join(ROOT, 'dist/cli/main.js'))) {
    throw new Error('dist/ is missing: run `npx tsc -p tsconfig.json` before the reliability tests.');
  }
}

/** Outcome of one CLI run. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node bin/equiprobe.js ...args` to completion (with a time bound) and captures its output. */
export function runCli(args: readonly string[], options: { timeout?: number; cwd?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    timeout: options.timeout ?? 60_000,
    env: { ...process.env, EQUIPROBE_DEBUG: '' },
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Same as `runCli` but asynchronous, so several runs can overlap. */
export function runCliAsync(args: readonly string[], options: { timeout?: number; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, EQUIPROBE_DEBUG: '', ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeout ?? 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Lines of stderr that are neither warnings nor progress output. */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('warning: '));
}

/** True when text looks like a JavaScript stack trace. */
export function hasStack(text: string): boolean {
  return /^\s+at .+\(?.*:\d+:\d+\)?$/m.test(text) || /node:internal/.test(text);
}

/** A tiny CNN: Conv → Relu → MaxPool → Conv → Relu → GlobalAveragePool → Flatten → Gemm (logits). */
export function tinyCnn(options: { channels?: number; height?: Dim; width?: Dim; batch?: Dim; seed?: number; nanBranch?: boolean } = {}): GraphBuilder {
  const { channels = 1, height = 16, width = 16, batch = 'N', seed = 1, nanBranch = false } = options;
  const rng = createRng(seed);
  const weights = (n: number) => Float32Array.from({ length: n }, () => rng.next() - 0.5);
  const g = new GraphBuilder('tiny');
  const x = g.input('x', [batch, channels, height, width]);
  const w1 = g.initializer('w1', weights(4 * channels * 9), [4, channels, 3, 3]);
  const [c1] = g.node('Conv', [x, w1], ['conv1'], { pads: [1, 1, 1, 1] });
  const [r1] = g.node('Relu', [c1], ['relu1']);
  if (nanBranch) {
    const [d] = g.node('Sub', [r1, g.scalar(10)], ['shifted']);
    const [l] = g.node('Log', [d], ['log']);
    g.node('Relu', [l], ['nan_relu']);
  }
  const [p1] = g.node('MaxPool', [r1], ['pool1'], { kernel_shape: [2, 2], strides: [2, 2] });
  const w2 = g.initializer('w2', weights(6 * 4 * 9), [6, 4, 3, 3]);
  const [c2] = g.node('Conv', [p1, w2], ['conv2'], { pads: [1, 1, 1, 1] });
  const [r2] = g.node('Relu', [c2], ['relu2']);
  const [gap] = g.node('GlobalAveragePool', [r2], ['gap']);
  const [flat] = g.node('Flatten', [gap], ['flat']);
  const wf = g.initializer('wf', weights(5 * 6), [5, 6]);
  const [logits] = g.node('Gemm', [flat, wf], ['logits'], { transB: 1 });
  g.output(logits);
  if (nanBranch) g.output('nan_relu');
  return g;
}

/** A valid ONNX model that is not a vision model: `y = x · W` with a 2-D input. */
export function matmulModel(): Uint8Array {
  const g = new GraphBuilder('matmul');
  const x = g.input('x', ['N', 8]);
  const w = g.initializer('w', new Float32Array(8 * 4).fill(0.1), [8, 4]);
  g.output(g.node('MatMul', [x, w], ['y'])[0]);
  return g.toBytes();
}

/** Two required image inputs added together. */
export function twoInputModel(): Uint8Array {
  const g = new GraphBuilder('two');
  const a = g.input('a', ['N', 1, 16, 16]);
  const b = g.input('b', ['N', 1, 16, 16]);
  const [s] = g.node('Add', [a, b], ['sum']);
  const [r] = g.node('Relu', [s], ['relu']);
  const [gap] = g.node('GlobalAveragePool', [r], ['gap']);
  g.output(g.node('Flatten', [gap], ['flat'])[0]);
  return g.toBytes();
}

/** A graph with one node of an operator no runtime knows ('FooBar', default domain). */
export function unknownOpModel(): Uint8Array {
  const g = new GraphBuilder('foobar');
  const x = g.input('x', ['N', 1, 16, 16]);
  const [y] = g.node('FooBar', [x], ['y']);
  const [r] = g.node('Relu', [y], ['relu']);
  g.output(r);
  return g.toBytes();
}

/**
 * `tinyCnn` with a side branch `nan_relu = Relu(Log(relu1 − 10))` after the first Relu: Log of
 * negative values gives NaN, so that layer is non-finite while the main path and the logits stay
 * finite. The branch is a second graph output so onnxruntime keeps it; the logits stay output 0.
 */
export function nanBranchModel(): Uint8Array {
  return tinyCnn({ nanBranch: true }).toBytes();
}

/** `tinyCnn` without any graph output. */
export function noOutputModel(): Uint8Array {
  const model = fromBinary(ModelProtoSchema, tinyCnn().toBytes());
  model.graph!.output = [];
  return toBinary(ModelProtoSchema, model);
}

/** A seeded PRNG (mulberry32): `next()` in [0, 1), `int(n)` in [0, n). */
export function createRng(seed: number): { next(): number; int(n: number): number } {
  const next = mulberry32(seed);
  return { next, int: (n: number) => Math.floor(next() * n) };
}
