import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { measure } from '../src/pipeline.js';

const zoo = path.join(import.meta.dirname, '..', 'examples', 'zoo');
const images = path.join(zoo, 'images');

/** Top-1 accuracy computed without equiprobe: sharp decodes, the README's normalisation, onnxruntime runs. */
async function independentAccuracy(model: string, files: string[], labels: Map<string, number>): Promise<{ top1: number; rotated: number }> {
  const session = await ort.InferenceSession.create(path.join(zoo, `${model}.onnx`));
  const pixels = await Promise.all(files.map(async (f) => (await sharp(path.join(images, f)).greyscale().raw().toBuffer())));
  const batch = (rotate: boolean) => {
    const data = new Float32Array(files.length * 784);
    pixels.forEach((p, n) => {
      for (let i = 0; i < 28; i++) for (let j = 0; j < 28; j++) {
        // numpy.rot90 (counter-clockwise): out[i][j] = in[j][27 − i]
        const v = rotate ? p[j * 28 + (27 - i)] : p[i * 28 + j];
        data[n * 784 + i * 28 + j] = (v / 255 - 0.286) / 0.353;
      }
    });
    return new ort.Tensor('float32', data, [files.length, 1, 28, 28]);
  };
  const top1 = async (rotate: boolean) => {
    const logits = (await session.run({ input: batch(rotate) })).logits.data as Float32Array;
    let correct = 0;
    files.forEach((f, n) => {
      const row = Array.from(logits.subarray(n * 10, n * 10 + 10));
      if (row.indexOf(Math.max(...row)) === labels.get(f)) correct += 1;
    });
    return correct / files.length;
  };
  return { top1: await top1(false), rotated: await top1(true) };
}

describe('accuracy recorded by measure (SPEC §7)', () => {
  it.each(['cnn7', 'cnn7_rot'])('%s: top-1 on the bundled images and under a quarter turn match predictions computed independently', async (model) => {
    const rows = readFileSync(path.join(images, 'labels.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const labels = new Map(rows.map(([file, label]) => [file, Number(label)]));
    const files = [...labels.keys()].sort().slice(0, 60);
    const expected = await independentAccuracy(model, files, labels);
    const { report } = await measure({ model: path.join(zoo, `${model}.onnx`), images, preset: 'fmnist', transforms: ['rot90'], maxImages: 60, threads: 2 });
    expect(report.accuracy!.images).toBe(60);
    expect(report.accuracy!.top1).toBeCloseTo(expected.top1, 10);
    const k1 = report.accuracy!.transforms[0].elements.find((e) => e.key === 'k1')!;
    expect(k1.top1).toBeCloseTo(expected.rotated, 10);
  }, 60_000);
});
