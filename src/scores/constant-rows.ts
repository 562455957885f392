/**
 * Overwrites every constant row of T′F (valid = 0) with the image's first valid row, in place.
 * In the K×K product such a row then repeats a valid channel's similarity, so the max over c′
 * (SPEC §4: constant channels are left out of it) is exact without masking the K×K matrix. Images
 * with no valid row are left as they are: their equivariance is undefined (see `addPairScores`).
 *
 * @param rows - n images × K rows × P positions (channels first) or n × P × K (channels last)
 * @param valid - n × K flags
 * @example
 * const rows = Float32Array.of(0, 0, 1, 2); // one image, K = 2 channels first, P = 2; row 0 constant
 * replaceConstantRows(rows, Uint8Array.of(0, 1), 2, 2, false); // rows → [1, 2, 1, 2]
 */
export function replaceConstantRows(rows: Float32Array, valid: Uint8Array, k: number, positions: number, channelsLast: boolean): void {
  const size = k * positions;
  for (let image = 0; image * k < valid.length; image++) {
    const flags = valid.subarray(image * k, (image + 1) * k);
    const first = flags.indexOf(1);
    if (first < 0 || flags.indexOf(0) < 0) continue;
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
