import type { Interval } from './bootstrap.js';

/** Blocks of the delete-one-block jackknife (SPEC §4b). */
export const JACKKNIFE_BLOCKS = 20;

/** Fewest images for a jackknife interval (SPEC §4b: two per block). */
export const JACKKNIFE_MIN_IMAGES = 40;

/** t quantile t(19, 0.975), for 20 blocks. */
export const T_19_975 = 2.093024054408263;

/** Reason of a Pool/Final interval on fewer than 40 images. */
export const TOO_FEW_FOR_JACKKNIFE = 'fewer_than_40_images';

/**
 * The delete-one-block jackknife interval θ̂ ± t(19, 0.975)·SE_J with
 * SE_J = √((m−1)/m · Σ(θ̂₍ⱼ₎ − θ̄)²) over the m = 20 leave-one-block-out estimates.
 *
 * @param estimate - θ̂ on all images
 * @param leaveOut - θ̂₍ⱼ₎, the estimate without block j, for the 20 blocks
 */
export function jackknifeInterval(estimate: number, leaveOut: readonly number[]): Interval & { readonly se: number | null } {
  const m = leaveOut.length;
  if (!Number.isFinite(estimate) || m < 2 || leaveOut.some((v) => !Number.isFinite(v))) return { lo: null, hi: null, se: null, reason: 'no_defined_pair' };
  const mean = leaveOut.reduce((s, v) => s + v, 0) / m;
  const se = Math.sqrt(((m - 1) / m) * leaveOut.reduce((s, v) => s + (v - mean) ** 2, 0));
  return { lo: estimate - T_19_975 * se, hi: estimate + T_19_975 * se, se };
}
