/**
 * Small layer helpers over {@link GraphBuilder} shared by the known-answer networks: convolution,
 * ReLU, the GlobalAveragePool → Flatten → Gemm head, circular padding, and finishing a model.
 */
import { GraphBuilder } from '../onnx/graph.js';
import type { Rng } from './filters.js';
import type { NetworkOptions } from './types.js';

/**
 * Adds a Conv with the given weights and per-output-channel bias; returns the output name.
 *
 * @param pad - zero padding on every side (`(k−1)/2` for 'same' with odd k, 0 for 'valid')
 * @example
 * conv(g, 'x', 'conv1', w, [8, 1, 5, 5], new Float32Array(8), 2); // 'conv1': [N, 8, H, W]
 */
export function conv(
  g: GraphBuilder,
  input: string,
  name: string,
  weights: Float32Array,
  dims: readonly number[],
  bias: Float32Array,
  pad: number,
  stride = 1,
): string {
  const w = g.initializer(`${name}.weight`, weights, dims);
  const b = g.initializer(`${name}.bias`, bias, [dims[0]]);
  const k = dims[2];
  return g.node('Conv', [input, w, b], [name], {
    kernel_shape: [k, k],
    pads: [pad, pad, pad, pad],
    strides: [stride, stride],
  })[0];
}

/** Adds a Relu named `name`. */
export function relu(g: GraphBuilder, input: string, name: string): string {
  return g.node('Relu', [input], [name])[0];
}

/**
 * Adds the head `pool` (GlobalAveragePool, [N,K,1,1]) → `pool_flat` (Flatten, [N,K]) →
 * `logits` (Gemm, [N,classes]). `gemmWeights` is `[classes, K]`; random normal when absent.
 *
 * @returns the names `{ pool, logits }`
 */
export function gapHead(
  g: GraphBuilder,
  input: string,
  channels: number,
  classes: number,
  rng: Rng,
  gemmWeights?: Float32Array,
): { pool: string; logits: string } {
  const [pool] = g.node('GlobalAveragePool', [input], ['pool']);
  const [flat] = g.node('Flatten', [pool], ['pool_flat'], { axis: 1 });
  let w = gemmWeights;
  if (!w) {
    w = new Float32Array(classes * channels);
    for (let i = 0; i < w.length; i += 1) w[i] = rng.normal() / Math.sqrt(channels);
  }
  const b = new Float32Array(classes);
  for (let i = 0; i < classes; i += 1) b[i] = 0.1 * rng.normal();
  const wn = g.initializer('head.weight', w, [classes, channels]);
  const bn = g.initializer('head.bias', b, [classes]);
  const [logits] = g.node('Gemm', [flat, wn, bn], ['logits'], { transB: 1 });
  return { pool, logits };
}

/**
 * Circular ('wrap') padding of an NCHW tensor by `pad` on every side, as two Gathers with index
 * lists `[n−p .. n−1, 0 .. n−1, 0 .. p−1]` along W then H. ONNX Pad has `mode: 'wrap'` only from
 * opset 19, so at opset 17 this is the portable form; its intermediates are wider than the image
 * (`[N,C,H,W+2p]`, `[N,C,H+2p,W+2p]`), so they are never read as maps.
 *
 * @example
 * circularPad(g, 'relu1', 1, 32, 'pad2'); // 'pad2': [N, C, 34, 34]
 */
export function circularPad(g: GraphBuilder, input: string, pad: number, size: number, name: string): string {
  const idx: number[] = [];
  for (let i = -pad; i < size + pad; i += 1) idx.push(((i % size) + size) % size);
  const ind = g.initializer(`${name}.index`, idx, [idx.length], 'int64');
  const [wide] = g.node('Gather', [input, ind], [`${name}_w`], { axis: 3 });
  return g.node('Gather', [wide, ind], [name], { axis: 2 })[0];
}

/**
 * Declares the image input `x: [N, C, H, W]` (dynamic batch) on a new builder.
 */
export function startGraph(name: string, inputShape: readonly [number, number, number]): { g: GraphBuilder; x: string } {
  const g = new GraphBuilder(name);
  const x = g.input('x', ['N', ...inputShape]);
  return { g, x };
}

/**
 * Declares the outputs and serialises at opset 17: `logits` always, and every tensor of
 * `layers` (in order) when `options.exposeLayers` is set.
 */
export function finishGraph(g: GraphBuilder, layers: readonly string[], logits: string, options: NetworkOptions): Uint8Array {
  if (options.exposeLayers) {
    for (const l of layers) g.output(l);
  } else {
    g.output(logits);
  }
  return g.toBytes(17);
}

/** `count` normal samples times `scale` plus `shift` (biases). */
export function randomBias(rng: Rng, count: number, scale: number, shift = 0): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 1) out[i] = shift + scale * rng.normal();
  return out;
}

/** Packs `filters[o][c]` (k×k each) into `[Cout, Cin, k, k]` weights. */
export function packFilters(filters: Float32Array[][]): { data: Float32Array; dims: number[] } {
  const cout = filters.length;
  const cin = filters[0].length;
  const kk = filters[0][0].length;
  const data = new Float32Array(cout * cin * kk);
  for (let o = 0; o < cout; o += 1) for (let c = 0; c < cin; c += 1) data.set(filters[o][c], (o * cin + c) * kk);
  return { data, dims: [cout, cin, Math.round(Math.sqrt(kk)), Math.round(Math.sqrt(kk))] };
}
