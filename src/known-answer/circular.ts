/**
 * `circular_cnn`: a random CNN with circular padding and stride 1 — exactly equivariant to
 * cyclic shifts (translate in roll mode), and exactly invariant after global average pooling.
 */
import { createRng, zeroMeanFilter } from './filters.js';
import { ALL_PARTS, expectParts } from './expect.js';
import { circularPad, conv, finishGraph, gapHead, packFilters, randomBias, relu, startGraph } from './nn.js';
import type { KnownAnswerNetwork, NetworkOptions } from './types.js';

const SIZE = 32;
const K = 3;
const WIDTH = 8;

/**
 * Builds `circular_cnn`: `x [N,3,32,32]` → (`pad1` circular) → `conv1` → `relu1` → (`pad2`) →
 * `conv2` → `relu2` → (`pad3`) → `conv3` → `relu3` (8 ch each, 3×3 random, stride 1, unpadded
 * convs on circularly padded inputs) → `pool` → `logits` (10).
 *
 * Predicted answer for `translate` in `roll` mode: inv ≈ 1 at every map layer, Pool and Final.
 * Why: a circular convolution commutes with cyclic shifts; with no downsampling the map shift
 * `d = ⌊s·h/H + 0.5⌋` equals the input shift s, so `F'[0:h−d, 0:w−d] = F[d:h, d:w]` exactly,
 * and the global mean of a cyclically shifted map is unchanged. (In `crop` or `zero` mode the
 * border content differs and the scores are only close to 1.)
 *
 * @example
 * buildCircularCnn(0).transforms; // ['translate']
 */
export function buildCircularCnn(seed: number, options: NetworkOptions = {}): KnownAnswerNetwork {
  const rng = createRng(seed ^ 0xc1c);
  const channels = 3;
  const { g, x } = startGraph('circular_cnn', [channels, SIZE, SIZE]);
  let h = x;
  let cin = channels;
  for (const n of [1, 2, 3]) {
    const filters = Array.from({ length: WIDTH }, () =>
      Array.from({ length: cin }, () => zeroMeanFilter(rng, K, Math.sqrt(2 / (cin * K * K)))),
    );
    const w = packFilters(filters);
    const padded = circularPad(g, h, (K - 1) / 2, SIZE, `pad${n}`);
    h = relu(g, conv(g, padded, `conv${n}`, w.data, w.dims, randomBias(rng, WIDTH, 0.1), 0), `relu${n}`);
    cin = WIDTH;
  }
  const { pool, logits } = gapHead(g, h, WIDTH, 10, rng);
  const layers = ['conv1', 'relu1', 'conv2', 'relu2', 'conv3', 'relu3', pool, logits];
  return {
    name: 'circular_cnn',
    description: 'Stride-1 CNN with circular padding: exactly translation (roll) equivariant, invariant after pooling.',
    bytes: finishGraph(g, layers, logits, options),
    inputShape: [channels, SIZE, SIZE],
    transforms: ['translate'],
    expected: [
      ...expectParts(['translate'], ALL_PARTS, 'inv', { atLeast: 0.99, shiftMode: 'roll' }, 'circular convolution commutes with cyclic shifts'),
      ...expectParts(['translate'], ALL_PARTS, 'eqv', { atLeast: 0.99, shiftMode: 'roll' }, 'eqv ≥ inv'),
    ],
    layers,
    pool,
    final: logits,
  };
}
