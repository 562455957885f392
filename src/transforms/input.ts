import { messages } from '../messages.js';
import type { GroupElement } from '../types.js';
import { permutePlanes } from './permute.js';
import { cropWindow, shiftImage, type InputTarget, type PlanarImage } from './translate.js';

/**
 * The untransformed input x: the H×W crop at (0,0) of a source that may carry a crop-mode margin.
 * When the source is already H×W it is returned itself, not copied (callers only read it).
 *
 * @param image - the channels×srcH×srcW source (H plus the crop-mode margin, or H)
 * @param size - the model input size H×W
 * @returns channels×H×W
 * @throws RangeError when the source is smaller than H×W or has the wrong length
 * @example
 * cropOriginal({ data: img, channels: 3, height: 256, width: 256 }, { height: 224, width: 224 }); // Float32Array(3·224·224): rows and columns 0..223
 */
export function cropOriginal(image: PlanarImage, size: { readonly height: number; readonly width: number }): Float32Array {
  const { data: src, channels } = image;
  if (image.height === size.height && image.width === size.width && src.length === channels * size.height * size.width) return src;
  return cropWindow(image, { top: 0, left: 0, height: size.height, width: size.width });
}

/**
 * T_g x for one CHW source image (SPEC §2). Translations read the source as `mode` says; rotations
 * and flips permute the (0,0) crop x.
 *
 * @param image - the channels×srcH×srcW source; larger than H×W by the crop-mode margin max(S)
 * @param g - the group element to apply
 * @param target - the model input size H×W and the translate input mode (ignored by rotations and flips)
 * @returns a new channels×H×W array
 * @throws RangeError for an odd number of quarter turns on a non-square input, a source smaller
 *   than H×W, or too small a margin for a crop-mode shift
 * @example
 * const [s8] = groupElements('translate', { shifts: [8], height: 224 });
 * transformInput({ data: img, channels: 3, height: 256, width: 256 }, s8, { height: 224, width: 224, mode: 'crop' }); // the 224×224 window at (8, 8)
 */
export function transformInput(image: PlanarImage, g: GroupElement, target: InputTarget): Float32Array {
  const { height: H, width: W } = target;
  if (g.transform === 'translate') return shiftImage(image, g.shift, target);
  // An odd turn of an H×W input is W×H, which the model cannot take in place of x.
  if (Math.abs(g.quarterTurns % 2) === 1 && H !== W) throw new RangeError(messages.nonSquareInput(H, W, g.transform));
  return permutePlanes(cropOriginal(image, target), image.channels, H, W, g.quarterTurns, g.flip);
}
