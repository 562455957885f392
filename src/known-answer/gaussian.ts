/**
 * `gaussian_inv`: the paper's rotation-invariant toy CNN (Bruintjes et al. 2023) — three
 * convolutions whose filters are isotropic Gaussians, so every feature map is invariant.
 */
import { createRng, gaussianFilter, scaleFilter } from './filters.js';
import { ALL_PARTS, expectParts } from './expect.js';
import { conv, finishGraph, gapHead, packFilters, randomBias, relu, startGraph } from './nn.js';
import type { KnownAnswerNetwork, NetworkOptions } from './types.js';

const SIZE = 32;
const K = 5;
const SIGMAS_1 = [0.6, 0.9, 1.2, 1.6, 2.0, 2.5];
const SIGMAS_2 = [0.7, 1.0, 1.3, 1.6, 1.9, 2.2, 2.5, 2.8];

/**
 * Builds `gaussian_inv`: `x [N,1,32,32]` → `conv1`/`relu1` (6 ch) → `conv2`/`relu2` (8 ch) →
 * `conv3`/`relu3` (8 ch) → `pool` → `logits` (10). Every filter `W[o,c]` is a signed random
 * multiple of a 5×5 Gaussian with a per-output-channel sigma; 'same' zero padding 2, stride 1,
 * random biases.
 *
 * Predicted answer: inv ≈ 1 (and so eqv ≈ 1) for rot90, hflip, vflip and all of D4 at every
 * layer, Pool and Final. Why: an odd, D4-symmetric filter with symmetric zero padding commutes
 * with every D4 pixel permutation of a square image, `conv(Tx, w) = T conv(x, w)`; ReLU and bias
 * are pointwise; GlobalAveragePool of a permuted map is unchanged, so `pool` and `logits` are
 * exactly invariant. Only float rounding separates the scores from 1.
 *
 * @param seed - seeds the coefficients, biases and head
 * @example
 * const p = buildGaussianInv(0); // p.inputShape = [1, 32, 32]
 */
export function buildGaussianInv(seed: number, options: NetworkOptions = {}): KnownAnswerNetwork {
  const rng = createRng(seed ^ 0x9a55);
  const { g, x } = startGraph('gaussian_inv', [1, SIZE, SIZE]);
  const layer = (input: string, n: number, sigmas: number[], cin: number): string => {
    const filters = sigmas.map((s) =>
      Array.from({ length: cin }, () => scaleFilter(gaussianFilter(K, s), rng.normal() * (cin === 1 ? 2 : 2 / Math.sqrt(cin)))),
    );
    const w = packFilters(filters);
    const c = conv(g, input, `conv${n}`, w.data, w.dims, randomBias(rng, sigmas.length, 0.1), (K - 1) / 2);
    return relu(g, c, `relu${n}`);
  };
  const r1 = layer(x, 1, SIGMAS_1, 1);
  const r2 = layer(r1, 2, SIGMAS_2, SIGMAS_1.length);
  const r3 = layer(r2, 3, SIGMAS_2, SIGMAS_2.length);
  const { pool, logits } = gapHead(g, r3, SIGMAS_2.length, 10, rng);
  const layers = ['conv1', 'relu1', 'conv2', 'relu2', 'conv3', 'relu3', pool, logits];
  const transforms = ['rot90', 'hflip', 'vflip', 'd4'] as const;
  const why = 'isotropic Gaussian filters commute with every D4 permutation of a square image';
  return {
    name: 'gaussian_inv',
    description: 'Three-layer CNN with isotropic Gaussian filters: invariant to rot90 and flips at every layer.',
    bytes: finishGraph(g, layers, logits, options),
    inputShape: [1, SIZE, SIZE],
    transforms,
    expected: [
      ...expectParts(transforms, ALL_PARTS, 'inv', { atLeast: 0.99 }, why),
      ...expectParts(transforms, ALL_PARTS, 'eqv', { atLeast: 0.99 }, 'eqv ≥ inv'),
    ],
    layers,
    pool,
    final: logits,
  };
}
