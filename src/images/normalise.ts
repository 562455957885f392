import type { Preprocessing } from '../types.js';

/**
 * Turns 8-bit interleaved pixels (HWC, as sharp's raw output and the synthetic generator give)
 * into a normalised CHW float32 image, value (x/255 − mean[c]) / std[c]. Each channel uses a
 * 256-entry table computed in float64, so every machine gets bit-identical values (SPEC §8).
 *
 * A 1-channel source feeding a 3-channel preprocessing is repeated; a source with more channels
 * than needed keeps its first `prep.channels` (sharp's output should already match; this is a
 * safety net, not a colour conversion).
 *
 * @param pixels - `side · side · sourceChannels` bytes, row-major HWC
 * @param sourceChannels - channels interleaved in `pixels`
 * @param side - image height S
 * @param prep - channels, mean and std
 * @param width - image width (default S)
 * @returns CHW Float32Array of `prep.channels · S · width`
 */
export function normaliseHWC(pixels: Uint8Array, sourceChannels: number, side: number, prep: Preprocessing, width = side): Float32Array {
  const plane = side * width;
  const out = new Float32Array(prep.channels * plane);
  for (let c = 0; c < prep.channels; c++) {
    const table = new Float64Array(256);
    for (let x = 0; x < 256; x++) table[x] = (x / 255 - prep.mean[c]) / prep.std[c];
    const src = sourceChannels === 1 ? 0 : Math.min(c, sourceChannels - 1);
    const base = c * plane;
    for (let p = 0; p < plane; p++) out[base + p] = table[pixels[p * sourceChannels + src]];
  }
  return out;
}
