import type { ProbeInfo, TensorFormat } from '../types.js';

/** The parts of ProbeInfo needed to read a raw tensor. */
export type ProbeLayout = Pick<ProbeInfo, 'format' | 'channels' | 'h' | 'w' | 'prefixTokens'>;

/**
 * Reads image `n` of a raw probe tensor into a K×h×w float32 map (K values for vectors),
 * following its explicit format: tokens after the prefix tokens are a row-major s×s grid.
 *
 * @param data - the raw tensor's values
 * @param dims - the raw tensor's shape (batch axis included)
 * @param n - which image of the batch
 * @example
 * // tokens [2, 50, 64] with one CLS token → a 64×7×7 map
 * readProbeImage(data, [2, 50, 64], { format: 'NLC', channels: 64, h: 7, w: 7, prefixTokens: 1 }, 0);
 */
export function readProbeImage(data: Float32Array, dims: readonly number[], layout: ProbeLayout, n: number): Float32Array {
  const { channels: k, h, w, prefixTokens: p } = layout;
  const hw = h * w;
  const out = new Float32Array(k * hw);
  const format: TensorFormat = layout.format;
  switch (format) {
    case 'NCHW':
    case 'NC':
      out.set(data.subarray(n * k * hw, (n + 1) * k * hw));
      break;
    case 'NHWC': {
      const base = n * hw * k;
      for (let q = 0; q < hw; q++) for (let c = 0; c < k; c++) out[c * hw + q] = data[base + q * k + c];
      break;
    }
    case 'NLC': {
      const t = dims[1];
      const base = (n * t + p) * k;
      for (let q = 0; q < hw; q++) for (let c = 0; c < k; c++) out[c * hw + q] = data[base + q * k + c];
      break;
    }
    case 'NCL': {
      const t = dims[2];
      for (let c = 0; c < k; c++) out.set(data.subarray((n * k + c) * t + p, (n * k + c) * t + p + hw), c * hw);
      break;
    }
    case 'LNC': {
      const batch = dims[1];
      for (let q = 0; q < hw; q++) {
        const base = ((p + q) * batch + n) * k;
        for (let c = 0; c < k; c++) out[c * hw + q] = data[base + c];
      }
      break;
    }
  }
  return out;
}

/**
 * Reads the first `count` images of a raw probe tensor as one count×K×h×w array. Where the raw
 * layout already is that (NCHW maps, vectors), the result is a view of `data`, not a copy.
 */
export function readProbeBatch(data: Float32Array, dims: readonly number[], layout: ProbeLayout, count: number): Float32Array {
  const size = layout.channels * layout.h * layout.w;
  if (layout.format === 'NCHW' || layout.format === 'NC') return data.subarray(0, count * size);
  const out = new Float32Array(count * size);
  for (let n = 0; n < count; n++) out.set(readProbeImage(data, dims, layout, n), n * size);
  return out;
}
