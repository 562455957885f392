/**
 * `large_mean`: feature maps with large, layer-dependent means (+50, +500), which make cosine
 * similarity report invariance that Pearson correlation does not (SPEC §3; the paper's Fig. 2).
 */
import { createRng, gaussianFilter, scaleFilter, zeroMeanFilter } from './filters.js';
import { expectParts, MAP_PARTS } from './expect.js';
import { conv, finishGraph, gapHead, packFilters, relu, startGraph } from './nn.js';
import type { KnownAnswerNetwork, NetworkOptions } from './types.js';

const SIZE = 32;
const K = 5;
const SYM = 4;
const RND = 4;
const BIAS = [50, 500];

/**
 * Builds `large_mean`: `x [N,1,32,32]` → `conv1` → `relu1` ([N,8,28,28]) → `conv2` → `relu2`
 * ([N,8,24,24]) → `pool` → `logits` (10). 'valid' 5×5 convolutions (no padding, so no border
 * effects), bias +50 in layer 1 and +500 in layer 2 on every channel. Channels 0–3 are isotropic
 * Gaussians fed only by channels 0–3 (exactly rot90 invariant); channels 4–7 are random zero-sum
 * filters (not invariant) whose response has standard deviation ≈ 1, tiny next to the bias.
 *
 * Predicted answer for rot90 invariance at the map layers: Pearson ≈ (4·1 + 4·ρ)/8 with ρ the
 * correlation of two unrelated random-filter responses, clearly below 1 (≤ 0.8; measured
 * 0.38…0.53 over 4 seeds on white and box-blurred noise); cosine ≈ 1 (≥ 0.99; measured ≥ 0.9997), because `cos(b + u, b + v) ≈ 1 − (1−ρ)σ²/b²` when the mean b dwarfs the spread σ.
 * At Pool the same holds across images: cosine ≥ 0.99 (vectors ≈ constant b), Pearson unspecified.
 *
 * @example
 * buildLargeMean(0).expected.some((e) => e.similarity === 'cosine'); // true
 */
export function buildLargeMean(seed: number, options: NetworkOptions = {}): KnownAnswerNetwork {
  const rng = createRng(seed ^ 0x1a6e);
  const { g, x } = startGraph('large_mean', [1, SIZE, SIZE]);
  const sigmas = [0.8, 1.2, 1.6, 2.0];
  const width = SYM + RND;
  const zero = new Float32Array(K * K);
  // layer 1: one input channel
  const f1 = [
    ...sigmas.map((s) => [scaleFilter(gaussianFilter(K, s), 1 + rng.uniform())]),
    ...Array.from({ length: RND }, () => [zeroMeanFilter(rng, K, 0.2)]),
  ];
  // layer 2: symmetric channels see only symmetric channels; random channels see all
  const f2 = [
    ...sigmas.map((s) =>
      Array.from({ length: width }, (_, c) => (c < SYM ? scaleFilter(gaussianFilter(K, s), (0.5 + rng.uniform()) / SYM) : zero)),
    ),
    ...Array.from({ length: RND }, () => Array.from({ length: width }, () => zeroMeanFilter(rng, K, 0.2 / Math.sqrt(width)))),
  ];
  let h = x;
  [f1, f2].forEach((filters, i) => {
    const w = packFilters(filters);
    h = relu(g, conv(g, h, `conv${i + 1}`, w.data, w.dims, new Float32Array(width).fill(BIAS[i]), 0), `relu${i + 1}`);
  });
  const { pool, logits } = gapHead(g, h, width, 10, rng);
  const layers = ['conv1', 'relu1', 'conv2', 'relu2', pool, logits];
  return {
    name: 'large_mean',
    description: 'Half symmetric, half random channels on top of a +50/+500 bias: Pearson sees the random half, cosine does not.',
    bytes: finishGraph(g, layers, logits, options),
    inputShape: [1, SIZE, SIZE],
    transforms: ['rot90'],
    expected: [
      ...expectParts(['rot90'], MAP_PARTS, 'inv', { atMost: 0.8, similarity: 'pearson' }, 'half the channels are random filters'),
      ...expectParts(['rot90'], MAP_PARTS, 'inv', { atLeast: 0.99, similarity: 'cosine' }, 'the large mean dominates cosine similarity'),
      ...expectParts(['rot90'], ['Pool'], 'inv', { atLeast: 0.99, similarity: 'cosine' }, 'pooled values ≈ the bias for every image'),
    ],
    layers,
    pool,
    final: logits,
  };
}
