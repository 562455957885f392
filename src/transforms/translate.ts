import { messages } from '../messages.js';
import type { ShiftMode } from '../types.js';

/** An image of `channels` planes of height×width values, row-major per plane (CHW). */
export interface PlanarImage {
  readonly data: Float32Array;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}

/** A height×width window whose top-left corner is (top, left). */
export interface Window {
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
}

/** The model input an image is turned into: its height and width, and how a translation finds pixels beyond x. */
export interface InputTarget {
  readonly height: number;
  readonly width: number;
  readonly mode: ShiftMode;
}

/**
 * Copies a window out of an image.
 *
 * @param image - the source, channels×srcH×srcW
 * @param window - where the window lies and its size H×W
 * @returns a new channels×H×W array
 * @throws RangeError when the window does not lie inside the source
 * @example
 * cropWindow({ data: img, channels: 3, height: 256, width: 256 }, { top: 16, left: 16, height: 224, width: 224 }); // Float32Array(3·224·224)
 */
export function cropWindow(image: PlanarImage, window: Window): Float32Array {
  const { data: src, channels, height: srcH, width: srcW } = image;
  const { top, left, height: H, width: W } = window;
  checkSource(src, channels, srcH, srcW);
  if (top < 0 || left < 0 || top + H > srcH || left + W > srcW) {
    throw new RangeError(`The ${H}×${W} window at (${top}, ${left}) does not fit in a ${srcH}×${srcW} source.`);
  }
  const out = new Float32Array(channels * H * W);
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < H; i++) {
      const from = c * srcH * srcW + (top + i) * srcW + left;
      out.set(src.subarray(from, from + W), c * H * W + i * W);
    }
  }
  return out;
}

/**
 * The translated input x'[i, j] = x[i+s, j+s] of SPEC §2: the viewing window moves down-right by
 * s, so content moves up-left. x is the H×W crop at (0,0) of the source. `crop` reads real pixels
 * from the source's margin; `roll` wraps indices modulo H and W of x; `zero` gives 0 outside x.
 *
 * @param image - the channels×srcH×srcW source (srcH ≥ H + s and srcW ≥ W + s in crop mode)
 * @param s - diagonal shift in pixels (a non-negative integer)
 * @param target - the model input size H×W and how pixels beyond x are found
 * @returns a new channels×H×W array
 * @throws RangeError for a bad shift, a source smaller than H×W, or too small a margin in crop mode
 * @example
 * shiftImage({ data: img, channels: 3, height: 256, width: 256 }, 8, { height: 224, width: 224, mode: 'crop' }); // the 224×224 window at (8, 8)
 */
export function shiftImage(image: PlanarImage, s: number, target: InputTarget): Float32Array {
  const { data: src, channels, height: srcH, width: srcW } = image;
  const { height: H, width: W, mode } = target;
  if (!Number.isInteger(s) || s < 0) throw new RangeError(`Shift ${s} is not a non-negative whole number of pixels.`);
  checkSource(src, channels, srcH, srcW);
  if (srcH < H || srcW < W) throw new RangeError(`The source is ${srcH}×${srcW}, smaller than the ${H}×${W} input.`);
  if (mode === 'crop') {
    if (srcH < H + s || srcW < W + s) {
      throw new RangeError(messages.cropMarginTooSmall(s, H, W, srcH, srcW));
    }
    return cropWindow(image, { top: s, left: s, height: H, width: W });
  }
  const out = new Float32Array(channels * H * W);
  // Whole row segments are copied: output row i is source row i+s (wrapped for roll), read from column s.
  const sx = s % W;
  for (let c = 0; c < channels; c++) {
    const plane = c * srcH * srcW;
    for (let i = 0; i < H; i++) {
      const o = c * H * W + i * W;
      if (mode === 'roll') {
        const row = plane + ((i + s) % H) * srcW;
        out.set(src.subarray(row + sx, row + W), o);
        out.set(src.subarray(row, row + sx), o + W - sx);
      } else if (i + s < H && s < W) {
        const row = plane + (i + s) * srcW;
        out.set(src.subarray(row + s, row + W), o);
      }
    }
  }
  return out;
}

/**
 * The map shift along one axis, d = ⌊s·h/H + 0.5⌋, that corresponds to an input shift s (SPEC §2):
 * d_y from the heights, d_x from the widths, each axis by its own stride.
 *
 * @param s - input shift in pixels
 * @param h - map size along the axis
 * @param H - input size along the axis
 * @returns d in map pixels (0 when the map is too coarse to see the shift)
 * @example
 * mapShift(4, 7, 224); // 0
 * mapShift(16, 7, 224); // 1 (0.5 rounds up)
 */
export function mapShift(s: number, h: number, H: number): number {
  return Math.floor((s * h) / H + 0.5);
}

function checkSource(src: Float32Array, channels: number, srcH: number, srcW: number): void {
  if (src.length !== channels * srcH * srcW) throw new RangeError(`Expected ${channels}×${srcH}×${srcW} = ${channels * srcH * srcW} values, got ${src.length}.`);
}
