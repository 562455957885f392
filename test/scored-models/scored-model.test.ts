/**
 * The scored models (model + metric appended) against a plain float64 reference: the probe tensors
 * are fetched from an ordinary session, read with `readProbeImage`, moved with the reference
 * transforms (test/reference/maps.ts: `transformMap`, `overlapPair`) and correlated with the
 * reference `pearson`/`cosine` (test/reference/similarity.ts) — none of which the scored models use
 * (they move maps with one Gather of `sourcePositions` and shift by Slice). Covers every probe layout
 * (NCHW, NHWC, NLC/NCL/LNC tokens with a CLS prefix), shifts, and a constant channel (left out of
 * the max and undefined for invariance).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, ValueInfoProtoSchema, type ModelProto } from 'onnx-buf';
import * as ort from 'onnxruntime-node';
import { readProbeImage } from '../../src/forward/read.js';
import { Scorer } from '../../src/measure/scorer.js';
import { modelBatchDim, originalModel, permutationModel, shiftModel } from '../../src/scored-models/scored-model.js';
import { parseModel } from '../../src/model/load.js';
import { GraphBuilder } from '../../src/onnx/graph.js';
import { isConstantMargin } from '../../src/scored-models/constant-rows.js';
import { cosine, isConstant, isZeroForCosine, pearson, rms } from '../reference/similarity.js';
import { groupElements, mapShift, transformInput } from '../../src/transforms/index.js';
import { overlapPair, transformMap } from '../reference/maps.js';
import type { GroupElement, InputInfo, ProbeInfo, Similarity } from '../../src/types.js';
import { lcg32 } from '../../src/images/prng.js';

const SIDE = 24;
const IMAGES = 3;

function seeded(seed: number): () => number {
  const rand = lcg32(seed);
  return () => rand() - 0.5;
}

/**
 * x [N,1,24,24] → conv (channel 3 zeroed) → 8×8 max-pool → NHWC, tokens with a CLS prefix in three
 * layouts, and 64 channels of 2×2 (space-to-depth: channels 3, 7, … hold channel 3, constant).
 */
function layoutModel(opset: number): ModelProto {
  const rand = seeded(3);
  const g = new GraphBuilder('layouts', { opset });
  const x = g.input('x', ['N', 1, SIDE, SIDE]);
  const [conv] = g.node('Conv', [x, g.initializer('w', Float32Array.from({ length: 36 }, rand), [4, 1, 3, 3])], 1, { pads: [1, 1, 1, 1] });
  g.node('Mul', [conv, g.initializer('mask', [1, 1, 1, 0], [1, 4, 1, 1])], ['masked']);
  g.node('MaxPool', ['masked'], ['pooled'], { kernel_shape: [3, 3], strides: [3, 3] });
  g.node('Transpose', ['pooled'], ['nhwc'], { perm: [0, 2, 3, 1] });
  g.node('Transpose', ['masked'], ['nhwc_large'], { perm: [0, 2, 3, 1] });
  const [patches] = g.node('Transpose', [g.node('Reshape', ['pooled', g.ints([0, 4, 64])])[0]], 1, { perm: [0, 2, 1] });
  const cls = g.reduce('ReduceMean', patches, [1], true);
  g.node('Concat', [cls, patches], ['tokens'], { axis: 1 });
  g.node('Transpose', ['tokens'], ['ncl'], { perm: [0, 2, 1] });
  g.node('Transpose', ['tokens'], ['lnc'], { perm: [1, 0, 2] });
  // Many channels on few positions (2·P < K): the shift model replaces constant rows instead of masking the K×K matrix.
  g.node('SpaceToDepth', ['pooled'], ['deep'], { blocksize: 4 });
  g.node('Transpose', ['deep'], ['deep_nhwc'], { perm: [0, 2, 3, 1] });
  g.node('Identity', [g.reduce('ReduceMean', 'pooled', [2, 3], false)], ['gap']);
  g.output('gap', ['N', 4]);
  return parseModel(g.toBytes());
}

const probe = (name: string, format: ProbeInfo['format'], dims: number[], batchAxis: number, k: number, h: number, prefix = 0): ProbeInfo => ({
  name, op: 'Test', depth: 0, kind: format === 'NCHW' || format === 'NHWC' ? 'map' : 'tokens', format, dims, batchAxis, channels: k, h, w: h, prefixTokens: prefix, part: null,
});

const PROBES: ProbeInfo[] = [
  probe('masked', 'NCHW', [IMAGES, 4, SIDE, SIDE], 0, 4, SIDE),
  probe('pooled', 'NCHW', [IMAGES, 4, 8, 8], 0, 4, 8),
  probe('nhwc', 'NHWC', [IMAGES, 8, 8, 4], 0, 4, 8),
  probe('nhwc_large', 'NHWC', [IMAGES, SIDE, SIDE, 4], 0, 4, SIDE),
  probe('tokens', 'NLC', [IMAGES, 65, 4], 0, 4, 8, 1),
  probe('ncl', 'NCL', [IMAGES, 4, 65], 0, 4, 8, 1),
  probe('lnc', 'LNC', [65, IMAGES, 4], 1, 4, 8, 1),
  probe('deep', 'NCHW', [IMAGES, 64, 2, 2], 0, 64, 2),
  probe('deep_nhwc', 'NHWC', [IMAGES, 2, 2, 64], 0, 64, 2),
];
const INPUT: InputInfo = { name: 'x', layout: 'NCHW', channels: 1, height: SIDE, width: SIDE, fixedBatch: null };

/** Every probe tensor of a batch, read per image as K×h×w maps (reference path). */
async function referenceMaps(session: ort.InferenceSession, images: Float32Array[]): Promise<Map<string, Float32Array[]>> {
  const data = new Float32Array(images.length * SIDE * SIDE);
  images.forEach((img, i) => data.set(img, i * SIDE * SIDE));
  const out = await session.run({ x: new ort.Tensor('float32', data, [images.length, 1, SIDE, SIDE]) });
  return new Map(PROBES.map((p) => [p.name, images.map((_, n) => readProbeImage(out[p.name].data as Float32Array, out[p.name].dims, p, n))]));
}

const row = (map: Float32Array, c: number, size: number) => map.subarray(c * size, (c + 1) * size);

// Opset 18 takes reduction axes as inputs, 13 as attributes: the appended metric must follow the model's opset.
describe.each([13, 18])('scored models equal the float64 reference (opset %i)', (opset) => {
  const model = layoutModel(opset);
  const rand = seeded(9);
  const images = Array.from({ length: IMAGES }, () => Float32Array.from({ length: SIDE * SIDE }, rand));
  const elements: GroupElement[] = [
    ...groupElements('rot90', { shifts: [], height: SIDE }),
    ...groupElements('hflip', { shifts: [], height: SIDE }),
    ...groupElements('d4', { shifts: [], height: SIDE }).filter((g) => g.key === 'm1'),
    ...groupElements('translate', { shifts: [3, 6], height: SIDE }),
  ];
  let plain: ort.InferenceSession;
  beforeAll(async () => {
    const fetching = structuredClone(model);
    fetching.graph!.output.push(...PROBES.map((p) => create(ValueInfoProtoSchema, { name: p.name })));
    plain = await ort.InferenceSession.create(toBinary(ModelProtoSchema, fetching));
  });
  afterAll(async () => plain.release());

  it.each(['pearson', 'cosine'] as const)('%s: inv, eqv and validity for every layout, permutation and shift', async (similarity: Similarity) => {
    const scorer = await Scorer.open(model, INPUT, PROBES, elements, similarity, IMAGES, { threads: 1 });
    const measure = similarity === 'pearson' ? pearson : cosine;
    try {
      const { pass } = await scorer.runOriginal(images);
      const originals = await referenceMaps(plain, images);
      let checked = 0;
      for (const g of elements) {
        const moved = images.map((img) => transformInput({ data: img, channels: 1, height: SIDE, width: SIDE }, g, { height: SIDE, width: SIDE, mode: 'roll' }));
        const result = await scorer.runElement(moved, g, pass);
        const transformed = await referenceMaps(plain, moved);
        PROBES.forEach((p, i) => {
          const s = result.scores.get(i)!;
          for (let n = 0; n < IMAGES; n++) {
            let a = transformed.get(p.name)![n];
            let b = originals.get(p.name)![n];
            // ρ of SPEC §3: the RMS of the whole probe tensor of the image, before any overlap crop.
            const [rhoA, rhoB] = [rms(a), rms(b)];
            let size = p.h * p.w;
            if (g.transform === 'translate') {
              const pair = overlapPair(a, b, p.channels, p.h, p.w, mapShift(g.shift, p.h, SIDE), mapShift(g.shift, p.w, SIDE));
              [a, b, size] = [pair.a, pair.b, pair.h * pair.w];
            } else {
              b = transformMap(b, p.channels, p.h, p.w, g);
            }
            const constant = (m: Float32Array, c: number, rho: number) => (similarity === 'pearson' ? isConstant(row(m, c, size), rho) : isZeroForCosine(row(m, c, size), rho));
            for (let c = 0; c < p.channels; c++) {
              const at = `${p.name} ${g.key} image ${n} channel ${c}`;
              const r = n * p.channels + c;
              expect(isConstantMargin(s.marginA[r]), at).toBe(constant(a, c, rhoA));
              expect(isConstantMargin(s.marginB[r]), at).toBe(constant(b, c, rhoB));
              if (isConstantMargin(s.marginA[r])) continue;
              if (!isConstantMargin(s.marginB[r])) expect(s.inv[r], at).toBeCloseTo(measure(row(a, c, size), row(b, c, size), rhoA, rhoB)!, 5);
              let best = -Infinity;
              for (let c2 = 0; c2 < p.channels; c2++) if (!constant(b, c2, rhoB)) best = Math.max(best, measure(row(a, c, size), row(b, c2, size), rhoA, rhoB)!);
              expect(s.eqv[r], at).toBeCloseTo(best, 5);
              checked++;
            }
          }
        });
      }
      // Channel 3 is constant everywhere, so 3 of 4 channels are checked per probe, element and image
      // (48 of 64 on the 2×2 maps), except where a shift leaves a 2×2 map one position: every row
      // is then constant for Pearson (not for cosine).
      const wholeMaps = elements.filter((g) => similarity === 'cosine' || g.transform !== 'translate' || mapShift(g.shift, 2, SIDE) === 0).length;
      expect(checked).toBe((elements.length * (PROBES.length - 2) * 3 + wholeMaps * 2 * 48) * IMAGES);
    } finally {
      await scorer.release();
    }
  });
});

// onnxruntime reuses a freed buffer only for a tensor of provably the same shape: a metric tensor
// whose batch axis is unknown (a Reshape with −1) is never reused, and opening ResNet-50's scored
// models then took seconds, growing with the square of the number of probes.
describe('scored models keep the model batch symbol', () => {
  it.each([
    ['original', originalModel],
    ['permutation', permutationModel],
    ['shift', shiftModel],
  ] as const)('on every per-image output of the %s model', async (_, build) => {
    const model = layoutModel(18);
    const scored = PROBES.map((_p, i) => i);
    const bytes = build(model, { probes: PROBES, similarity: 'pearson', permutations: true, shifts: true, scored, batch: modelBatchDim(model, 'x') });
    const session = await ort.InferenceSession.create(bytes);
    const perImage = session.outputMetadata.filter((o) => !o.name.includes('/witness/')) as { name: string; shape: readonly (number | string)[] }[];
    expect(perImage.length).toBeGreaterThan(PROBES.length);
    for (const output of perImage) expect([output.name, output.shape[0]]).toEqual([output.name, 'N']);
    await session.release();
  });
});
