/**
 * Manual check of the benchmark models (not part of `npm test`: building and running two
 * ImageNet-scale networks takes tens of seconds). Run from the project root:
 *
 *     npx tsc -p bench/tsconfig.json && node dist-bench/bench/check-models.js
 *
 * For each model it checks and
 * prints: build time (< 5 s), learnable parameters against the published count (within 1%), MACs
 * per image counted from the Conv/MatMul/Gemm shapes onnxruntime infers, the RMS of activations
 * along the depth (random weights must neither explode nor collapse), finite and non-constant
 * logits, the dynamic batch (batch 1 and 2 both run and agree on the shared image), and the
 * forward time per image at 2 intra-op threads. Exits with status 1 on any failed check.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import * as ort from 'onnxruntime-node';
import {
  ModelProtoSchema,
  TensorProto_DataType,
  TypeProtoSchema,
  TypeProto_TensorSchema,
  ValueInfoProtoSchema,
  type TensorProto,
} from 'onnx-buf';
import { mulberry32 } from '../src/images/prng.js';
import { buildResNet50, buildVitS16, countParameters } from './models.js';

/** Threads for the timing: the benchmark machine has 2 cores. */
const THREADS = 2;
const TIMED_RUNS = 3;

interface Spec {
  name: string;
  build: (seed?: number) => Uint8Array;
  /** torchvision / timm parameter counts. */
  params: number;
  /** Commonly quoted multiply-accumulates per 224×224 image. */
  gmac: number;
  /** Tensors whose RMS is printed, shallow to deep. */
  depth: string[];
}

const SPECS: Spec[] = [
  {
    name: 'resnet50',
    build: buildResNet50,
    params: 25_557_032,
    gmac: 4.1,
    depth: [
      '/relu/Relu_output_0',
      '/layer1/layer1.2/relu_2/Relu_output_0',
      '/layer2/layer2.3/relu_2/Relu_output_0',
      '/layer3/layer3.5/relu_2/Relu_output_0',
      '/layer4/layer4.2/Add_output_0',
      '/layer4/layer4.2/relu_2/Relu_output_0',
      '/avgpool/GlobalAveragePool_output_0',
      'logits',
    ],
  },
  {
    name: 'vit_s16',
    build: buildVitS16,
    params: 22_050_664,
    gmac: 4.6,
    depth: [
      '/Add_output_0',
      '/blocks/blocks.0/attn/Softmax_output_0',
      '/blocks/blocks.0/mlp/act/Mul_1_output_0',
      '/blocks/blocks.0/Add_1_output_0',
      '/blocks/blocks.5/Add_1_output_0',
      '/blocks/blocks.11/mlp/act/Mul_1_output_0',
      '/blocks/blocks.11/Add_1_output_0',
      '/norm/LayerNormalization_output_0',
      'logits',
    ],
  },
];

const failures: string[] = [];
function check(ok: boolean, what: string): void {
  if (!ok) failures.push(what);
  process.stdout.write(`  ${ok ? 'ok  ' : 'FAIL'} ${what}\n`);
}

/** Seeded inputs with unit variance, like ImageNet-normalised pixels. */
function randomImages(n: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: n * 3 * 224 * 224 }, () => (rand() - 0.5) * Math.sqrt(12));
}

function rms(data: Float32Array): number {
  let s = 0;
  for (const v of data) s += v * v;
  return Math.sqrt(s / data.length);
}

/**
 * The same model with extra graph outputs, so one batch-1 run reveals the shapes and values of
 * intermediate tensors (onnxruntime only returns graph outputs).
 */
function withOutputs(model: Uint8Array, names: Iterable<string>): Uint8Array {
  const proto = fromBinary(ModelProtoSchema, model);
  const graph = proto.graph!;
  const existing = new Set(graph.output.map((o) => o.name));
  for (const name of names) {
    if (existing.has(name)) continue;
    existing.add(name);
    const tensorType = create(TypeProto_TensorSchema, { elemType: TensorProto_DataType.FLOAT });
    graph.output.push(create(ValueInfoProtoSchema, { name, type: create(TypeProtoSchema, { value: { case: 'tensorType', value: tensorType } }) }));
  }
  return toBinary(ModelProtoSchema, proto);
}

/** MACs per image of every Conv, MatMul and Gemm, from one batch-1 run of the instrumented model. */
async function countMacsAndScale(model: Uint8Array, depth: string[]): Promise<{ macs: number; scale: Map<string, number> }> {
  const graph = fromBinary(ModelProtoSchema, model).graph!;
  const inits = new Map<string, TensorProto>(graph.initializer.map((t) => [t.name, t]));
  const heavy = graph.node.filter((n) => ['Conv', 'MatMul', 'Gemm'].includes(n.opType));
  const wanted = new Set<string>(depth);
  for (const n of heavy) {
    wanted.add(n.output[0]);
    if (!inits.has(n.input[0]) && n.input[0] !== 'input') wanted.add(n.input[0]);
  }
  const session = await ort.InferenceSession.create(withOutputs(model, wanted), { intraOpNumThreads: THREADS });
  const out = await session.run({ input: new ort.Tensor('float32', randomImages(1, 7), [1, 3, 224, 224]) });
  const dims = (name: string) => (name === 'input' ? [1, 3, 224, 224] : out[name].dims.map(Number));
  let macs = 0;
  for (const n of heavy) {
    const outElems = dims(n.output[0]).reduce((a, b) => a * b, 1);
    const w = inits.get(n.input[1]);
    let k: number;
    if (n.opType === 'Conv') k = w!.dims.slice(1).reduce((a, b) => a * Number(b), 1); // cin/groups × kh × kw
    else if (n.opType === 'Gemm') k = Number(w!.dims[1]); // transB: weight is [out, in]
    else k = dims(n.input[0]).at(-1)!; // MatMul: the shared inner dimension
    macs += outElems * k;
  }
  const scale = new Map(depth.map((name) => [name, rms(out[name].data as Float32Array)]));
  await session.release();
  return { macs, scale };
}

for (const spec of SPECS) {
  process.stdout.write(`\n${spec.name}\n`);
  const t0 = performance.now();
  const model = spec.build(0);
  const buildSeconds = (performance.now() - t0) / 1000;
  check(buildSeconds < 5, `built in ${buildSeconds.toFixed(2)} s (${(model.byteLength / 2 ** 20).toFixed(1)} MiB)`);
  const again = spec.build(0);
  check(again.byteLength === model.byteLength && again.every((b, i) => b === model[i]), 'same seed gives identical bytes');

  const params = countParameters(model);
  check(Math.abs(params / spec.params - 1) < 0.01, `parameters ${params.toLocaleString('en')} (reference ${spec.params.toLocaleString('en')})`);

  const { macs, scale } = await countMacsAndScale(model, spec.depth);
  check(Math.abs(macs / 1e9 / spec.gmac - 1) < 0.05, `${(macs / 1e9).toFixed(3)} GMAC per image (reference ≈${spec.gmac})`);
  const values = [...scale.values()];
  check(
    values.every((v) => Number.isFinite(v) && v > 1e-3 && v < 1e3),
    `activation RMS along the depth within [1e-3, 1e3]:\n${[...scale].map(([n, v]) => `         ${v.toFixed(4).padStart(10)}  ${n}`).join('\n')}`,
  );

  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: THREADS, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const images = randomImages(2, 1);
  const run = async (n: number) => (await session.run({ input: new ort.Tensor('float32', images.subarray(0, n * 3 * 224 * 224), [n, 3, 224, 224]) })).logits;
  const one = await run(1);
  const two = await run(2);
  check(one.dims.join() === '1,1000' && two.dims.join() === '2,1000', `dynamic batch: output dims [${one.dims}] and [${two.dims}]`);
  const a = one.data as Float32Array;
  const b = two.data as Float32Array;
  check(b.every(Number.isFinite), 'logits finite');
  const spread = Math.max(...b) - Math.min(...b);
  const between = b.subarray(0, 1000).reduce((m, v, i) => Math.max(m, Math.abs(v - b[1000 + i])), 0);
  check(spread > 1e-3 && between > 1e-4, `logits not constant: range ${spread.toFixed(4)}, max |image0 − image1| ${between.toFixed(4)}, RMS ${rms(b).toFixed(4)}`);
  const diff = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
  check(diff < 1e-3 * Math.max(1, rms(a)), `batch 1 and batch 2 agree on image 0 (max |Δ| ${diff.toExponential(2)})`);

  const start = performance.now();
  for (let i = 0; i < TIMED_RUNS; i++) await run(2);
  const msPerImage = (performance.now() - start) / (TIMED_RUNS * 2);
  process.stdout.write(`  time ${msPerImage.toFixed(1)} ms per image (batch 2, ${THREADS} threads, mean of ${TIMED_RUNS} runs after warm-up)\n`);
  await session.release();
}

if (failures.length > 0) {
  process.stdout.write(`\n${failures.length} check(s) failed\n`);
  process.exit(1);
}
process.stdout.write('\nall checks passed\n');
