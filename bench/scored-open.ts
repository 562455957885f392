/**
 * Where opening one scored model goes, and what the cache of optimised scored models saves
 * (src/forward/session-cache.ts): `node dist-bench/bench/scored-open.js <model.onnx> [rounds]`
 * (after `npx tsc -p bench/tsconfig.json`). For the originals' scored model of the model's
 * default probe set (rot90), in one process, onnxruntime's one-time set-up paid first: building
 * the graph in JS (with the copy of the weights behind it), opening the built bytes at level `all`
 * (what a first run does; also saving the optimised model while it opens) and `disabled`, and
 * reopening the saved optimised model as .onnx (optimisation disabled) and as ORT format
 * (optimisation disabled, bytes in place), each read
 * from disk, and reading + SHA-256 of the .ort entry. Rounds alternate; wall and CPU ms (all
 * threads) per step.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as ort from 'onnxruntime-node';
import { createSession } from '../src/forward/session.js';
import { detectInput } from '../src/model/input.js';
import { loadModel } from '../src/model/load.js';
import { listProbes } from '../src/model/probes.js';
import { GraphBuilder } from '../src/onnx/graph.js';
import { modelBatchDim, originalModel, type ScoringPlan } from '../src/scored-models/scored-model.js';

const [file, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 3);
const dir = mkdtempSync(path.join(tmpdir(), 'equiprobe-scored-open-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const runtime = { threads: 2 };
const inPlace = { use_ort_model_bytes_directly: '1', use_ort_model_bytes_for_initializers: '1' };

const loaded = await loadModel(file, { cache: false });
const input = detectInput(loaded.proto, file);
const probes = await listProbes(loaded, input, {}, { ...runtime, cache: false });
const scored = probes.flatMap((p, i) => (p.kind === 'vector' ? [] : [i]));
const plan: ScoringPlan = { probes, similarity: 'pearson', permutations: true, shifts: false, scored, batch: modelBatchDim(loaded.proto, input.name) };
const warm = new GraphBuilder('warm', { opset: 17 });
warm.output(warm.node('Relu', [warm.input('x', [1])])[0]);
await (await createSession(warm.toBytes(), runtime)).release();

const bytes = originalModel(loaded.proto, plan);
const onnxFile = path.join(dir, 'optimised.onnx');
const ortFile = path.join(dir, 'optimised.ort');
await (await createSession(bytes, runtime, { optimizedModelFilePath: onnxFile })).release();
await (await createSession(bytes, runtime, { optimizedModelFilePath: ortFile, extra: { session: { save_model_format: 'ORT' } } })).release();

const samples = new Map<string, { wall: number[]; cpu: number[] }>();
async function time(step: string, run: () => Promise<ort.InferenceSession | void> | ort.InferenceSession | void): Promise<void> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const session = await run();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await session?.release();
  const s = samples.get(step) ?? { wall: [], cpu: [] };
  s.wall.push(wall);
  s.cpu.push((cpu.user + cpu.system) / 1000);
  samples.set(step, s);
}

for (let r = 0; r < rounds; r++) {
  await time('build the graph (JS, weights copied)', () => void originalModel(loaded.proto, plan));
  await time('open built bytes, level all (main)', () => createSession(bytes, runtime));
  await time('open built bytes, level all, saving the .ort', () => createSession(bytes, runtime, { optimizedModelFilePath: path.join(dir, `saved-${r}.ort`), extra: { session: { save_model_format: 'ORT' } } }));
  await time('open built bytes, level disabled', () => createSession(bytes, runtime, { graphOptimizationLevel: 'disabled' }));
  await time('read + open optimised .onnx, disabled', () => createSession(readFileSync(onnxFile), runtime, { graphOptimizationLevel: 'disabled' }));
  await time('read + open optimised .ort, disabled, in place', () => createSession(readFileSync(ortFile), runtime, { graphOptimizationLevel: 'disabled', extra: { session: inPlace } }));
  await time('read + SHA-256 of the .ort', () => void createHash('sha256').update(readFileSync(ortFile)).digest('hex'));
}

const range = (v: number[]) => `${Math.round(Math.min(...v))}–${Math.round(Math.max(...v))}`;
const rows = ['| step | wall ms | CPU ms |', '|---|---|---|'];
for (const [step, s] of samples) rows.push(`| ${step} | ${range(s.wall)} | ${range(s.cpu)} |`);
process.stdout.write(`${probes.length} probes, ${rounds} rounds\n${rows.join('\n')}\n`);
