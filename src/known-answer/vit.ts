/**
 * `tiny_vit`: a tiny random Vision Transformer built to probe token layout. Its patch filters and
 * grid position embeddings are D4-symmetric, so every token tensor read correctly as an s×s map
 * is exactly invariant to rot90 and flips — and any misreading (wrong prefix count, transposed or
 * shifted grid) shows up as a score clearly below 1.
 */
import type { GraphBuilder } from '../onnx/graph.js';
import { createRng, normals, symmetrizeD4, type Rng } from './filters.js';
import { ALL_PARTS, expectParts } from './expect.js';
import { finishGraph, startGraph } from './nn.js';
import type { KnownAnswerNetwork, NetworkOptions } from './types.js';

const SIZE = 32;
const PATCH = 4;
const GRID = SIZE / PATCH;
const TOKENS = GRID * GRID + 1;
const DIM = 32;
const HEADS = 2;
const MLP = 64;
const BLOCKS = 2;

function linear(g: GraphBuilder, rng: Rng, input: string, name: string, din: number, dout: number): string {
  const w = g.initializer(`${name}.weight`, normals(rng, din * dout, 1 / Math.sqrt(din)), [din, dout]);
  const b = g.initializer(`${name}.bias`, normals(rng, dout, 0.02), [dout]);
  const [m] = g.node('MatMul', [input, w], [`${name}_mm`]);
  return g.node('Add', [m, b], [name])[0];
}

function layerNorm(g: GraphBuilder, rng: Rng, input: string, name: string): string {
  const scale = g.initializer(`${name}.weight`, normals(rng, DIM, 0.1).map((v) => 1 + v), [DIM]);
  const bias = g.initializer(`${name}.bias`, normals(rng, DIM, 0.02), [DIM]);
  return g.node('LayerNormalization', [input, scale, bias], [name], { axis: -1, epsilon: { float: 1e-5 } })[0];
}

/** GELU in the Erf form PyTorch's legacy exporter emits: `x · 0.5 · (1 + erf(x / √2))`. */
function gelu(g: GraphBuilder, input: string, name: string): string {
  const [d] = g.node('Div', [input, g.scalar(Math.SQRT2)], 1);
  const [e] = g.node('Erf', [d], 1);
  const [a] = g.node('Add', [e, g.scalar(1)], 1);
  const [m] = g.node('Mul', [input, a], 1);
  return g.node('Mul', [m, g.scalar(0.5)], [name])[0];
}

function attention(g: GraphBuilder, rng: Rng, input: string, p: string): string {
  const dh = DIM / HEADS;
  const split = g.ints([0, 0, HEADS, dh], `${p}.split`);
  const heads = (name: string, perm: number[]): string => {
    const lin = linear(g, rng, input, `${p}_${name}`, DIM, DIM);
    const [r] = g.node('Reshape', [lin, split], 1);
    return g.node('Transpose', [r], [`${p}_${name}_heads`], { perm })[0];
  };
  const q = heads('q', [0, 2, 1, 3]);
  const k = heads('k', [0, 2, 3, 1]);
  const v = heads('v', [0, 2, 1, 3]);
  const [s] = g.node('MatMul', [q, k], 1);
  const [scaled] = g.node('Mul', [s, g.scalar(1 / Math.sqrt(dh))], 1);
  const [probs] = g.node('Softmax', [scaled], [`${p}_attn_probs`], { axis: -1 });
  const [ctx] = g.node('MatMul', [probs, v], 1);
  const [t] = g.node('Transpose', [ctx], 1, { perm: [0, 2, 1, 3] });
  const [merged] = g.node('Reshape', [t, g.ints([0, 0, DIM], `${p}.merge`)], 1);
  return linear(g, rng, merged, `${p}_attn`, DIM, DIM);
}

/**
 * Builds `tiny_vit`: `x [N,3,32,32]` → `patch_embed` (Conv 4×4 stride 4, [N,32,8,8]) → `tokens`
 * ([N,64,32], row-major grid, no prefix) → `embed` (CLS prepended via Concat, position embeddings
 * added: [N,65,32]) → 2 pre-norm blocks, each `block{b}_ln1` → attention (2 heads, softmax
 * `block{b}_attn_probs` [N,2,65,65]) → `block{b}_attn` → `block{b}_res1` → `block{b}_ln2` → MLP
 * 32→64→32 with Erf GELU `block{b}_gelu` [N,65,64] → `block{b}_res2` → `norm` → `cls` (Gather axis 1
 * index 0, [N,32]) → `logits` (Gemm, 10).
 *
 * Token layout: grid 8×8 (patch 4), 1 prefix token (CLS) in every token tensor except `tokens`
 * (0 prefix). The attention probabilities are 65×65 > 32, so they are not maps (SPEC §1).
 *
 * Predicted answer for rot90, hflip, vflip and d4: inv ≈ 1 at every token layer read as an 8×8
 * map, at Pool (`cls`) and Final. Why: D4-symmetric patch filters with stride = patch size map a
 * transformed image to the same tokens, permuted as the grid; the grid position embeddings are
 * D4-symmetric; LayerNorm and the MLP act per token and attention is permutation-equivariant, and
 * the CLS token (index 0) is not moved by the permutation, so it is exactly invariant. A reader
 * that drops the wrong prefix or transposes the grid scores clearly below 1.
 *
 * @example
 * buildTinyVit(0).tokens; // { grid: 8, patch: 4, prefixTokens: { tokens: 0, embed: 1, ... } }
 */
export function buildTinyVit(seed: number, options: NetworkOptions = {}): KnownAnswerNetwork {
  const rng = createRng(seed ^ 0x717);
  const channels = 3;
  const { g, x } = startGraph('tiny_vit', [channels, SIZE, SIZE]);

  // 1. Patch embedding with D4-symmetric 4×4 filters.
  const pw = new Float32Array(DIM * channels * PATCH * PATCH);
  for (let i = 0; i < DIM * channels; i += 1) {
    pw.set(symmetrizeD4(normals(rng, PATCH * PATCH, 2 / Math.sqrt(channels * PATCH * PATCH))), i * PATCH * PATCH);
  }
  const pwn = g.initializer('patch_embed.weight', pw, [DIM, channels, PATCH, PATCH]);
  const pbn = g.initializer('patch_embed.bias', normals(rng, DIM, 0.02), [DIM]);
  const [patch] = g.node('Conv', [x, pwn, pbn], ['patch_embed'], { kernel_shape: [PATCH, PATCH], strides: [PATCH, PATCH] });
  const [flat] = g.node('Reshape', [patch, g.ints([0, DIM, GRID * GRID], 'patch_flat.shape')], ['patch_flat']);
  const [tokens] = g.node('Transpose', [flat], ['tokens'], { perm: [0, 2, 1] });

  // 2. CLS token (broadcast to the batch) and D4-symmetric grid position embeddings.
  const [shape] = g.node('Shape', [x], 1);
  const [batch] = g.node('Gather', [shape, g.ints([0], 'batch.index')], 1, { axis: 0 });
  const [clsShape] = g.node('Concat', [batch, g.ints([1, DIM], 'cls.tail')], 1, { axis: 0 });
  const clsParam = g.initializer('cls_token.param', normals(rng, DIM, 1), [1, 1, DIM]);
  const [clsTok] = g.node('Expand', [clsParam, clsShape], ['cls_token']);
  const [withCls] = g.node('Concat', [clsTok, tokens], ['tokens_cls'], { axis: 1 });
  const pos = new Float32Array(TOKENS * DIM);
  pos.set(normals(rng, DIM, 0.5), 0);
  for (let d = 0; d < DIM; d += 1) {
    const grid = symmetrizeD4(normals(rng, GRID * GRID, 0.5));
    for (let t = 0; t < GRID * GRID; t += 1) pos[(1 + t) * DIM + d] = grid[t];
  }
  const [embed] = g.node('Add', [withCls, g.initializer('pos_embed', pos, [1, TOKENS, DIM])], ['embed']);

  // 3. Pre-norm transformer blocks.
  let h = embed;
  const blockLayers: string[] = [];
  for (let b = 0; b < BLOCKS; b += 1) {
    const p = `block${b}`;
    const ln1 = layerNorm(g, rng, h, `${p}_ln1`);
    const attn = attention(g, rng, ln1, p);
    const [res1] = g.node('Add', [h, attn], [`${p}_res1`]);
    const ln2 = layerNorm(g, rng, res1, `${p}_ln2`);
    const act = gelu(g, linear(g, rng, ln2, `${p}_fc1`, DIM, MLP), `${p}_gelu`);
    const fc2 = linear(g, rng, act, `${p}_fc2`, MLP, DIM);
    [h] = g.node('Add', [res1, fc2], [`${p}_res2`]);
    blockLayers.push(ln1, attn, res1, act, h);
  }

  // 4. Final norm, CLS pick, head.
  const norm = layerNorm(g, rng, h, 'norm');
  const [cls] = g.node('Gather', [norm, g.initializer('cls.index', [0], [], 'int64')], ['cls'], { axis: 1 });
  const hw = g.initializer('head.weight', normals(rng, 10 * DIM, 1 / Math.sqrt(DIM)), [10, DIM]);
  const hb = g.initializer('head.bias', normals(rng, 10, 0.02), [10]);
  const [logits] = g.node('Gemm', [cls, hw, hb], ['logits'], { transB: 1 });

  const tokenLayers = ['tokens', embed, ...blockLayers, norm];
  const layers = [patch, ...tokenLayers, cls, logits];
  const prefixTokens = Object.fromEntries(tokenLayers.map((l) => [l, l === 'tokens' ? 0 : 1]));
  const transforms = ['rot90', 'hflip', 'vflip', 'd4'] as const;
  return {
    name: 'tiny_vit',
    description: 'Tiny random ViT (8×8 patch grid + CLS) with D4-symmetric patch filters and position embeddings: token-layout probe.',
    bytes: finishGraph(g, layers, logits, options),
    inputShape: [channels, SIZE, SIZE],
    transforms,
    expected: expectParts(
      transforms,
      ALL_PARTS,
      'inv',
      { atLeast: 0.99 },
      'tokens permute exactly like the patch grid; read as 8×8 maps after dropping the CLS token they are invariant',
    ),
    layers,
    pool: cls,
    final: logits,
    tokens: { grid: GRID, patch: PATCH, prefixTokens },
  };
}
