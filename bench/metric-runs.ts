/**
 * The scored models' runs alone — onnxruntime running the model with the metric appended, for the
 * originals and every group element — without the rest of a measurement (image decoding, the JS
 * accumulation, vector layers, the end of the run), so that a change to the metric graph can be
 * timed on its own:
 * `node dist-bench/bench/metric-runs.js <model.onnx> <images> <transform> [shifts] [--layers=blocks] [--threads=n] [--reps=n] [--build=DIR] [--profile=PREFIX]`
 * prints one JSON line { seconds, cpu, runs } with the best wall time over `reps` repetitions (the
 * sessions opened untimed, once) and the CPU seconds of that repetition. `--build` runs another
 * build's modules (e.g. `/work/main/dist-bench`), so two builds can be compared in the same minutes.
 * `--profile` writes onnxruntime's per-node trace of each scored model (PREFIX_*.json; summed by op
 * type with `node dist-bench/bench/ort-profile.js PREFIX_*.json`; builds without the option ignore it).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GroupElement, TransformName } from '../src/types.js';

const flags = new Map(process.argv.slice(2).filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=') as [string, string]));
const [model, imagesArg, transform, shiftsArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const build = flags.get('build') ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const from = async <T>(module: string): Promise<T> => (await import(path.join(build, 'src', module))) as T;

const { loadModel } = await from<typeof import('../src/model/load.js')>('model/load.js');
const { detectInput } = await from<typeof import('../src/model/input.js')>('model/input.js');
const { listProbes } = await from<typeof import('../src/model/probes.js')>('model/probes.js');
const { Scorer } = await from<typeof import('../src/measure/scorer.js')>('measure/scorer.js');
const { elementsFor } = await from<typeof import('../src/pipeline.js')>('pipeline.js');
const { upgradeForMetric } = await from<typeof import('../src/onnx/upgrade.js')>('onnx/upgrade.js');
const { messages } = await from<typeof import('../src/messages.js')>('messages.js');
const { defaultThreads } = await from<typeof import('../src/forward/session.js')>('forward/session.js');

const threads = flags.has('threads') ? Number(flags.get('threads')) : defaultThreads();
const layers = flags.get('layers') as 'default' | 'blocks' | 'all' | undefined;
const reps = Number(flags.get('reps') ?? 3);
const images = Number(imagesArg);
const batch = 16;

const loaded = await loadModel(model);
const input = detectInput(loaded.proto, model);
const probes = await listProbes(loaded, input, { layers }, { threads });
const shifts = shiftsArg ? shiftsArg.split(',').map(Number) : Array.from({ length: 32 }, (_, i) => i + 1);
const elements: GroupElement[] = [...elementsFor([transform as TransformName], shifts, Math.min(input.height, input.width)).values()].flat();
const profilePrefix = flags.get('profile');
const scorer = await Scorer.open(upgradeForMetric(loaded.proto, messages.opsetTooOld), input, probes, elements, 'pearson', batch, { threads, profilePrefix });
const size = input.channels * input.height * input.width;
// Scores do not matter here, only the work: every image and element sees the same seeded values.
const image = Float32Array.from({ length: size }, (_, i) => Math.sin(i * 0.37));
const chunks = Array.from({ length: Math.ceil(images / batch) }, (_, i) => Array.from({ length: Math.min(batch, images - i * batch) }, () => image));

let best = { seconds: Infinity, cpu: 0 };
for (let rep = 0; rep < reps; rep++) {
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  for (const chunk of chunks) {
    const { pass } = await scorer.runOriginal(chunk);
    for (const g of elements) await scorer.runElement(chunk, g, pass);
  }
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (seconds < best.seconds) best = { seconds, cpu: (cpu.user + cpu.system) / 1e6 };
}
await scorer.release();
process.stdout.write(`${JSON.stringify({ ...best, runs: images * (1 + elements.length) })}\n`);
