/**
 * One benchmark measurement in its own process, so that its peak RSS is its own:
 * `node dist/bench/one.js <mode> <model.onnx> <images> <transform> [shifts]` prints one JSON line
 * { seconds, passes, maxRssMiB } where mode is `forward` (plain forward passes of the same
 * images, no extra outputs) or `equiprobe` (a full measurement with the default probe set).
 */
import * as ort from 'onnxruntime-node';
import { defaultThreads } from '../src/forward/session.js';
import { measure } from '../src/pipeline.js';
import type { TransformName } from '../src/types.js';

const [mode, model, imagesArg, transform, shiftsArg] = process.argv.slice(2);
const images = Number(imagesArg);
const shifts = shiftsArg ? shiftsArg.split(',').map(Number) : undefined;
const batch = 16;

async function plainForward(passes: number): Promise<void> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: defaultThreads(), interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const meta = session.inputMetadata[0] as { name: string; shape: readonly (number | string)[] };
  const [c, h, w] = meta.shape.slice(1).map(Number);
  const data = new Float32Array(batch * c * h * w).map((_, i) => Math.sin(i));
  for (let done = 0; done < passes; done += batch) {
    const n = Math.min(batch, passes - done);
    await session.run({ [meta.name]: new ort.Tensor('float32', data.subarray(0, n * c * h * w), [n, c, h, w]) });
  }
  await session.release();
}

const start = process.hrtime.bigint();
let passes = 0;
if (mode === 'forward') {
  const elements = transform === 'rot90' ? 3 : transform === 'translate' ? shifts!.length : 1;
  passes = images * (1 + elements);
  await plainForward(passes);
} else {
  const { report } = await measure({ model, transforms: [transform as TransformName], synthetic: images, shifts, shiftMode: 'roll', batch });
  passes = images * (1 + report.layers[0].elements.length);
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
process.stdout.write(`${JSON.stringify({ seconds, passes, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
