import { NEAR_CONSTANT_MARGIN } from './rows.js';

/**
 * Whether a row is constant (SPEC §3) from its margin σ / (32·u·max(|mean|, ρ)) as the scored
 * models return it: at or below 1, or NaN (a row of NaN/Inf, whose layer is flagged anyway).
 */
export function isConstantMargin(margin: number): boolean {
  return !(margin > 1);
}

/** Whether a non-constant row is near-constant: σ within `NEAR_CONSTANT_MARGIN`× of the threshold (SPEC §3). */
export function isNearConstantMargin(margin: number): boolean {
  return margin <= NEAR_CONSTANT_MARGIN;
}

/**
 * Overwrites every constant row of T′F with the image's first non-constant row, in place.
 * In the K×K product such a row then repeats a valid channel's similarity, so the max over c′
 * (SPEC §4: c′ over the non-constant channels) is exact without masking the K×K matrix. Images
 * with no valid row are left as they are: every pair of theirs is undefined (see `addPairScores`).
 *
 * @param rows - n images × K rows × P positions (channels first) or n × P × K (channels last)
 * @param margins - n × K constant-row margins (`isConstantMargin`)
 * @example
 * const rows = Float32Array.of(0, 0, 1, 2); // one image, K = 2 channels first, P = 2; row 0 constant
 * replaceConstantRows(rows, Float32Array.of(0, 5e5), 2, 2, false); // rows → [1, 2, 1, 2]
 */
export function replaceConstantRows(rows: Float32Array, margins: Float32Array, k: number, positions: number, channelsLast: boolean): void {
  const size = k * positions;
  for (let image = 0; image * k < margins.length; image++) {
    const flags = Array.from(margins.subarray(image * k, (image + 1) * k), (m) => !isConstantMargin(m));
    const first = flags.indexOf(true);
    if (first < 0 || flags.indexOf(false) < 0) continue;
    const base = image * size;
    for (let c = 0; c < k; c++) {
      if (flags[c]) continue;
      if (channelsLast) {
        for (let p = 0; p < positions; p++) rows[base + p * k + c] = rows[base + p * k + first];
      } else {
        rows.copyWithin(base + c * positions, base + first * positions, base + (first + 1) * positions);
      }
    }
  }
}
