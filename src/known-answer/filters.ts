/**
 * Filter helpers for the known-answer networks: a seeded PRNG, Gaussian and corner-cut filters, and
 * the D4 actions (rotation by 90°, horizontal flip) on square k×k filters. Filters are
 * row-major `Float32Array`s of length k·k; rotations follow `numpy.rot90` (counter-clockwise).
 */

import { mulberry32 } from '../images/prng.js';

/** A seeded source of uniform [0, 1) and standard normal numbers. */
export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
}

/**
 * mulberry32 PRNG with Box–Muller normals: the same seed gives the same stream on any machine.
 *
 * @param seed - any integer; only the low 32 bits are used
 * @returns an {@link Rng}
 * @example
 * const rng = createRng(1);
 * rng.normal(); // ≈ N(0, 1) sample, identical on every run
 */
export function createRng(seed: number): Rng {
  const uniform = mulberry32(seed);
  let spare: number | null = null;
  const normal = (): number => {
    if (spare !== null) {
      const v = spare;
      spare = null;
      return v;
    }
    let u = uniform();
    while (u <= Number.EPSILON) u = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * uniform();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
  return { uniform, normal };
}

/**
 * `count` normal samples times `scale`.
 *
 * @example
 * normals(createRng(0), 4, 0.1); // Float32Array(4)
 */
export function normals(rng: Rng, count: number, scale = 1): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 1) out[i] = rng.normal() * scale;
  return out;
}

/**
 * A normalised (sum 1) isotropic 2-D Gaussian on a k×k grid centred at the middle pixel.
 * For odd k it is invariant under all of D4 (rotations by 90° and flips), so a 'same' or
 * 'valid' convolution with it commutes with rot90/flips of a square image exactly.
 *
 * @param size - odd filter size k
 * @param sigma - standard deviation in pixels
 * @example
 * gaussianFilter(5, 1); // Float32Array(25), centre value largest
 */
export function gaussianFilter(size: number, sigma: number): Float32Array {
  if (size % 2 !== 1) throw new RangeError(`gaussianFilter: 'size' must be odd, got ${size}.`);
  const c = (size - 1) / 2;
  const out = new Float32Array(size * size);
  let sum = 0;
  for (let i = 0; i < size; i += 1) {
    for (let j = 0; j < size; j += 1) {
      const v = Math.exp(-((i - c) ** 2 + (j - c) ** 2) / (2 * sigma * sigma));
      out[i * size + j] = v;
      sum += v;
    }
  }
  for (let i = 0; i < out.length; i += 1) out[i] /= sum;
  return out;
}

/**
 * A Gaussian with its top-left corner block cut out (set to zero): rows and columns
 * `0 .. cut-1`. The cut breaks the rotational symmetry, so its four rot90 copies are four
 * genuinely different filters. The result is renormalised to sum 1.
 *
 * @param size - odd filter size k
 * @param sigma - standard deviation in pixels
 * @param cut - side of the zeroed corner block (default ⌈k/2⌉, the corner quadrant with the centre row/column)
 * @example
 * cornerCutFilter(5, 1.5); // zeros at rows 0–2 × cols 0–2
 */
export function cornerCutFilter(size: number, sigma: number, cut = Math.ceil(size / 2)): Float32Array {
  const out = gaussianFilter(size, sigma);
  for (let i = 0; i < cut; i += 1) for (let j = 0; j < cut; j += 1) out[i * size + j] = 0;
  const sum = out.reduce((a, b) => a + b, 0);
  for (let i = 0; i < out.length; i += 1) out[i] /= sum;
  return out;
}

/**
 * A random normal k×k filter with zero sum. Zero sum matters for the negative controls: a filter's
 * response to smooth images is dominated by its sum, which every rotation shares, so a random
 * filter with non-zero sum looks rotation invariant on smooth inputs.
 *
 * @example
 * zeroMeanFilter(createRng(0), 3, 1 / 3); // Float32Array(9) summing to 0
 */
export function zeroMeanFilter(rng: Rng, size: number, scale = 1): Float32Array {
  const out = normals(rng, size * size, scale);
  const mean = out.reduce((a, b) => a + b, 0) / out.length;
  for (let i = 0; i < out.length; i += 1) out[i] -= mean;
  return out;
}

/**
 * A square k×k array rotated by k·90° counter-clockwise, exactly `numpy.rot90(a, turns)`:
 * `out[i][j] = a[j][k-1-i]` per quarter turn.
 *
 * @example
 * rotateFilter(Float32Array.from([1, 2, 3, 4]), 1); // [2, 4, 1, 3]
 */
export function rotateFilter(w: Float32Array, turns: number): Float32Array {
  const k = Math.round(Math.sqrt(w.length));
  let cur = w;
  for (let t = 0; t < (((turns % 4) + 4) % 4); t += 1) {
    const next = new Float32Array(w.length);
    for (let i = 0; i < k; i += 1) for (let j = 0; j < k; j += 1) next[i * k + j] = cur[j * k + (k - 1 - i)];
    cur = next;
  }
  return cur === w ? Float32Array.from(w) : cur;
}

/**
 * A square array mirrored left–right (`numpy.fliplr`, the W axis): `out[i][j] = a[i][k-1-j]`.
 *
 * @example
 * flipFilter(Float32Array.from([1, 2, 3, 4])); // [2, 1, 4, 3]
 */
export function flipFilter(w: Float32Array): Float32Array {
  const k = Math.round(Math.sqrt(w.length));
  const out = new Float32Array(w.length);
  for (let i = 0; i < k; i += 1) for (let j = 0; j < k; j += 1) out[i * k + j] = w[i * k + (k - 1 - j)];
  return out;
}

/**
 * The average of a square array over its 8 D4 images (4 rotations × optional flip): the result
 * is invariant under every rotation by 90° and every flip.
 *
 * @example
 * symmetrizeD4(normals(createRng(0), 16)); // a 4×4 D4-symmetric array
 */
export function symmetrizeD4(w: Float32Array): Float32Array {
  const out = new Float32Array(w.length);
  for (const base of [w, flipFilter(w)]) {
    for (let r = 0; r < 4; r += 1) {
      const t = rotateFilter(base, r);
      for (let i = 0; i < out.length; i += 1) out[i] += t[i] / 8;
    }
  }
  return out;
}

/**
 * Multiplies a filter by a scalar (new array).
 *
 * @example
 * scaleFilter(gaussianFilter(3, 1), -2);
 */
export function scaleFilter(w: Float32Array, s: number): Float32Array {
  return w.map((v) => v * s);
}
