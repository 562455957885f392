/**
 * Transforms (SPEC §2): group elements, their action on input images and on feature maps.
 * Pure functions over typed arrays.
 */
import type { GroupElement, ShiftMode } from '../types.js';
import { permutePlanes } from './permute.js';
import { cropWindow, shiftImage } from './translate.js';

export { groupElements } from './elements.js';
export { permutePlanes, transformMap } from './permute.js';
export { mapSteps, type MapStep } from './steps.js';
export { mapShift, overlapPair } from './translate.js';

/** The untransformed input x: the H×W crop at (0,0) of a source that may carry a crop-mode margin. */
export function cropOriginal(src: Float32Array, channels: number, srcH: number, srcW: number, H: number, W: number): Float32Array {
  return srcH === H && srcW === W ? src : cropWindow(src, channels, srcH, srcW, 0, 0, H, W);
}

/**
 * T_g x for one CHW source image (SPEC §2).
 *
 * @param src - channels×srcH×srcW; larger than H×W by the crop-mode margin for translate
 * @returns channels×H×W
 */
export function transformInput(src: Float32Array, channels: number, srcH: number, srcW: number, g: GroupElement, H: number, W: number, mode: ShiftMode): Float32Array {
  if (g.transform === 'translate') return shiftImage(src, channels, srcH, srcW, g.shift, H, W, mode);
  return permutePlanes(cropOriginal(src, channels, srcH, srcW, H, W), channels, H, W, g.quarterTurns, g.flip);
}
