/**
 * `random_cnn`: an ordinary random-weight CNN — the negative control for rot90.
 */
import { createRng, zeroMeanFilter } from './filters.js';
import { expectParts, MAP_PARTS } from './expect.js';
import { conv, finishGraph, gapHead, packFilters, randomBias, relu, startGraph } from './nn.js';
import type { KnownAnswerNetwork, NetworkOptions } from './types.js';

const SIZE = 32;
const K = 3;
const WIDTH = 8;

/**
 * Builds `random_cnn`: `x [N,3,32,32]` → `conv1` → `relu1` → `maxpool1` (2×2, stride 2) →
 * `conv2` → `relu2` → `conv3` → `relu3` (8 ch, 3×3 random zero-sum filters, 'same' zero padding)
 * → `pool` → `logits` (10).
 *
 * Predicted answer for rot90: inv and eqv clearly below 1 at every map layer (inv ≤ 0.6,
 * eqv ≤ 0.9; measured over 4 seeds on white and box-blurred noise: inv −0.26…0.06, eqv 0.08…0.45). Why: `conv(rot x, w) = rot conv(x, rot⁻¹ w)`, so invariance compares the responses
 * to w and to its rotation — unrelated random filters. Filters have zero sum: a filter's response
 * to smooth images is dominated by its sum, which every rotation shares, and a random CNN with
 * non-zero-sum filters would look rotation invariant on smooth inputs. The 2×2 max pool on an
 * even-sized map commutes with rot90, so it adds no extra loss. No bound at Pool/Final: vector
 * scores run over images and follow image-level statistics such as contrast.
 *
 * @example
 * buildRandomCnn(0).layers; // ['conv1', 'relu1', 'maxpool1', ..., 'pool', 'logits']
 */
export function buildRandomCnn(seed: number, options: NetworkOptions = {}): KnownAnswerNetwork {
  const rng = createRng(seed ^ 0x7a7);
  const channels = 3;
  const { g, x } = startGraph('random_cnn', [channels, SIZE, SIZE]);
  const layer = (input: string, n: number, cin: number): string => {
    const filters = Array.from({ length: WIDTH }, () =>
      Array.from({ length: cin }, () => zeroMeanFilter(rng, K, Math.sqrt(2 / (cin * K * K)))),
    );
    const w = packFilters(filters);
    return relu(g, conv(g, input, `conv${n}`, w.data, w.dims, randomBias(rng, WIDTH, 0.1), (K - 1) / 2), `relu${n}`);
  };
  const r1 = layer(x, 1, channels);
  const [mp] = g.node('MaxPool', [r1], ['maxpool1'], { kernel_shape: [2, 2], strides: [2, 2] });
  const r3 = layer(layer(mp, 2, WIDTH), 3, WIDTH);
  const { pool, logits } = gapHead(g, r3, WIDTH, 10, rng);
  const layers = ['conv1', 'relu1', 'maxpool1', 'conv2', 'relu2', 'conv3', 'relu3', pool, logits];
  const why = 'rotation turns each random filter into an unrelated one';
  return {
    name: 'random_cnn',
    description: 'Ordinary random CNN with zero-sum filters: negative control, not rot90 invariant or equivariant.',
    bytes: finishGraph(g, layers, logits, options),
    inputShape: [channels, SIZE, SIZE],
    transforms: ['rot90'],
    expected: [
      ...expectParts(['rot90'], MAP_PARTS, 'inv', { atMost: 0.6 }, why),
      ...expectParts(['rot90'], MAP_PARTS, 'eqv', { atMost: 0.9 }, why),
    ],
    layers,
    pool,
    final: logits,
  };
}
