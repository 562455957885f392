/**
 * `cornercut_eqv`: the paper's equivariant toy CNN — Gaussians with a corner cut out, in groups
 * of four 90° rotations, so rotating the input rotates the maps and cycles the channels.
 */
import { cornerCutFilter, createRng, normals, scaleFilter, type Rng } from './filters.js';
import { expectParts, MAP_PARTS } from './expect.js';
import { addGroupLayers } from './gcnn.js';
import { finishGraph, gapHead, startGraph } from './nn.js';
import type { KnownAnswerNetwork, NetworkOptions } from './types.js';

const SIZE = 32;
const SIGMAS = [1.2, 2.0, 3.0];

function zeroSum(rng: Rng, n: number, scale: number): Float32Array {
  const v = normals(rng, n, scale);
  const mean = v.reduce((a, b) => a + b, 0) / n;
  return v.map((a) => a - mean);
}

/**
 * Builds `cornercut_eqv`: `x [N,1,32,32]` → `conv1` (12 ch: 3 sigmas × 4 rotations of a 7×7
 * Gaussian with its top-left 4×4 corner zeroed, channel `c·4 + r`) → `relu1` → `conv2` → `relu2` → `conv3` → `relu3`
 * (C4 group convs whose base filters are random multiples of the same corner-cut Gaussians,
 * the multiples of the four relative rotations summing to zero) → `pool` → `logits` (10; head weights tied within each group of four).
 *
 * Predicted answer for rot90: eqv ≈ 1 at every map layer and at Pool (rotating the input 90°
 * CCW turns channel `c·4 + r` into the rot90 of channel `c·4 + r−1`, and the pooled vector is the
 * same permutation); inv clearly lower at the map layers, because the matching channel is a
 * differently oriented filter's response: ≤ 0.9 in Early (measured 0.41–0.56 on white noise,
 * 0.76–0.84 on box-blurred noise: the corner-cut Gaussians are all low-pass, so on very smooth
 * images Early inv approaches 1), ≤ 0.5 in Middle/Late (measured −0.3–0.06); Final inv ≈ 1,
 * because the head sums each group's four channels with one weight.
 *
 * @example
 * buildCornerCutEqv(0).inputShape; // [1, 32, 32]
 */
export function buildCornerCutEqv(seed: number, options: NetworkOptions = {}): KnownAnswerNetwork {
  const rng = createRng(seed ^ 0xc0c);
  const { g, x } = startGraph('cornercut_eqv', [1, SIZE, SIZE]);
  const groups = SIGMAS.length;
  // Coefficients of the 4 relative rotations of one (o, c) pair sum to zero: a group conv then
  // responds to differences between orientations, not to their common low-pass part, which keeps
  // the invariance of deeper layers clearly below 1 on smooth inputs too.
  let coef: Float32Array = new Float32Array(4);
  const r3 = addGroupLayers(
    g,
    rng,
    x,
    1,
    groups,
    'C4',
    (o, fanIn, rel) => {
      if (rel < 0) return scaleFilter(cornerCutFilter(7, SIGMAS[o]), 1 + rng.uniform());
      if (rel === 0) coef = zeroSum(rng, 4, 2 / Math.sqrt(fanIn));
      return scaleFilter(cornerCutFilter(7, SIGMAS[o]), coef[rel]);
    },
    -0.05,
  );
  const u = new Float32Array(10 * groups * 4);
  for (let k = 0; k < 10; k += 1)
    for (let c = 0; c < groups; c += 1) {
      const v = rng.normal() / Math.sqrt(groups * 4);
      for (let r = 0; r < 4; r += 1) u[k * groups * 4 + c * 4 + r] = v;
    }
  const { pool, logits } = gapHead(g, r3, groups * 4, 10, rng, u);
  const layers = ['conv1', 'relu1', 'conv2', 'relu2', 'conv3', 'relu3', pool, logits];
  const why = 'the four filters of a group are 90° rotations of one another, so rot90 cycles them';
  return {
    name: 'cornercut_eqv',
    description: 'CNN of corner-cut Gaussians in rotation groups: rot90-equivariant (channels cycle), not invariant.',
    bytes: finishGraph(g, layers, logits, options),
    inputShape: [1, SIZE, SIZE],
    transforms: ['rot90'],
    expected: [
      ...expectParts(['rot90'], [...MAP_PARTS, 'Pool'], 'eqv', { atLeast: 0.99 }, why),
      ...expectParts(['rot90'], ['Early'], 'inv', { atMost: 0.9 }, 'the same channel index holds a differently oriented filter after rotation'),
      ...expectParts(['rot90'], ['Middle', 'Late'], 'inv', { atMost: 0.5 }, 'zero-sum group filters respond to orientation differences'),
      ...expectParts(['rot90'], ['Final'], 'inv', { atLeast: 0.99 }, 'head weights are tied within each rotation group'),
    ],
    layers,
    pool,
    final: logits,
  };
}
