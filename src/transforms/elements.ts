import { messages } from '../messages.js';
import type { GroupElement, TransformName } from '../types.js';

const permutation = (transform: TransformName, key: string, quarterTurns: number, flip: boolean): GroupElement => ({ transform, key, quarterTurns, flip, shift: 0 });

/**
 * The non-identity group elements g of a transform (SPEC §2). Every non-translate element is
 * "horizontal flip (optional), then `quarterTurns` counter-clockwise quarter turns", so one index
 * permutation serves rot90, flips and D4; vflip is stored as rot180 ∘ hflip, which reverses H.
 *
 * @param transform - which transform's elements to list
 * @param opts - `shifts`: the translate shifts S (positive integers; those with s ≥ H/2 are dropped,
 *   SPEC §2); `height`: the model's input height H. Both are ignored by the other transforms.
 * @returns the elements in a stable order: rot90 `k1..k3`; hflip `hflip`; vflip `vflip`;
 *   d4 `r1..r3` (rotations) then `m0..m3` (rot90^k ∘ hflip); translate `s<shift>` by increasing shift
 * @throws RangeError for a non-integer or non-positive shift, or when no shift is below H/2
 * @example
 * groupElements('rot90', { shifts: [], height: 28 }).map((g) => g.key); // ['k1', 'k2', 'k3']
 * groupElements('translate', { shifts: [1, 8, 20], height: 28 }).map((g) => g.key); // ['s1', 's8']
 */
export function groupElements(transform: TransformName, opts: { readonly shifts: readonly number[]; readonly height: number }): GroupElement[] {
  switch (transform) {
    case 'rot90':
      return [1, 2, 3].map((k) => permutation('rot90', `k${k}`, k, false));
    case 'hflip':
      return [permutation('hflip', 'hflip', 0, true)];
    case 'vflip':
      return [permutation('vflip', 'vflip', 2, true)];
    case 'd4':
      return [...[1, 2, 3].map((k) => permutation('d4', `r${k}`, k, false)), ...[0, 1, 2, 3].map((k) => permutation('d4', `m${k}`, k, true))];
    case 'translate':
      return translateElements(opts.shifts, opts.height);
    default:
      throw new RangeError(messages.unknownTransform(transform as string));
  }
}

function translateElements(shifts: readonly number[], height: number): GroupElement[] {
  const bad = shifts.find((s) => !Number.isInteger(s) || s < 1);
  // A fractional shift would index between pixels and s = 0 is the identity: both are caller errors, not values to drop.
  if (bad !== undefined) throw new RangeError(messages.badShift(bad));
  // Sorted and deduplicated so that keys are unique and results list shifts in order whatever the input order.
  const kept = [...new Set(shifts)].filter((s) => s < height / 2).sort((a, b) => a - b);
  if (kept.length === 0) throw new RangeError(messages.noShiftBelowHalf(shifts, height));
  return kept.map((s) => ({ transform: 'translate', key: `s${s}`, quarterTurns: 0, flip: false, shift: s }));
}
