import { messages } from '../messages.js';
import type { GroupElement, ShiftMode } from '../types.js';
import { permutePlanes } from './permute.js';
import { cropWindow, shiftImage } from './translate.js';

/**
 * The untransformed input x: the H×W crop at (0,0) of a source that may carry a crop-mode margin.
 * When the source is already H×W it is returned itself, not copied (callers only read it).
 *
 * @param src - channels×srcH×srcW source image
 * @param channels - number of planes
 * @param srcH - source height (H plus the crop-mode margin, or H)
 * @param srcW - source width
 * @param H - model input height
 * @param W - model input width
 * @returns channels×H×W
 * @throws RangeError when the source is smaller than H×W or has the wrong length
 * @example
 * cropOriginal(img, 3, 256, 256, 224, 224); // Float32Array(3·224·224): rows and columns 0..223
 */
export function cropOriginal(src: Float32Array, channels: number, srcH: number, srcW: number, H: number, W: number): Float32Array {
  if (srcH === H && srcW === W && src.length === channels * H * W) return src;
  return cropWindow(src, channels, srcH, srcW, 0, 0, H, W);
}

/**
 * T_g x for one CHW source image (SPEC §2). Translations read the source as `mode` says; rotations
 * and flips permute the (0,0) crop x.
 *
 * @param src - channels×srcH×srcW; larger than H×W by the crop-mode margin H + max(S) − H
 * @param channels - number of planes
 * @param srcH - source height
 * @param srcW - source width
 * @param g - the group element to apply
 * @param H - model input height
 * @param W - model input width
 * @param mode - translate input mode (ignored by rotations and flips)
 * @returns a new channels×H×W array
 * @throws RangeError for an odd number of quarter turns on a non-square input, a source smaller
 *   than H×W, or too small a margin for a crop-mode shift
 * @example
 * const [s8] = groupElements('translate', { shifts: [8], height: 224 });
 * transformInput(img, 3, 256, 256, s8, 224, 224, 'crop'); // the 224×224 window at (8, 8)
 */
export function transformInput(src: Float32Array, channels: number, srcH: number, srcW: number, g: GroupElement, H: number, W: number, mode: ShiftMode): Float32Array {
  if (g.transform === 'translate') return shiftImage(src, channels, srcH, srcW, g.shift, H, W, mode);
  // An odd turn of an H×W input is W×H, which the model cannot take in place of x.
  if (Math.abs(g.quarterTurns % 2) === 1 && H !== W) throw new RangeError(messages.nonSquareInput(H, W, g.transform));
  return permutePlanes(cropOriginal(src, channels, srcH, srcW, H, W), channels, H, W, g.quarterTurns, g.flip);
}
