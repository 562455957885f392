import * as ort from 'onnxruntime-node';
import { messages } from '../messages.js';
import type { InputInfo } from '../types.js';
import { shortenOrtError } from './session.js';

/**
 * Runs a batch of CHW images through a session and returns the fetched tensors, in chunks when
 * the model has a fixed batch size (the last chunk is padded by repeating its last image; the
 * padding is dropped by `count`).
 *
 * @param images - CHW float32 images of the input's size
 * @param fetches - tensor names to return (default: every output)
 * @param feeds - the session's other inputs, the same for every chunk
 * @returns one record of tensors per chunk, with how many real images each chunk holds
 */
export async function runImages(
  session: ort.InferenceSession,
  input: InputInfo,
  images: readonly Float32Array[],
  fetches: readonly string[] = session.outputNames,
  feeds: Record<string, ort.Tensor> = {},
): Promise<{ tensors: Record<string, ort.Tensor>; count: number }[]> {
  const chunk = input.fixedBatch ?? Math.max(1, images.length);
  const results: { tensors: Record<string, ort.Tensor>; count: number }[] = [];
  for (let start = 0; start < images.length; start += chunk) {
    const part = images.slice(start, start + chunk);
    const count = part.length;
    while (part.length < chunk) part.push(part[part.length - 1]);
    const feed = { ...feeds, [input.name]: packBatch(part, input) };
    try {
      const out = await session.run(feed, [...fetches]);
      results.push({ tensors: out, count });
    } catch (err) {
      throw new Error(messages.runtimeFailed(shortenOrtError(err)));
    }
  }
  return results;
}

/** Stacks CHW images into one NCHW (or NHWC) input tensor. */
export function packBatch(images: readonly Float32Array[], input: InputInfo): ort.Tensor {
  const { channels: c, height: h, width: w } = input;
  const size = c * h * w;
  const data = new Float32Array(images.length * size);
  images.forEach((img, n) => {
    if (input.layout === 'NCHW') {
      data.set(img, n * size);
    } else {
      const base = n * size;
      for (let ch = 0; ch < c; ch++) {
        for (let p = 0; p < h * w; p++) data[base + p * c + ch] = img[ch * h * w + p];
      }
    }
  });
  const dims = input.layout === 'NCHW' ? [images.length, c, h, w] : [images.length, h, w, c];
  return new ort.Tensor('float32', data, dims);
}
