/**
 * One benchmark measurement in its own process, so that its peak RSS is its own:
 * `node dist-bench/bench/one.js <mode> <model.onnx> <images> <transform> [shifts] [--layers=blocks] [--threads=n]`
 * prints one JSON line { seconds, passes, maxRssMiB, layers } (layers: each layer's mean inv and eqv,
 * equiprobe mode only) where mode is `forward` (plain forward passes of the same
 * images, no extra outputs), `exposed` (the same with the default probe tensors made graph outputs,
 * as the metric needs them: onnxruntime can then no longer fuse e.g. Conv+Add+Relu), `products` (only the K×K similarity products SPEC §4 asks for: one
 * per map probe of the default set, image and element, on random rows of the probe's shape — the
 * part of the metric no implementation can skip), `equiprobe` (a full measurement), `no-null`
 * (the same without the map chance level, `nullImages: 0`: what the null passes cost, SPEC §4b) or
 * `startup` (what a measurement does before its first image: load the model, discover the probes —
 * from the discovery cache when the model was seen before — and build and open the scored models;
 * JSON { seconds, load, discovery, scorer, process, cpu, cacheWrite } with `process` counted from the process's start,
 * `cpu` the CPU seconds of all its threads during the start-up, which a loaded machine inflates less than wall time,
 * and `cacheWrite` the seconds spent after the start-up storing the optimised scored models the cache lacked).
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { defaultThreads, openSession } from '../src/forward/session.js';
import { detectInput } from '../src/model/input.js';
import { defaultCacheDir } from '../src/model/discovery-cache.js';
import { loadModel, openModel } from '../src/model/load.js';
import { listProbes } from '../src/model/probes.js';
import { GraphBuilder } from '../src/onnx/graph.js';
import { elementsFor, measure, openScorer } from '../src/pipeline.js';
import { mapShift } from '../src/transforms/index.js';
import type { GroupElement, InputInfo, TransformName } from '../src/types.js';

const flags = new Map(process.argv.slice(2).filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=') as [string, string]));
const [mode, model, imagesArg, transform, shiftsArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const layers = flags.get('layers') as 'default' | 'blocks' | 'all' | undefined;
const threads = flags.has('threads') ? Number(flags.get('threads')) : defaultThreads();
const images = Number(imagesArg);
const shifts = shiftsArg ? shiftsArg.split(',').map(Number) : undefined;
const batch = 16;

/**
 * This process's peak RSS. Linux's VmHWM belongs to the process image; `resourceUsage().maxRSS`
 * survives exec and so can report the parent's RSS at fork time (the benchmark parent holds the
 * large models' bytes), hiding the real peak of a small run.
 */
function peakRssMiB(): number {
  try {
    const kib = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (kib) return Number(kib[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

/** Forward passes of a session opened by `open` (timed with them), fetching only the model's own first output. */
async function forwardPasses(passes: number, open: () => Promise<ort.InferenceSession>): Promise<void> {
  const session = await open();
  const meta = session.inputMetadata[0] as { name: string; shape: readonly (number | string)[] };
  const [c, h, w] = meta.shape.slice(1).map(Number);
  const data = new Float32Array(batch * c * h * w).map((_, i) => Math.sin(i));
  for (let done = 0; done < passes; done += batch) {
    const n = Math.min(batch, passes - done);
    await session.run({ [meta.name]: new ort.Tensor('float32', data.subarray(0, n * c * h * w), [n, c, h, w]) }, [session.outputNames[0]]);
  }
  await session.release();
}

/** The model and its probe set (`--layers`, default by default; found untimed, before a measurement that needs them). */
async function probeList() {
  const loaded = await loadModel(model);
  const input = detectInput(loaded.proto, model);
  return { loaded, input, probes: await listProbes(loaded, input, { layers }, { threads }) };
}

/** Builds the products graph for the probe set (untimed), then returns a function that runs it for `count` images. */
async function similarityProducts(count: number): Promise<() => Promise<void>> {
  const { input, probes: all } = await probeList();
  const probes = all.filter((p) => p.kind !== 'vector');
  const g = new GraphBuilder('products');
  const shapes = new Map<string, [number, number]>();
  for (const element of elementsOf(input)) {
    for (const p of probes) {
      const [dy, dx] = element.transform === 'translate' ? [mapShift(element.shift, p.h, input.height), mapShift(element.shift, p.w, input.width)] : [0, 0];
      const [k, positions] = [p.channels, (p.h - dy) * (p.w - dx)];
      const name = `rows_${k}_${positions}`;
      if (!shapes.has(name)) {
        shapes.set(name, [k, positions]);
        g.input(name, ['N', k, positions]);
      }
      const [sim] = g.node('FusedMatMul', [name, name], 1, { transB: 1 }, 'com.microsoft');
      g.output(g.reduce('ReduceMax', sim, [2], false));
    }
  }
  const session = await ort.InferenceSession.create(g.toBytes(), { intraOpNumThreads: threads, interOpNumThreads: 1 });
  const feeds = (n: number) =>
    Object.fromEntries([...shapes].map(([name, [k, positions]]) => [name, new ort.Tensor('float32', new Float32Array(n * k * positions).map((_, i) => Math.sin(i)), [n, k, positions])]));
  const chunks = Array.from({ length: Math.ceil(count / batch) }, (_, i) => Math.min(batch, count - i * batch));
  const prepared = new Map(chunks.map((n) => [n, feeds(n)]));
  return async () => {
    for (const n of chunks) await session.run(prepared.get(n)!);
  };
}

/** Stage 1 of `measure` (src/pipeline.ts), phase by phase: the model (`openModel`: graph only when seen before), probes, scored models. */
async function startUp(): Promise<Record<string, number>> {
  const clock = () => performance.now() / 1000;
  const t0 = clock();
  const cpu0 = process.cpuUsage();
  const loaded = await openModel(model);
  const input = detectInput(loaded.proto, model);
  const t1 = clock();
  const probes = await listProbes(loaded, input, { layers }, { threads });
  const t2 = clock();
  const elements = elementsOf(input);
  const scorer = await openScorer(loaded, input, probes, elements, 'pearson', batch, { threads }, defaultCacheDir());
  const t3 = clock();
  const cpu = process.cpuUsage(cpu0);
  await scorer.release();
  // As a measurement does after its results: store the scored models the cache did not have.
  const t4 = clock();
  await scorer.writeCache();
  return { seconds: t3 - t0, load: t1 - t0, discovery: t2 - t1, scorer: t3 - t2, process: t3, cpu: (cpu.user + cpu.system) / 1e6, cacheWrite: clock() - t4 };
}

if (mode === 'startup') {
  process.stdout.write(`${JSON.stringify(await startUp())}\n`);
  process.exit(0);
}

/**
 * Group elements of the transform as a measurement makes them (src/pipeline.ts: the smaller image
 * side, shifts 1..32 unless given): d4 7, rot90 3, translate the shifts below half the side.
 */
function elementsOf(input: InputInfo): GroupElement[] {
  return [...elementsFor([transform as TransformName], shifts ?? Array.from({ length: 32 }, (_, i) => i + 1), Math.min(input.height, input.width)).values()].flat();
}

const elements = elementsOf(detectInput((await loadModel(model)).proto, model)).length;
const runProducts = mode === 'products' ? await similarityProducts(images) : null;
const exposed = mode === 'exposed' ? await probeList() : null;
const start = process.hrtime.bigint();
let passes = 0;
let layerMeans: { layer: string; inv: number | null; eqv: number | null }[] | undefined;
if (runProducts) {
  passes = images;
  await runProducts();
} else if (mode === 'forward') {
  passes = images * (1 + elements);
  await forwardPasses(passes, () => ort.InferenceSession.create(model, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' }));
} else if (exposed) {
  passes = images * (1 + elements);
  await forwardPasses(passes, () => openSession(exposed.loaded.proto, exposed.probes.map((p) => p.name), { threads }));
} else {
  const nullImages = mode === 'no-null' ? 0 : undefined;
  const { report } = await measure({ model, transforms: [transform as TransformName], synthetic: images, shifts, shiftMode: 'roll', batch, nullImages, layers, threads, preset: 'none' });
  passes = images * (1 + report.layers[0].elements.length);
  layerMeans = report.layers.map((l) => ({ layer: l.layer, inv: l.inv.mean, eqv: l.eqv.mean }));
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
process.stdout.write(`${JSON.stringify({ seconds, passes, maxRssMiB: peakRssMiB(), layers: layerMeans })}\n`);
