/**
 * `c4_gcnn` and `d4_gcnn`: random-weight group-equivariant CNNs (Cohen & Welling 2016) over the
 * rotation group C4 and the dihedral group D4, with group pooling before the head.
 * The weight layouts and the direction convention are in ./group.ts.
 */
import type { GraphBuilder } from '../onnx/graph.js';
import type { TransformName } from '../types.js';
import { createRng, zeroMeanFilter, type Rng } from './filters.js';
import { expectParts, MAP_PARTS } from './expect.js';
import { groupConvWeights, groupElements, liftingWeights, type GroupName } from './group.js';
import { conv, finishGraph, gapHead, randomBias, relu, startGraph } from './nn.js';
import type { Expectation, KnownAnswerNetwork, NetworkOptions } from './types.js';

const SIZE = 32;
const K = 3;

/**
 * Adds a lifting conv (`conv1`) and two group convs (`conv2`, `conv3`), each followed by ReLU
 * (`relu1..3`), with `groups` channel groups of |G| channels each. Biases are shared within a
 * group (a per-element bias would break equivariance). Returns the last ReLU's name.
 *
 * @param makeFilter - the k×k base filter for output group o (called once per filter)
 */
export function addGroupLayers(
  g: GraphBuilder,
  rng: Rng,
  x: string,
  inChannels: number,
  groups: number,
  group: GroupName,
  makeFilter: (o: number, fanIn: number, rel: number) => Float32Array,
  biasShift: number,
): string {
  const n = groupElements(group).length;
  const groupBias = (): Float32Array => {
    const b = randomBias(rng, groups, 0.1, biasShift);
    return Float32Array.from({ length: groups * n }, (_, i) => b[Math.floor(i / n)]);
  };
  const lift = liftingWeights(
    Array.from({ length: groups }, (_, o) => Array.from({ length: inChannels }, () => makeFilter(o, inChannels, -1))),
    group,
  );
  let h = relu(g, conv(g, x, 'conv1', lift.data, lift.dims, groupBias(), (lift.dims[2] - 1) / 2), 'relu1');
  for (const layer of [2, 3]) {
    const base = Array.from({ length: groups }, (_, o) =>
      Array.from({ length: groups }, () => Array.from({ length: n }, (_, rel) => makeFilter(o, groups * n, rel))),
    );
    const w = groupConvWeights(base, group);
    h = relu(g, conv(g, h, `conv${layer}`, w.data, w.dims, groupBias(), (w.dims[2] - 1) / 2), `relu${layer}`);
  }
  return h;
}

function buildGcnn(name: 'c4_gcnn' | 'd4_gcnn', group: GroupName, seed: number, options: NetworkOptions): KnownAnswerNetwork {
  const rng = createRng(seed ^ (group === 'C4' ? 0xc4 : 0xd4));
  const channels = 3;
  const groups = group === 'C4' ? 4 : 3;
  const n = groupElements(group).length;
  const { g, x } = startGraph(name, [channels, SIZE, SIZE]);
  // Zero-sum filters: on smooth images a filter's response is dominated by its sum, which all its
  // rotations share; zero sum keeps the pre-pooling invariance clearly below 1 on any input.
  const r3 = addGroupLayers(g, rng, x, channels, groups, group, (_o, fanIn) => zeroMeanFilter(rng, K, Math.sqrt(2 / (fanIn * K * K))), 0);
  const shape = g.ints([0, groups, n, SIZE, SIZE], 'gpool.shape');
  const [split] = g.node('Reshape', [r3, shape], ['gpool_split']);
  const [gpool] = g.node('ReduceMax', [split], ['gpool'], { axes: [2], keepdims: 0 });
  const { pool, logits } = gapHead(g, gpool, groups, 10, rng);
  const layers = ['conv1', 'relu1', 'conv2', 'relu2', 'conv3', 'relu3', gpool, pool, logits];
  const transforms: readonly TransformName[] = group === 'C4' ? ['rot90'] : ['rot90', 'hflip', 'vflip', 'd4'];
  const eqvWhy = `group convolutions: a ${group} input transform permutes the ${n} element channels of each group and transforms the maps`;
  const expected: Expectation[] = [
    ...expectParts(transforms, MAP_PARTS, 'eqv', { atLeast: 0.99 }, eqvWhy),
    ...expectParts(transforms, ['Early'], 'inv', { atMost: 0.8 }, 'before group pooling a channel maps to a different channel of its group'),
    ...transforms.map((transform) => ({
      transform,
      layer: 'gpool',
      score: 'inv' as const,
      atLeast: 0.99,
      why: 'max over the group channels of a group is invariant to their permutation',
    })),
    ...expectParts(transforms, ['Pool', 'Final'], 'inv', { atLeast: 0.99 }, 'global average of an invariant map is invariant'),
  ];
  return {
    name,
    description:
      `Random-weight ${group} group CNN (lifting conv + 2 group convs, ${groups} groups × ${n}) with group max pooling: ` +
      'equivariant before group pooling, invariant after.',
    bytes: finishGraph(g, layers, logits, options),
    inputShape: [channels, SIZE, SIZE],
    transforms,
    expected,
    layers,
    pool,
    final: logits,
  };
}

/**
 * Builds `c4_gcnn`: `x [N,3,32,32]` → `conv1` (lifting, 16 ch = 4 groups × 4 rotations) →
 * `relu1` → `conv2` (C4 group conv) → `relu2` → `conv3` → `relu3` → `gpool` (max over the 4
 * rotation channels, [N,4,32,32]) → `pool` → `logits` (10). Random zero-sum 3×3 filters.
 *
 * Predicted answer for rot90: eqv ≈ 1 at every map layer up to `relu3` (rotating the input by
 * 90° CCW gives at channel `c·4 + r` the rot90 of channel `c·4 + (r−1 mod 4)`), inv clearly
 * below 1 there (≤ 0.8 in Early; measured −0.19…0.13 over 4 seeds on white and box-blurred
 * noise); inv ≈ 1 at `gpool`, Pool and Final.
 *
 * @example
 * buildC4Gcnn(0).layers; // ['conv1', 'relu1', ..., 'gpool', 'pool', 'logits']
 */
export function buildC4Gcnn(seed: number, options: NetworkOptions = {}): KnownAnswerNetwork {
  return buildGcnn('c4_gcnn', 'C4', seed, options);
}

/**
 * Builds `d4_gcnn`: like {@link buildC4Gcnn} over D4 (3 groups × 8 elements = 24 channels, element
 * index `m·4 + r` for `Rot^r ∘ fliplr^m`), group max pooling over 8 → `gpool` [N,3,32,32].
 *
 * Predicted answer for rot90, hflip, vflip and d4: eqv ≈ 1 at every map layer up to `relu3`,
 * inv ≤ 0.8 in Early (measured −0.20…0.41), inv ≈ 1 at `gpool`, Pool and Final. An input transform t maps channel
 * `(c, h)` to `t · (channel (c, t⁻¹h))`.
 */
export function buildD4Gcnn(seed: number, options: NetworkOptions = {}): KnownAnswerNetwork {
  return buildGcnn('d4_gcnn', 'D4', seed, options);
}
