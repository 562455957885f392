import { cropWindow, permutePlanes } from '../../src/transforms/index.js';
import type { GroupElement } from '../../src/types.js';

/**
 * Reference definitions of T'_g on feature maps (SPEC §2) in plain JS, for tests only: measurements
 * apply T'_g inside onnxruntime (the scored models' `sourcePositions` gathers and shift overlaps),
 * and those graphs are tested against these.
 */

/** Quarter turns reduced to 0–3, so that −1 means 3 and 5 means 1. */
const turns = (quarterTurns: number): number => ((quarterTurns % 4) + 4) % 4;

/**
 * T'_g on a K×h×w feature map for a rotation or flip element g (SPEC §2). Translations are not an
 * index permutation of the map; they are compared on the overlap, see `overlapPair`.
 *
 * @param map - K×h×w values of one image
 * @param channels - K
 * @param h - map height
 * @param w - map width
 * @param g - a rot90, hflip, vflip or d4 element
 * @returns a new K×h×w array (h = w whenever g turns by an odd number of quarters)
 * @throws RangeError for a translate element, or an odd number of quarter turns on a non-square map
 * @example
 * const [k1] = groupElements('rot90', { shifts: [], height: 224 });
 * transformMap(map, 2048, 7, 7, k1); // Float32Array(2048·7·7), each 7×7 plane turned 90° CCW
 */
export function transformMap(map: Float32Array, channels: number, h: number, w: number, g: GroupElement): Float32Array {
  if (g.transform === 'translate') throw new RangeError(`transformMap does not shift maps (element '${g.key}'); compare translated maps with overlapPair.`);
  if (turns(g.quarterTurns) % 2 === 1 && h !== w) throw new RangeError(`Cannot turn a ${h}×${w} map by 90° (element '${g.key}'): it is not square. Skip this layer for rot90/d4.`);
  return permutePlanes(map, channels, h, w, g.quarterTurns, g.flip);
}

/**
 * The overlap compared for translations (SPEC §2): a = F'[:, 0:h−d_y, 0:w−d_x] (map of the shifted
 * input) and b = F[:, d_y:h, d_x:w] (map of the original). d_y = d_x = 0 compares whole maps.
 *
 * @param transformedMap - F', K×h×w
 * @param originalMap - F, K×h×w
 * @param channels - K
 * @param h - map height
 * @param w - map width
 * @param dy - map shift down the rows, from `mapShift(s, h, H)`
 * @param dx - map shift along the columns, from `mapShift(s, w, W)` (default: dy)
 * @returns contiguous K×(h−d_y)×(w−d_x) arrays a and b, with their height and width
 * @throws RangeError when d_y is not a whole number in [0, h) or d_x in [0, w), or a map has the wrong size
 * @example
 * const { a, b, h, w } = overlapPair(f2, f, 256, 14, 56, 2, 8); // a, b: Float32Array(256·12·48); h = 12, w = 48
 */
export function overlapPair(
  transformedMap: Float32Array,
  originalMap: Float32Array,
  channels: number,
  h: number,
  w: number,
  dy: number,
  dx = dy,
): { a: Float32Array; b: Float32Array; h: number; w: number } {
  const bad = (d: number, size: number) => !Number.isInteger(d) || d < 0 || d >= size;
  if (bad(dy, h) || bad(dx, w)) throw new RangeError(`Map shift (${dy}, ${dx}) leaves no overlap on a ${h}×${w} map (need whole numbers 0 ≤ d_y < ${h}, 0 ≤ d_x < ${w}).`);
  const oh = h - dy;
  const ow = w - dx;
  return { a: cropWindow({ data: transformedMap, channels: channels, height: h, width: w }, { top: 0, left: 0, height: oh, width: ow }), b: cropWindow({ data: originalMap, channels: channels, height: h, width: w }, { top: dy, left: dx, height: oh, width: ow }), h: oh, w: ow };
}
