import type { GroupElement, TransformName } from '../types.js';

const rotation = (transform: TransformName, key: string, quarterTurns: number, flip: boolean): GroupElement => ({ transform, key, quarterTurns, flip, shift: 0 });

/**
 * The non-identity group elements g of a transform (SPEC §2). Every non-translate element is
 * "horizontal flip (optional), then `quarterTurns` counter-clockwise quarter turns", so one
 * index permutation serves rot90, flips and D4: vflip = rot180 ∘ hflip.
 *
 * @param opts.shifts - translate shifts S; those with s ≥ H/2 are dropped (SPEC §2)
 * @param opts.height - input height H
 * @example
 * groupElements('rot90', { shifts: [], height: 28 }).map((g) => g.key); // ['k1', 'k2', 'k3']
 * groupElements('translate', { shifts: [1, 8, 20], height: 28 }).map((g) => g.key); // ['s1', 's8']
 */
export function groupElements(transform: TransformName, opts: { readonly shifts: readonly number[]; readonly height: number }): GroupElement[] {
  switch (transform) {
    case 'rot90':
      return [1, 2, 3].map((k) => rotation('rot90', `k${k}`, k, false));
    case 'hflip':
      return [rotation('hflip', 'hflip', 0, true)];
    case 'vflip':
      return [rotation('vflip', 'vflip', 2, true)];
    case 'd4':
      return [
        ...[1, 2, 3].map((k) => rotation('d4', `r${k}`, k, false)),
        ...[0, 1, 2, 3].map((k) => rotation('d4', `m${k}`, k, true)),
      ];
    case 'translate': {
      const shifts = [...new Set(opts.shifts)].filter((s) => s >= 1 && s < opts.height / 2).sort((a, b) => a - b);
      if (shifts.length === 0) {
        throw new RangeError(`No translate shift is below half the input height (${opts.height / 2}). Use smaller --shifts, e.g. --shifts 1..${Math.max(1, Math.ceil(opts.height / 2) - 1)}.`);
      }
      return shifts.map((s) => ({ transform: 'translate', key: `s${s}`, quarterTurns: 0, flip: false, shift: s }));
    }
    default:
      throw new RangeError(`Unknown transform '${transform as string}'. Use one of rot90, translate, hflip, vflip, d4.`);
  }
}
