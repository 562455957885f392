/**
 * The registry of known-answer networks: toy ONNX models whose invariance/equivariance scores are known
 * from mathematics, for `equiprobe sanity`.
 */
import { buildCircularCnn } from './circular.js';
import { buildCornerCutEqv } from './cornercut.js';
import { buildGaussianInv } from './gaussian.js';
import { buildC4Gcnn, buildD4Gcnn } from './gcnn.js';
import { buildLargeMean } from './largemean.js';
import { buildRandomCnn } from './random.js';
import type { KnownAnswerNetwork, NetworkOptions } from './types.js';
import { buildTinyVit } from './vit.js';

export type { Expectation, KnownAnswerNetwork, NetworkOptions, TokenLayout } from './types.js';

/** Network builders by name, in the order `buildKnownAnswerNetworks` returns them. */
export const NETWORK_BUILDERS: Readonly<Record<string, (seed: number, options?: NetworkOptions) => KnownAnswerNetwork>> = {
  gaussian_inv: buildGaussianInv,
  cornercut_eqv: buildCornerCutEqv,
  c4_gcnn: buildC4Gcnn,
  d4_gcnn: buildD4Gcnn,
  circular_cnn: buildCircularCnn,
  random_cnn: buildRandomCnn,
  tiny_vit: buildTinyVit,
  large_mean: buildLargeMean,
};

/**
 * Builds every known-answer network with one seed (deterministic: same seed, same bytes).
 *
 * @param seed - seeds every probe's random weights
 * @param options - `exposeLayers` also makes every named layer a graph output
 * @returns the 8 probes, each with its model bytes, input shape, transforms and expectations
 * @example
 * const probes = buildKnownAnswerNetworks(0);
 * probes.map((p) => p.name); // ['gaussian_inv', 'cornercut_eqv', 'c4_gcnn', 'd4_gcnn', 'circular_cnn', 'random_cnn', 'tiny_vit', 'large_mean']
 */
export function buildKnownAnswerNetworks(seed: number, options: NetworkOptions = {}): KnownAnswerNetwork[] {
  return Object.values(NETWORK_BUILDERS).map((build) => build(seed, options));
}
