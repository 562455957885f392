/**
 * Fuzzing with seeded mutations: bit flips, truncations, overwritten chunks and random bytes of
 * model files (a GraphBuilder model and examples/zoo/cnn7.onnx) and of image files (PNG and JPEG).
 * Most cases run in-process through `describeProbes` and `measure`; each must resolve, or reject
 * with an Error whose message is one line of ours, not a raw internal error. A few cases go
 * through the compiled CLI to check exit codes and that no stack trace is printed.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { measure } from '../../src/pipeline.js';
import { describeProbes } from '../../src/probeset.js';
import { ZOO, ZOO_IMAGES, createRng, errorLines, hasStack, requireBuild, runCliAsync, tinyCnn } from './helpers.js';

const SEED = 20240611;
const rng = createRng(SEED);

type Mutation = (bytes: Uint8Array) => Uint8Array;

/** Flips 1–8 random bits; `head` limits the flips to the first bytes (where the structure is). */
const flipBits = (head = Infinity): Mutation => (bytes) => {
  const out = Uint8Array.from(bytes);
  const span = Math.min(head, out.length);
  for (let n = 1 + rng.int(8); n > 0; n -= 1) out[rng.int(span)] ^= 1 << rng.int(8);
  return out;
};
const truncate: Mutation = (bytes) => bytes.subarray(0, rng.int(bytes.length));
/** Overwrites a chunk of up to 64 bytes with random bytes. */
const overwrite: Mutation = (bytes) => {
  const out = Uint8Array.from(bytes);
  const start = rng.int(out.length);
  for (let i = start; i < Math.min(out.length, start + 1 + rng.int(64)); i += 1) out[i] = rng.int(256);
  return out;
};
const randomBytes: Mutation = () => Uint8Array.from({ length: rng.int(4096) }, () => rng.int(256));

/** Errors thrown by JavaScript or a library itself rather than written by us; any of these is a bug. */
const RAW = [
  /Cannot read propert/, /is not a function/, /is not iterable/, /of undefined|of null/, /Invalid (typed )?array length/,
  /Maximum call stack/, /Cannot convert/, /out of memory/i, /premature EOF|invalid wire type|illegal tag/i, /^\[ONNXRuntimeError\]/, /^\//,
];

/** One in-process outcome: undefined when it resolved, else the message; fails on a raw error. */
async function outcome(run: () => Promise<unknown>, label: string): Promise<string | undefined> {
  try {
    await run();
    return undefined;
  } catch (err) {
    expect(err, label).toBeInstanceOf(Error);
    const e = err as Error;
    expect(e.message.includes('\n'), `${label}: multi-line message: ${e.message}`).toBe(false);
    expect(e.message.length, `${label}: ${e.message}`).toBeGreaterThan(0);
    for (const raw of RAW) expect(e.message, `${label}: raw error ${e.name}: ${e.message}\n${e.stack}`).not.toMatch(raw);
    expect(e.name === 'TypeError' && !e.message.startsWith('This onnxruntime'), `${label}: TypeError: ${e.message}`).toBe(false);
    return e.message;
  }
}

let tmp: string;
const seen = new Map<string, number>();
const note = (m: string | undefined) => {
  // Paths vary between cases; keep the message shape.
  const key = (m ?? '(ok)').replace(/'[^']*'/g, "'…'").replace(/\d+/g, 'N').slice(0, 120);
  seen.set(key, (seen.get(key) ?? 0) + 1);
};

const sources: Record<string, Uint8Array> = {};
const mutations: Record<string, Mutation> = {
  flip: flipBits(),
  flipHead: flipBits(512),
  truncate,
  overwrite,
  random: randomBytes,
};

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'equiprobe-fuzz-'));
  sources.tiny = tinyCnn({ height: 12, width: 12 }).toBytes();
  sources.cnn7 = readFileSync(path.join(ZOO, 'cnn7.onnx'));
});

afterAll(() => {
  if (process.env.EQUIPROBE_FUZZ_REPORT) console.log([...seen].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n}\t${k}`).join('\n'));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Writes `count` mutants of each source for each mutation and returns their paths. */
function modelMutants(count: number, prefix: string): string[] {
  const files: string[] = [];
  for (const [source, bytes] of Object.entries(sources)) {
    for (const [kind, mutate] of Object.entries(mutations)) {
      for (let i = 0; i < count; i += 1) {
        const file = path.join(tmp, `${prefix}-${source}-${kind}-${i}.onnx`);
        writeFileSync(file, mutate(bytes));
        files.push(file);
      }
    }
  }
  return files;
}

describe('mutated models, in-process', { timeout: 60_000 }, () => {
  test('describeProbes on 200 mutants resolves or rejects with one of our messages', async () => {
    for (const file of modelMutants(20, 'layers')) {
      note(await outcome(() => describeProbes({ model: file, threads: 1 }), file));
    }
  });

  test('measure on 100 mutants resolves or rejects with one of our messages', async () => {
    for (const file of modelMutants(10, 'measure')) {
      note(await outcome(() => measure({ model: file, synthetic: 4, batch: 4, threads: 1, transforms: ['hflip'] }), file));
    }
  });
});

/** Real images to mutate: the zoo's PNGs and JPEG copies of them. */
async function imageSources(): Promise<{ name: string; bytes: Uint8Array }[]> {
  const pngs = readdirSync(ZOO_IMAGES).filter((n) => n.endsWith('.png')).slice(0, 4);
  const out: { name: string; bytes: Uint8Array }[] = [];
  for (const name of pngs) {
    const png = readFileSync(path.join(ZOO_IMAGES, name));
    out.push({ name, bytes: png });
    out.push({ name: name.replace('.png', '.jpg'), bytes: await sharp(png).resize(40, 40).jpeg({ quality: 80 }).toBuffer() });
  }
  return out;
}

describe('mutated images, in-process', { timeout: 60_000 }, () => {
  test('measure over folders of 200 mutated PNG/JPEG files skips what it cannot decode', async () => {
    const images = await imageSources();
    const model = path.join(tmp, 'images-model.onnx');
    writeFileSync(model, tinyCnn({ height: 12, width: 12 }).toBytes());
    const imageMutations = [flipBits(), flipBits(64), truncate, overwrite];
    for (let folder = 0; folder < 8; folder += 1) {
      const dir = path.join(tmp, `images-${folder}`);
      mkdirSync(dir);
      for (let i = 0; i < 25; i += 1) {
        const source = images[rng.int(images.length)];
        const mutate = imageMutations[rng.int(imageMutations.length)];
        writeFileSync(path.join(dir, `${String(i).padStart(2, '0')}-${source.name}`), mutate(source.bytes));
      }
      let used = 0;
      let skipped = 0;
      const message = await outcome(async () => {
        const { report } = await measure({ model, images: dir, preset: 'none', threads: 1, batch: 8, transforms: ['rot90'] });
        used = report.images.used;
        skipped = report.images.skipped.length;
      }, dir);
      note(message);
      if (message === undefined) expect(used + skipped).toBe(25);
      else expect(message).toMatch(/could be decoded/);
    }
  });
});

describe('mutated inputs through the CLI', { timeout: 60_000 }, () => {
  beforeAll(() => requireBuild());

  test('20 runs end with a result or one line, exit 0 or 1, no stack trace', async () => {
    const files = modelMutants(2, 'cli');
    const cases: string[][] = files.map((f, i) =>
      i % 2 === 0 ? ['layers', f, '--threads', '1'] : ['measure', f, '--synthetic', '4', '--batch', '4', '--threads', '1', '-t', 'hflip', '--no-plots', '-q', '--out', `${f}.out`],
    );
    // Two at a time keeps a 2-core machine busy without oversubscribing it.
    for (let i = 0; i < cases.length; i += 2) {
      const results = await Promise.all(cases.slice(i, i + 2).map((args) => runCliAsync(args, { timeout: 30_000 })));
      results.forEach((r, j) => {
        const label = cases[i + j].join(' ');
        expect(r.signal, `${label} timed out`).toBeNull();
        expect([0, 1], `${label}: ${r.stderr}`).toContain(r.code);
        expect(hasStack(r.stderr + r.stdout), `${label}: ${r.stderr}`).toBe(false);
        if (r.code === 1) {
          const lines = errorLines(r.stderr);
          expect(lines, label).toHaveLength(1);
          expect(lines[0]).toMatch(/^equiprobe: /);
        }
        note(r.code === 0 ? undefined : errorLines(r.stderr)[0]);
      });
    }
  });
});
