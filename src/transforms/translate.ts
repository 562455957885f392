import type { ShiftMode } from '../types.js';

/** Copies the channels×H×W window at (top, left) out of a channels×srcH×srcW image. */
export function cropWindow(src: Float32Array, channels: number, srcH: number, srcW: number, top: number, left: number, H: number, W: number): Float32Array {
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
 * The translated input x'[i, j] = x[i+s, j+s] (SPEC §2): the viewing window moves down-right by s.
 * `crop` reads real pixels from the margin of a larger source; `roll` wraps indices modulo H, W of
 * the (0,0) crop; `zero` fills what falls outside it with 0.
 */
export function shiftImage(src: Float32Array, channels: number, srcH: number, srcW: number, s: number, H: number, W: number, mode: ShiftMode): Float32Array {
  if (mode === 'crop') {
    if (srcH < H + s || srcW < W + s) throw new RangeError(`Shift ${s} needs a source of at least ${H + s}×${W + s} pixels, got ${srcH}×${srcW}.`);
    return cropWindow(src, channels, srcH, srcW, s, s, H, W);
  }
  const out = new Float32Array(channels * H * W);
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < W; j++) {
        let y = i + s;
        let x = j + s;
        if (mode === 'roll') {
          y %= H;
          x %= W;
        } else if (y >= H || x >= W) {
          continue;
        }
        out[c * H * W + i * W + j] = src[c * srcH * srcW + y * srcW + x];
      }
    }
  }
  return out;
}

/** Map shift d = ⌊s·h/H + 0.5⌋ that corresponds to an input shift s (SPEC §2). */
export function mapShift(s: number, h: number, H: number): number {
  return Math.floor((s * h) / H + 0.5);
}

/**
 * The overlap compared for translations (SPEC §2): a = F'[:, 0:h−d, 0:w−d] (map of the shifted
 * input) and b = F[:, d:h, d:w] (original map). d = 0 compares whole maps.
 */
export function overlapPair(transformedMap: Float32Array, originalMap: Float32Array, channels: number, h: number, w: number, d: number): { a: Float32Array; b: Float32Array; h: number; w: number } {
  const oh = h - d;
  const ow = w - d;
  if (oh <= 0 || ow <= 0) throw new RangeError(`Map shift ${d} leaves no overlap on a ${h}×${w} map.`);
  return { a: cropWindow(transformedMap, channels, h, w, 0, 0, oh, ow), b: cropWindow(originalMap, channels, h, w, d, d, oh, ow), h: oh, w: ow };
}
