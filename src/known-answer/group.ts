/**
 * The groups C4 (rotations by 90°) and D4 (rotations and flips) and the weight layouts of
 * group-equivariant convolutions (Cohen & Welling 2016) over them.
 *
 * An element is `(r, m)` = `Rot^r ∘ F^m`: first mirror left–right `m` times (F = numpy.fliplr),
 * then rotate `r` quarter turns counter-clockwise (numpy.rot90). Its index is `m·4 + r`, and a
 * feature map of a group layer with C groups has channel `c·|G| + index(h)`.
 *
 * Convention (verified in test/known-answer/gcnn.test.ts): if x is transformed by t, every group
 * feature map satisfies  `f(Tx)[c, h] = T f(x)[c, t⁻¹h]`. For C4 that is: rotating the input
 * 90° counter-clockwise gives, at channel `c·4 + r`, the rot90 of channel `c·4 + (r−1 mod 4)`.
 *
 * Why: with zero 'same' padding and an odd square kernel, ONNX Conv (a cross-correlation)
 * satisfies `conv(Tx, Tw) = T conv(x, w)` for every pixel permutation T of D4. The lifting
 * filters are `w_h = L_h w`, the group filters `W[(o,g),(c,h)] = L_g W0[o,c,g⁻¹h]`.
 */
import { flipFilter, rotateFilter } from './filters.js';

/** A group element `Rot^r ∘ F^m`. */
export interface GroupElementRM {
  readonly r: number;
  readonly m: number;
}

/** The two groups the known-answer networks use. */
export type GroupName = 'C4' | 'D4';

/**
 * The elements of a group in channel order (index `m·4 + r`).
 *
 * @example
 * groupElements('D4').length; // 8
 */
export function groupElements(group: GroupName): GroupElementRM[] {
  const ms = group === 'C4' ? [0] : [0, 1];
  return ms.flatMap((m) => [0, 1, 2, 3].map((r) => ({ r, m })));
}

/** Channel index of an element within its group block: `m·4 + r`. */
export function elementIndex(e: GroupElementRM): number {
  return e.m * 4 + e.r;
}

/**
 * Group product `a·b` (apply b first): since `F Rot = Rot⁻¹ F`,
 * `(r1,m1)(r2,m2) = (r1 + (−1)^{m1} r2, m1 xor m2)`.
 */
export function multiply(a: GroupElementRM, b: GroupElementRM): GroupElementRM {
  const r = (a.r + (a.m === 1 ? -b.r : b.r) + 8) % 4;
  return { r, m: a.m ^ b.m };
}

/** Group inverse: `(−r, 0)` for a rotation, itself for a reflection. */
export function inverse(a: GroupElementRM): GroupElementRM {
  return a.m === 1 ? { r: a.r, m: 1 } : { r: (4 - a.r) % 4, m: 0 };
}

/**
 * The action `L_e` of an element on a square filter: flip (if m) then rotate r quarter turns.
 *
 * @example
 * actOnFilter(w, { r: 1, m: 0 }); // numpy.rot90(w)
 */
export function actOnFilter(w: Float32Array, e: GroupElementRM): Float32Array {
  return rotateFilter(e.m === 1 ? flipFilter(w) : w, e.r);
}

/**
 * Weights `[Cout·|G|, Cin, k, k]` of a lifting convolution: output channel `o·|G| + index(h)`
 * uses `L_h base[o][c]`.
 *
 * @param base - `base[o][c]` is a k×k filter
 * @example
 * liftingWeights([[w]], 'C4'); // 4 rotated copies of w, dims [4, 1, k, k]
 */
export function liftingWeights(base: Float32Array[][], group: GroupName): { data: Float32Array; dims: number[] } {
  const els = groupElements(group);
  const cout = base.length;
  const cin = base[0].length;
  const kk = base[0][0].length;
  const k = Math.round(Math.sqrt(kk));
  const data = new Float32Array(cout * els.length * cin * kk);
  for (let o = 0; o < cout; o += 1) {
    for (const h of els) {
      for (let c = 0; c < cin; c += 1) {
        const oc = o * els.length + elementIndex(h);
        data.set(actOnFilter(base[o][c], h), (oc * cin + c) * kk);
      }
    }
  }
  return { data, dims: [cout * els.length, cin, k, k] };
}

/**
 * Weights `[Cout·|G|, Cin·|G|, k, k]` of a group convolution:
 * `W[(o,g),(c,h)] = L_g base[o][c][index(g⁻¹h)]` — for C4, output rotation s uses the filters
 * rotated by s with their input rotation channels cyclically shifted by s.
 *
 * @param base - `base[o][c][j]` is a k×k filter for relative element j (|G| of them)
 * @example
 * groupConvWeights(base, 'C4'); // dims [Cout*4, Cin*4, k, k]
 */
export function groupConvWeights(base: Float32Array[][][], group: GroupName): { data: Float32Array; dims: number[] } {
  const els = groupElements(group);
  const n = els.length;
  const cout = base.length;
  const cin = base[0].length;
  const kk = base[0][0][0].length;
  const k = Math.round(Math.sqrt(kk));
  const data = new Float32Array(cout * n * cin * n * kk);
  for (let o = 0; o < cout; o += 1) {
    for (const g of els) {
      const gInv = inverse(g);
      for (let c = 0; c < cin; c += 1) {
        for (const h of els) {
          const rel = elementIndex(multiply(gInv, h));
          const oc = o * n + elementIndex(g);
          const ic = c * n + elementIndex(h);
          data.set(actOnFilter(base[o][c][rel], g), (oc * cin * n + ic) * kk);
        }
      }
    }
  }
  return { data, dims: [cout * n, cin * n, k, k] };
}
