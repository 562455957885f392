import type { Preprocessing } from '../types.js';
import { imageMessages as msg } from './messages.js';
import { normaliseHWC } from './normalise.js';
import { deriveSeed, mulberry32, type Random } from './prng.js';

/**
 * Octaves of the luminance noise: grid period in pixels and amplitude. Amplitude falling about
 * 0.6× per halving of the period gives a spectrum between white and 1/f, roughly like natural
 * images, so features have spatial structure at the scales the transforms move (a few pixels up
 * to a few dozen) and fine detail too.
 */
const LUMA_OCTAVES: readonly (readonly [period: number, amplitude: number])[] = [
  [64, 1],
  [32, 0.6],
  [16, 0.36],
  [8, 0.22],
  [4, 0.13],
  [2, 0.08],
];
/** Coarser, weaker per-channel fields give colour images varying hue instead of pure gray. */
const CHROMA_OCTAVES: readonly (readonly [period: number, amplitude: number])[] = [
  [48, 1],
  [24, 0.5],
];
const CHROMA_WEIGHT = 0.35;
/** Independent per-pixel noise, like sensor noise, relative to the field's ±1 range. */
const PIXEL_NOISE = 0.04;
/** Contrast: maps the field (std ≈ 0.2 of its ±1 range) to a pixel std of about 30–50 levels. */
const GAIN = 2;

/** Sum of bilinearly upsampled random grids, scaled to about [−1, 1]. */
function fractalNoise(side: number, rand: Random, octaves: readonly (readonly [number, number])[]): Float64Array {
  const out = new Float64Array(side * side);
  let total = 0;
  for (const [period, amplitude] of octaves) {
    total += amplitude;
    // Enough nodes that the right/bottom neighbour of the last pixel exists for any offset < period.
    const nodes = Math.ceil(side / period) + 2;
    // A random sub-period offset so that the grids of different octaves do not line up.
    const offX = rand() * period;
    const offY = rand() * period;
    const grid = new Float64Array(nodes * nodes);
    for (let i = 0; i < grid.length; i++) grid[i] = rand() * 2 - 1;
    for (let y = 0; y < side; y++) {
      const gy = (y + offY) / period;
      const iy = Math.floor(gy);
      const ty = gy - iy;
      for (let x = 0; x < side; x++) {
        const gx = (x + offX) / period;
        const ix = Math.floor(gx);
        const tx = gx - ix;
        const a = grid[iy * nodes + ix];
        const b = grid[iy * nodes + ix + 1];
        const c = grid[(iy + 1) * nodes + ix];
        const d = grid[(iy + 1) * nodes + ix + 1];
        const top = a + (b - a) * tx;
        const bottom = c + (d - c) * tx;
        out[y * side + x] += amplitude * (top + (bottom - top) * ty);
      }
    }
  }
  for (let i = 0; i < out.length; i++) out[i] /= total;
  return out;
}

/**
 * One synthetic image (`--synthetic N`): smooth multi-octave noise in 8-bit pixel space,
 * normalised exactly like a decoded file, of side `size + margin`. Image `index` depends only on
 * `(seed, index, prep, margin)`, never on the other images, so shards generate the same images
 * as the whole run. Only integer and + − × ÷ arithmetic is used, so it is bit-identical on any
 * machine.
 *
 * @param index - image number, 0-based
 * @param seed - run seed (`--seed`)
 * @param prep - resolved preprocessing (size, channels, mean, std)
 * @param margin - extra crop pixels (translate crop mode), else 0
 * @returns CHW Float32Array of `channels · S · S`
 */
export function syntheticImage(index: number, seed: number, prep: Preprocessing, margin: number): Float32Array {
  const height = prep.size + margin;
  const width = (prep.width ?? prep.size) + margin;
  // A non-square image is the top-left height×width window of a square field.
  const side = Math.max(height, width);
  const rand = mulberry32(deriveSeed(seed, index));
  const luma = fractalNoise(side, rand, LUMA_OCTAVES);
  const chroma: Float64Array[] = [];
  if (prep.channels > 1) for (let c = 0; c < prep.channels; c++) chroma.push(fractalNoise(side, rand, CHROMA_OCTAVES));

  const channels = prep.channels;
  const pixels = new Uint8Array(height * width * channels);
  for (let q = 0; q < height * width; q++) {
    const p = Math.floor(q / width) * side + (q % width);
    for (let c = 0; c < channels; c++) {
      const v = luma[p] + (channels > 1 ? CHROMA_WEIGHT * chroma[c][p] : 0) + PIXEL_NOISE * (rand() * 2 - 1);
      // Quantised to 8 bits like a real image file, so synthetic and file inputs share one path.
      const level = Math.round(127.5 + 127.5 * GAIN * v);
      pixels[q * channels + c] = level < 0 ? 0 : level > 255 ? 255 : level;
    }
  }
  return normaliseHWC(pixels, channels, height, prep, width);
}

/**
 * `count` synthetic images, `syntheticImage(i, seed, …)` for i = 0..count−1: the same seed gives
 * identical images, a different seed different ones.
 *
 * @param count - number of images
 * @param seed - run seed
 * @param prep - resolved preprocessing
 * @param margin - extra crop pixels, else 0
 * @returns `count` CHW Float32Arrays of `channels · S · S`
 * @example
 * syntheticImages(8, 0, fmnistPrep, 0).map((a) => a.length); // eight times 1 * 28 * 28
 */
export function syntheticImages(count: number, seed: number, prep: Preprocessing, margin: number): Float32Array[] {
  if (!(Number.isInteger(count) && count >= 0)) throw new RangeError(msg.badCount(count));
  return Array.from({ length: count }, (_, i) => syntheticImage(i, seed, prep, margin));
}
