/**
 * Seeded random-weight ImageNet-scale models built in code for the benchmark (no downloads):
 * a torchvision-style ResNet-50 and a timm-style ViT-S/16, both 3×224×224 with a dynamic batch.
 * The weights are random, so the numbers they give mean nothing; their compute and activation
 * sizes are those of the real models, which is what the benchmark needs.
 */
import { GraphBuilder } from '../src/onnx/graph.js';

/** mulberry32 + Box–Muller: a normal sampler with a fixed seed (same weights on every machine). */
function normalSampler(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

function weights(normal: () => number, count: number, std: number): Float32Array {
  const w = new Float32Array(count);
  for (let i = 0; i < count; i++) w[i] = normal() * std;
  return w;
}

/**
 * ResNet-50 (v1.5: stride on the 3×3 conv), He-normal convolutions, BatchNormalization at identity
 * statistics with the last BN of each block scaled down, as zero-init-residual does, so that
 * activations keep their scale through 16 blocks.
 *
 * @returns ONNX bytes; input `input` [N,3,224,224], output `logits` [N,1000]
 */
export function buildResNet50(seed = 0): Uint8Array {
  const normal = normalSampler(seed);
  const g = new GraphBuilder('resnet50');
  const conv = (x: string, name: string, cin: number, cout: number, k: number, stride: number, gamma = 1) => {
    const w = g.initializer(`${name}.weight`, weights(normal, cout * cin * k * k, Math.sqrt(2 / (cin * k * k))), [cout, cin, k, k]);
    const [y] = g.node('Conv', [x, w], [`/${name}/Conv_output_0`], { kernel_shape: [k, k], strides: [stride, stride], pads: Array(4).fill((k - 1) / 2) });
    const p = (v: number, suffix: string) => g.initializer(`${name}.bn.${suffix}`, new Float32Array(cout).fill(v), [cout]);
    return g.node('BatchNormalization', [y, p(gamma, 'weight'), p(0, 'bias'), p(0, 'mean'), p(1, 'var')], [`/${name}/BatchNormalization_output_0`])[0];
  };
  const relu = (x: string, name: string) => g.node('Relu', [x], [`/${name}/Relu_output_0`])[0];
  const input = g.input('input', ['N', 3, 224, 224]);
  let x = relu(conv(input, 'conv1', 3, 64, 7, 2), 'relu');
  [x] = g.node('MaxPool', [x], ['/maxpool/MaxPool_output_0'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  let cin = 64;
  [[3, 64], [4, 128], [6, 256], [3, 512]].forEach(([blocks, width], stage) => {
    for (let b = 0; b < blocks; b++) {
      const name = `layer${stage + 1}.${b}`;
      const stride = b === 0 && stage > 0 ? 2 : 1;
      let y = relu(conv(x, `${name}.conv1`, cin, width, 1, 1), `${name}.relu1`);
      y = relu(conv(y, `${name}.conv2`, width, width, 3, stride), `${name}.relu2`);
      y = conv(y, `${name}.conv3`, width, width * 4, 1, 1, 0.2);
      const shortcut = b === 0 ? conv(x, `${name}.downsample`, cin, width * 4, 1, stride) : x;
      const [sum] = g.node('Add', [y, shortcut], [`/${name}/Add_output_0`]);
      x = relu(sum, `${name}.relu3`);
      cin = width * 4;
    }
  });
  const [pooled] = g.node('GlobalAveragePool', [x], ['/avgpool/GlobalAveragePool_output_0']);
  const [flat] = g.node('Flatten', [pooled], ['/Flatten_output_0'], { axis: 1 });
  const fcW = g.initializer('fc.weight', weights(normal, 1000 * 2048, 1 / Math.sqrt(2048)), [1000, 2048]);
  const fcB = g.initializer('fc.bias', new Float32Array(1000), [1000]);
  g.node('Gemm', [flat, fcW, fcB], ['logits'], { transB: 1 });
  g.output('logits', ['N', 1000]);
  return g.toBytes(17);
}

/**
 * ViT-S/16: 16×16 patches (14×14 grid) + CLS token, width 384, 12 pre-norm blocks of 6 heads,
 * MLP 1536 with GELU in the Erf form PyTorch's exporter emits; classifies from the CLS token.
 * Linear weights are normal with std 0.02, as timm initialises them.
 *
 * @returns ONNX bytes; input `input` [N,3,224,224], output `logits` [N,1000]
 */
export function buildVitS16(seed = 0): Uint8Array {
  const normal = normalSampler(seed);
  const g = new GraphBuilder('vit_s16');
  const D = 384;
  const heads = 6;
  const T = 197;
  const linear = (x: string, name: string, cin: number, cout: number) => {
    const w = g.initializer(`${name}.weight`, weights(normal, cin * cout, 0.02), [cin, cout]);
    const b = g.initializer(`${name}.bias`, new Float32Array(cout), [cout]);
    const [y] = g.node('MatMul', [x, w]);
    return g.node('Add', [y, b], [`/${name}/Add_output_0`])[0];
  };
  const norm = (x: string, name: string) =>
    g.node('LayerNormalization', [x, g.initializer(`${name}.weight`, new Float32Array(D).fill(1), [D]), g.initializer(`${name}.bias`, new Float32Array(D), [D])], [`/${name}/LayerNormalization_output_0`], { axis: -1, epsilon: 1e-6 })[0];

  const input = g.input('input', ['N', 3, 224, 224]);
  const patchW = g.initializer('patch_embed.weight', weights(normal, D * 3 * 256, 0.02), [D, 3, 16, 16]);
  const [patches] = g.node('Conv', [input, patchW], ['/patch_embed/Conv_output_0'], { kernel_shape: [16, 16], strides: [16, 16] });
  const [flat] = g.node('Reshape', [patches, g.ints([0, D, -1])]);
  const [tokens] = g.node('Transpose', [flat], ['/patch_embed/Transpose_output_0'], { perm: [0, 2, 1] });
  // The CLS token is expanded to the batch with Shape → Gather → Concat → Expand, so the batch stays dynamic.
  const [batch] = g.node('Gather', [g.node('Shape', [input])[0], g.ints([0])], 1, { axis: 0 });
  const [shape] = g.node('Concat', [batch, g.ints([1, D])], 1, { axis: 0 });
  const [cls] = g.node('Expand', [g.initializer('cls_token', weights(normal, D, 0.02), [1, 1, D]), shape]);
  const [joined] = g.node('Concat', [cls, tokens], 1, { axis: 1 });
  let [x] = g.node('Add', [joined, g.initializer('pos_embed', weights(normal, T * D, 0.02), [1, T, D])], ['/Add_pos_output_0']);
  for (let b = 0; b < 12; b++) {
    const name = `blocks.${b}`;
    const qkv = linear(norm(x, `${name}.norm1`), `${name}.attn.qkv`, D, 3 * D);
    const [split] = g.node('Reshape', [qkv, g.ints([0, T, 3, heads, D / heads])]);
    const [qkvT] = g.node('Transpose', [split], 1, { perm: [2, 0, 3, 1, 4] });
    const [q, k, v] = [0, 1, 2].map((i) => g.node('Gather', [qkvT, g.initializer(g.fresh('idx'), [i], [], 'int64')], 1, { axis: 0 })[0]);
    const [kT] = g.node('Transpose', [k], 1, { perm: [0, 1, 3, 2] });
    const [scores] = g.node('Mul', [g.node('MatMul', [q, kT])[0], g.scalar(1 / Math.sqrt(D / heads))]);
    const [attn] = g.node('Softmax', [scores], 1, { axis: -1 });
    const [mixed] = g.node('Transpose', [g.node('MatMul', [attn, v])[0]], 1, { perm: [0, 2, 1, 3] });
    const [merged] = g.node('Reshape', [mixed, g.ints([0, T, D])]);
    [x] = g.node('Add', [x, linear(merged, `${name}.attn.proj`, D, D)], [`/${name}/Add_output_0`]);
    const hidden = linear(norm(x, `${name}.norm2`), `${name}.mlp.fc1`, D, 4 * D);
    const [erf] = g.node('Erf', [g.node('Div', [hidden, g.scalar(Math.SQRT2)])[0]]);
    const [gelu] = g.node('Mul', [g.node('Mul', [hidden, g.node('Add', [erf, g.scalar(1)])[0]])[0], g.scalar(0.5)], [`/${name}/mlp/act/Mul_1_output_0`]);
    [x] = g.node('Add', [x, linear(gelu, `${name}.mlp.fc2`, 4 * D, D)], [`/${name}/Add_1_output_0`]);
  }
  const [clsOut] = g.node('Gather', [norm(x, 'norm'), g.initializer('cls_index', [0], [], 'int64')], ['/Gather_cls_output_0'], { axis: 1 });
  const headW = g.initializer('head.weight', weights(normal, 1000 * D, 0.02), [1000, D]);
  g.node('Gemm', [clsOut, headW, g.initializer('head.bias', new Float32Array(1000), [1000])], ['logits'], { transB: 1 });
  g.output('logits', ['N', 1000]);
  return g.toBytes(17);
}
