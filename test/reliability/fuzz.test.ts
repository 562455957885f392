/**
 * Fuzzing with seeded mutations: bit flips, truncations, overwritten chunks, random bytes and
 * structural edits of model files (a GraphBuilder model and examples/zoo/cnn7.onnx), and bit
 * flips and truncations of image files (PNG and JPEG). Most cases run in-process through
 * `describeProbes` and `measure`; each must resolve, or reject with an Error whose message is one
 * line of ours, not a raw internal error. Some cases go through the compiled CLI to check exit
 * codes, the one-line error and that no stack trace is printed. Set EQUIPROBE_FUZZ_REPORT=1 to
 * print how often each outcome occurred.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, TensorShapeProto_DimensionSchema, ValueInfoProtoSchema, type ModelProto } from 'onnx-buf';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { measure } from '../../src/pipeline.js';
import { describeProbes } from '../../src/probeset.js';
import { ZOO, ZOO_IMAGES, createRng, errorLines, hasStack, requireBuild, runCliAsync, tinyCnn } from './helpers.js';

const SEED = Number(process.env.EQUIPROBE_FUZZ_SEED ?? 20240611);
const rng = createRng(SEED);
const pick = <T>(list: readonly T[]): T => list[rng.int(list.length)];

type Mutation = (bytes: Uint8Array) => Uint8Array;

/** Flips 1–8 random bits; `head` limits the flips to the first bytes (where the structure is). */
const flipBits =
  (head = Infinity): Mutation =>
  (bytes) => {
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

type Dims = { shape?: { dim: unknown[] } };
const inputType = (m: ModelProto) => m.graph!.input[0]?.type?.value.value as (Dims & { elemType?: number }) | undefined;
const dim = (value: bigint | string) =>
  create(TensorShapeProto_DimensionSchema, typeof value === 'string' ? { value: { case: 'dimParam', value } } : { value: { case: 'dimValue', value } });

/**
 * Structural edits a broken exporter or a hand-edited file might produce. Byte-level mutations
 * mostly break the protobuf, so these parse the model, change one or two things and serialise it.
 */
const structural: ((m: ModelProto) => void)[] = [
  (m) => {
    const dims = inputType(m)?.shape?.dim;
    if (dims?.length) dims[rng.int(dims.length)] = dim(pick<bigint | string>([0n, -1n, 1n, 2n, 3n, 5n, 64n, 100_000n, 2n ** 31n, 2n ** 40n, 'D']));
  },
  (m) => {
    const dims = inputType(m)?.shape?.dim;
    if (dims) dims.splice(rng.int(dims.length + 1), rng.int(2), ...(rng.int(2) ? [dim(4n)] : []));
  },
  (m) => {
    const t = inputType(m);
    if (t) t.elemType = pick([0, 2, 6, 7, 9, 10, 11, 16]);
  },
  (m) => void m.graph!.node.splice(rng.int(m.graph!.node.length), 1),
  (m) => {
    pick(m.graph!.node).opType = pick(['Relu', 'Conv', 'Add', 'Softmax', 'Reshape', 'Transpose', 'Identity', 'GlobalAveragePool', 'Flatten', 'MatMul', 'FooBar', 'Log']);
  },
  (m) => {
    const g = m.graph!;
    const node = pick(g.node);
    const names = [...g.node.flatMap((n) => n.output), ...g.initializer.map((t) => t.name), g.input[0]?.name ?? '', 'nowhere'];
    if (node.input.length) node.input[rng.int(node.input.length)] = pick(names);
  },
  (m) => {
    const attrs = m.graph!.node.flatMap((n) => n.attribute);
    if (!attrs.length) return;
    const a = pick(attrs);
    if (a.ints.length) a.ints[rng.int(a.ints.length)] = pick([0n, -1n, 1n, 3n, 1000n]);
    else a.i = pick([0n, -1n, 2n, 1000n]);
  },
  (m) => {
    const init = pick(m.graph!.initializer);
    if (rng.int(2)) init.dims[rng.int(init.dims.length)] = pick([0n, 1n, 3n, 1000n]);
    else init.rawData = init.rawData.subarray(0, rng.int(init.rawData.length));
  },
  (m) => void (m.opsetImport[0].version = pick([1n, 6n, 7n, 10n, 13n, 17n, 99n])),
  (m) => {
    const g = m.graph!;
    if (rng.int(2)) g.output.splice(0, 1);
    else g.output.unshift(create(ValueInfoProtoSchema, { name: pick(g.node).output[0] }));
  },
  (m) => void m.graph!.input.push(create(ValueInfoProtoSchema, { name: 'extra', type: m.graph!.input[0]?.type })),
  (m) => void (m.graph!.input[0] && (m.graph!.input[0].name = 'renamed')),
];

const mutateStructure: Mutation = (bytes) => {
  const model = fromBinary(ModelProtoSchema, bytes);
  for (let n = 1 + rng.int(2); n > 0; n -= 1) pick(structural)(model);
  return toBinary(ModelProtoSchema, model);
};

const mutations: Record<string, Mutation> = { flip: flipBits(), flipHead: flipBits(512), truncate, overwrite, random: randomBytes, structure: mutateStructure };

/** Errors thrown by JavaScript or a library itself rather than written by us; any of these is a bug. */
const RAW = [
  /Cannot read propert/, /is not a function/, /is not iterable/, /of undefined|of null/, /Invalid (typed )?array length/, /Array buffer allocation/,
  /Maximum call stack/, /Cannot convert/, /out of memory/i, /premature EOF|invalid wire type|illegal tag/i, /^\[ONNXRuntimeError\]/, /^\//,
];

/** Why an error is not acceptable, or null when it is one line of ours. */
function problemWith(err: unknown): string | null {
  if (!(err instanceof Error)) return `not an Error: ${String(err)}`;
  if (err.message.includes('\n') || err.message.length === 0) return `not one line: ${JSON.stringify(err.message)}`;
  if (err.name === 'TypeError' || RAW.some((raw) => raw.test(err.message))) return `raw ${err.name}: ${err.message}\n${err.stack}`;
  return null;
}

/** Cases that ended badly, collected so that one test reports all of them. */
let problems: string[] = [];
/** Outcome shapes and how often each occurred (for EQUIPROBE_FUZZ_REPORT). */
const seen = new Map<string, number>();
function note(message: string | undefined): void {
  const key = (message ?? '(resolved)').replace(/'[^']*'/g, "'…'").replace(/\d+/g, 'N').slice(0, 140);
  seen.set(key, (seen.get(key) ?? 0) + 1);
}

/** Runs one in-process case: undefined when it resolved, else the error's message (a bad error is recorded). */
async function outcome(run: () => Promise<unknown>, label: string): Promise<string | undefined> {
  let message: string | undefined;
  try {
    await run();
  } catch (err) {
    const problem = problemWith(err);
    if (problem) problems.push(`${label}: ${problem}`);
    message = (err as Error)?.message ?? String(err);
  }
  note(message);
  return message;
}

let tmp: string;
const sources: Record<string, Uint8Array> = {};

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'equiprobe-fuzz-'));
  sources.tiny = tinyCnn({ height: 12, width: 12 }).toBytes();
  sources.cnn7 = readFileSync(path.join(ZOO, 'cnn7.onnx'));
});

beforeEach(() => {
  problems = [];
});

afterEach(() => {
  expect(problems).toEqual([]);
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
  test('describeProbes on 240 mutants resolves or rejects with one of our messages', async () => {
    for (const file of modelMutants(20, 'layers')) await outcome(() => describeProbes({ model: file, threads: 1 }), file);
  });

  test('measure on 120 mutants resolves or rejects with one of our messages', async () => {
    for (const file of modelMutants(10, 'measure')) {
      await outcome(() => measure({ model: file, synthetic: 4, batch: 4, threads: 1, transforms: [pick(['hflip', 'rot90', 'translate'] as const)], shifts: [1, 2] }), file);
    }
  });
});

/** Real images to mutate: some of the zoo's PNGs and JPEG copies of them. */
async function imageSources(): Promise<{ name: string; bytes: Uint8Array }[]> {
  const out: { name: string; bytes: Uint8Array }[] = [];
  for (const name of readdirSync(ZOO_IMAGES).filter((n) => n.endsWith('.png')).slice(0, 4)) {
    const png = readFileSync(path.join(ZOO_IMAGES, name));
    out.push({ name, bytes: png });
    out.push({ name: name.replace('.png', '.jpg'), bytes: await sharp(png).resize(40, 40).jpeg({ quality: 80 }).toBuffer() });
  }
  return out;
}

describe('mutated images, in-process', { timeout: 60_000 }, () => {
  test('measure over folders of 200 mutated PNG/JPEG files skips and counts what it cannot decode', async () => {
    const images = await imageSources();
    const model = path.join(tmp, 'images-model.onnx');
    writeFileSync(model, sources.tiny);
    const imageMutations = [flipBits(), flipBits(64), truncate, overwrite];
    for (let folder = 0; folder < 8; folder += 1) {
      const dir = path.join(tmp, `images-${folder}`);
      mkdirSync(dir);
      for (let i = 0; i < 25; i += 1) {
        const source = pick(images);
        writeFileSync(path.join(dir, `${String(i).padStart(2, '0')}-${source.name}`), pick(imageMutations)(source.bytes));
      }
      let counted = 0;
      const message = await outcome(async () => {
        const { report } = await measure({ model, images: dir, preset: 'none', threads: 1, batch: 8, transforms: ['rot90'] });
        counted = report.images.used + report.images.skipped.length;
      }, dir);
      if (message === undefined) expect(counted).toBe(25);
      else expect(message).toMatch(/could be decoded/);
    }
  });
});

describe('mutated models through the CLI', { timeout: 120_000 }, () => {
  beforeAll(() => requireBuild());

  test('24 runs end with a result or one line, exit 0 or 1, no stack trace, within 30 s each', async () => {
    const cases = modelMutants(2, 'cli').map((f, i) =>
      i % 2 === 0
        ? ['layers', f, '--threads', '1']
        : ['measure', f, '--synthetic', '4', '--batch', '4', '--threads', '1', '-t', 'hflip', '--no-plots', '-q', '--out', `${f}.out`],
    );
    // Two at a time keeps a 2-core machine busy without oversubscribing it.
    for (let i = 0; i < cases.length; i += 2) {
      const results = await Promise.all(cases.slice(i, i + 2).map((args) => runCliAsync(args, { timeout: 30_000 })));
      results.forEach((r, j) => {
        const label = cases[i + j].join(' ');
        const lines = errorLines(r.stderr);
        if (r.signal !== null) problems.push(`${label}: killed by ${r.signal} (time bound)`);
        else if (r.code !== 0 && r.code !== 1) problems.push(`${label}: exit code ${r.code}: ${r.stderr}`);
        else if (hasStack(r.stderr + r.stdout)) problems.push(`${label}: stack trace: ${r.stderr}`);
        else if (r.code === 1 && (lines.length !== 1 || !lines[0].startsWith('equiprobe: '))) problems.push(`${label}: not one line: ${r.stderr}`);
        else if (r.code === 1 && RAW.some((raw) => raw.test(lines[0].slice('equiprobe: '.length)))) problems.push(`${label}: raw error: ${lines[0]}`);
        note(r.code === 0 ? undefined : lines[0]);
      });
    }
  });
});
