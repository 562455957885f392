/**
 * Seeded random-weight ImageNet-scale models built in code for the benchmark (no downloads):
 * a torchvision-style ResNet-50 and a timm-style ViT-S/16, both NCHW float32 3×224×224 with a
 * dynamic batch 'N', opset 17.
 *
 * The weights are random, so the logits mean nothing; what the benchmark needs from these models
 * is the real models' compute, memory traffic, activation sizes and graph shape (the op patterns
 * equiprobe's probe selection looks for), and activations that are neither exploding nor
 * collapsing. Tensor names follow what PyTorch's exporter produces for the real models (module
 * scope path + op + `_output_0`), so probe names read the same as on an exported checkpoint.
 *
 * bench/check-models.ts (`npx tsc -p bench/tsconfig.json && node dist-bench/bench/check-models.js`) builds both, runs them and checks parameter counts, MACs,
 * activation scale and the dynamic batch.
 */
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, TensorProto_DataType } from 'onnx-buf';
import { mulberry32 } from '../src/images/prng.js';
import { GraphBuilder } from '../src/onnx/graph.js';

/**
 * A seeded standard-normal sampler: Box–Muller on the project's mulberry32 (no `Math.random`, so
 * the same seed gives the same weights on every run). Both Box–Muller outputs are used, which
 * halves the cost: ResNet-50 needs 25M draws and generation should stay well under a second or two.
 */
export function normalSampler(seed: number): () => number {
  const uniform = mulberry32(seed);
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    // 1 - u lies in (0, 1], so the logarithm is finite even when mulberry32 returns exactly 0.
    const r = Math.sqrt(-2 * Math.log(1 - uniform()));
    const theta = 2 * Math.PI * uniform();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
}

/** `count` normal draws scaled by `std`; with `truncate`, draws beyond ±2σ are redrawn. */
export function normalWeights(normal: () => number, count: number, std: number, truncate = false): Float32Array {
  const w = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let z = normal();
    while (truncate && Math.abs(z) > 2) z = normal();
    w[i] = z * std;
  }
  return w;
}

/** Stage layout of ResNet-50: [blocks, bottleneck width]; the block output has 4× the width. */
const RESNET50_STAGES: readonly (readonly [number, number])[] = [
  [3, 64],
  [4, 128],
  [6, 256],
  [3, 512],
];

/**
 * Scale (BN gamma) of the last BatchNormalization in each bottleneck branch. With gamma 1 every
 * block adds a branch as large as the stream it joins, so the scale compounds over the 16 blocks
 * (measured: logits RMS ≈ 470 on unit-variance input); 0.2, in the spirit of torchvision's
 * `zero_init_residual`, keeps the stages between RMS ≈ 1 and 3 while the branches still contribute.
 */
const RESIDUAL_BRANCH_GAMMA = 0.2;

/**
 * Builds a torchvision-style ResNet-50 (v1.5: the stride sits on the 3×3 conv) with seeded
 * random weights: He-normal convolutions (std √(2/fan_in)), BatchNormalization kept as separate
 * nodes with identity statistics (mean 0, var 1, beta 0; gamma 1 except
 * {@link RESIDUAL_BRANCH_GAMMA} on each branch's last BN), fc normal with std 1/√2048.
 * 25,557,032 learnable parameters (torchvision's count); ≈4.1 GMAC per image.
 *
 * Tensor names follow PyTorch's exporter, e.g. `/relu/Relu_output_0` (stem),
 * `/layer1/layer1.0/relu/Relu_output_0`, `/layer1/layer1.0/relu_1/Relu_output_0`,
 * `/layer1/layer1.0/Add_output_0` (residual sum), `/layer1/layer1.0/relu_2/Relu_output_0`
 * (block output), `/avgpool/GlobalAveragePool_output_0`; initializers are named like the
 * state dict (`layer1.0.conv1.weight`, `layer1.0.bn1.running_var`, `fc.bias`, …).
 *
 * @param seed - PRNG seed; the same seed gives byte-identical models
 * @returns ONNX bytes (opset 17); input `input` [N,3,224,224], output `logits` [N,1000]
 * @example
 * const session = await ort.InferenceSession.create(buildResNet50(0));
 */
export function buildResNet50(seed = 0): Uint8Array {
  const normal = normalSampler(seed);
  const g = new GraphBuilder('resnet50');

  const conv = (x: string, scope: string, param: string, cin: number, cout: number, k: number, stride: number): string => {
    const fanIn = cin * k * k;
    const w = g.initializer(`${param}.weight`, normalWeights(normal, cout * fanIn, Math.sqrt(2 / fanIn)), [cout, cin, k, k]);
    const pad = (k - 1) / 2;
    return g.node('Conv', [x, w], [`${scope}/Conv_output_0`], {
      kernel_shape: [k, k],
      strides: [stride, stride],
      pads: [pad, pad, pad, pad],
    })[0];
  };
  const batchNorm = (x: string, scope: string, param: string, channels: number, gamma = 1): string => {
    const p = (suffix: string, value: number) => g.initializer(`${param}.${suffix}`, new Float32Array(channels).fill(value), [channels]);
    const inputs = [x, p('weight', gamma), p('bias', 0), p('running_mean', 0), p('running_var', 1)];
    return g.node('BatchNormalization', inputs, [`${scope}/BatchNormalization_output_0`], { epsilon: 1e-5 })[0];
  };
  const relu = (x: string, scope: string): string => g.node('Relu', [x], [`${scope}/Relu_output_0`])[0];

  const input = g.input('input', ['N', 3, 224, 224]);
  let x = relu(batchNorm(conv(input, '/conv1', 'conv1', 3, 64, 7, 2), '/bn1', 'bn1', 64), '/relu');
  [x] = g.node('MaxPool', [x], ['/maxpool/MaxPool_output_0'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });

  let cin = 64;
  RESNET50_STAGES.forEach(([blocks, width], stage) => {
    const layer = `layer${stage + 1}`;
    for (let b = 0; b < blocks; b++) {
      const scope = `/${layer}/${layer}.${b}`;
      const param = `${layer}.${b}`;
      // v1.5: the first block of stages 2–4 downsamples on the 3×3 conv (and the shortcut), not the 1×1.
      const stride = b === 0 && stage > 0 ? 2 : 1;
      let y = relu(batchNorm(conv(x, `${scope}/conv1`, `${param}.conv1`, cin, width, 1, 1), `${scope}/bn1`, `${param}.bn1`, width), `${scope}/relu`);
      y = relu(batchNorm(conv(y, `${scope}/conv2`, `${param}.conv2`, width, width, 3, stride), `${scope}/bn2`, `${param}.bn2`, width), `${scope}/relu_1`);
      y = batchNorm(conv(y, `${scope}/conv3`, `${param}.conv3`, width, 4 * width, 1, 1), `${scope}/bn3`, `${param}.bn3`, 4 * width, RESIDUAL_BRANCH_GAMMA);
      // Every stage's first block changes the channel count (and, after stage 1, the resolution), so it needs a projection.
      const shortcut =
        b === 0
          ? batchNorm(
              conv(x, `${scope}/downsample/downsample.0`, `${param}.downsample.0`, cin, 4 * width, 1, stride),
              `${scope}/downsample/downsample.1`,
              `${param}.downsample.1`,
              4 * width,
            )
          : x;
      const [sum] = g.node('Add', [y, shortcut], [`${scope}/Add_output_0`]);
      x = relu(sum, `${scope}/relu_2`);
      cin = 4 * width;
    }
  });

  const [pooled] = g.node('GlobalAveragePool', [x], ['/avgpool/GlobalAveragePool_output_0']);
  const [flat] = g.node('Flatten', [pooled], ['/Flatten_output_0'], { axis: 1 });
  const fcW = g.initializer('fc.weight', normalWeights(normal, 1000 * 2048, 1 / Math.sqrt(2048)), [1000, 2048]);
  const fcB = g.initializer('fc.bias', new Float32Array(1000), [1000]);
  g.node('Gemm', [flat, fcW, fcB], ['logits'], { transB: 1 });
  g.output('logits', ['N', 1000]);
  return g.toBytes(17);
}

/**
 * Builds a timm-style ViT-S/16 (`vit_small_patch16_224`) with seeded random weights: 16×16
 * patch embedding to width 384 (14×14 grid) + a CLS token + learned position embeddings, 12
 * pre-norm blocks (LayerNormalization ε 1e-6, 6 heads of 64, MLP 384→1536→384 with GELU in the
 * `x·0.5·(1+erf(x/√2))` form PyTorch's legacy exporter emits), final LayerNormalization, head on
 * the CLS token. Linear/conv weights, CLS and position embeddings are normal with std 0.02
 * truncated at ±2σ; biases 0; LayerNorm weight 1, bias 0. 22,050,664 parameters; ≈4.6 GMAC per image.
 *
 * Tensor names follow PyTorch's exporter for timm, e.g. `/patch_embed/proj/Conv_output_0`,
 * `/Add_output_0` (tokens + position embedding), `/blocks/blocks.0/norm1/LayerNormalization_output_0`,
 * `/blocks/blocks.0/attn/Softmax_output_0`, `/blocks/blocks.0/Add_output_0` (after attention),
 * `/blocks/blocks.0/mlp/act/Mul_1_output_0` (GELU output), `/blocks/blocks.0/Add_1_output_0`
 * (block output), `/norm/LayerNormalization_output_0`. Linear weights are stored [in, out] for
 * MatMul (the exporter's layout), still named like the state dict (`blocks.0.attn.qkv.weight`).
 *
 * @param seed - PRNG seed; the same seed gives byte-identical models
 * @returns ONNX bytes (opset 17); input `input` [N,3,224,224], output `logits` [N,1000]
 * @example
 * const session = await ort.InferenceSession.create(buildVitS16(0));
 */
export function buildVitS16(seed = 0): Uint8Array {
  const normal = normalSampler(seed);
  const g = new GraphBuilder('vit_s16');
  const D = 384;
  const heads = 6;
  const headDim = D / heads;
  const tokens = 197; // 14×14 patches + CLS
  const trunc = (count: number) => normalWeights(normal, count, 0.02, true);
  // Scalar int64 indices: a 0-d index makes Gather drop the axis, as `qkv[0]` and `x[:, 0]` do in PyTorch.
  const index = (i: number, name: string) => g.initializer(name, [i], [], 'int64');

  const linear = (x: string, scope: string, param: string, cin: number, cout: number): string => {
    const w = g.initializer(`${param}.weight`, trunc(cin * cout), [cin, cout]);
    const b = g.initializer(`${param}.bias`, new Float32Array(cout), [cout]);
    const [y] = g.node('MatMul', [x, w], [`${scope}/MatMul_output_0`]);
    return g.node('Add', [y, b], [`${scope}/Add_output_0`])[0];
  };
  const layerNorm = (x: string, scope: string, param: string): string => {
    const w = g.initializer(`${param}.weight`, new Float32Array(D).fill(1), [D]);
    const b = g.initializer(`${param}.bias`, new Float32Array(D), [D]);
    return g.node('LayerNormalization', [x, w, b], [`${scope}/LayerNormalization_output_0`], { axis: -1, epsilon: 1e-6 })[0];
  };

  const input = g.input('input', ['N', 3, 224, 224]);
  const patchW = g.initializer('patch_embed.proj.weight', trunc(D * 3 * 16 * 16), [D, 3, 16, 16]);
  const patchB = g.initializer('patch_embed.proj.bias', new Float32Array(D), [D]);
  const [patches] = g.node('Conv', [input, patchW, patchB], ['/patch_embed/proj/Conv_output_0'], { kernel_shape: [16, 16], strides: [16, 16] });
  // torch.flatten(2) exports as Reshape (ONNX Flatten always gives 2-D); 0 keeps the dynamic batch.
  const [flat] = g.node('Reshape', [patches, g.ints([0, D, -1], 'patch_embed.flatten_shape')], ['/patch_embed/Reshape_output_0']);
  const [seq] = g.node('Transpose', [flat], ['/patch_embed/Transpose_output_0'], { perm: [0, 2, 1] });

  // The CLS token is expanded to the runtime batch (Shape → Gather → Concat → Expand), so N stays dynamic.
  const [shape] = g.node('Shape', [seq], ['/Shape_output_0']);
  const [batch] = g.node('Gather', [shape, g.ints([0], 'batch_axis_index')], ['/Gather_output_0'], { axis: 0 });
  const [clsShape] = g.node('Concat', [batch, g.ints([1, D], 'cls_shape_tail')], ['/Concat_output_0'], { axis: 0 });
  const [cls] = g.node('Expand', [g.initializer('cls_token', trunc(D), [1, 1, D]), clsShape], ['/Expand_output_0']);
  const [joined] = g.node('Concat', [cls, seq], ['/Concat_1_output_0'], { axis: 1 });
  let [x] = g.node('Add', [joined, g.initializer('pos_embed', trunc(tokens * D), [1, tokens, D])], ['/Add_output_0']);

  const qkvShape = g.ints([0, tokens, 3, heads, headDim], 'attn.qkv_shape');
  const mergeShape = g.ints([0, tokens, D], 'attn.merge_shape');
  const qkvIndex = [0, 1, 2].map((i) => index(i, `attn.qkv_index_${i}`));
  // timm scales the scores after q·kᵀ; 1/√64 = 0.125 is exact in float32, so Mul equals Div by 8.
  const scale = g.scalar(1 / Math.sqrt(headDim), 'attn.scale');
  const sqrt2 = g.scalar(Math.SQRT2, 'gelu.sqrt2');
  const one = g.scalar(1, 'gelu.one');
  const half = g.scalar(0.5, 'gelu.half');

  for (let b = 0; b < 12; b++) {
    const scope = `/blocks/blocks.${b}`;
    const param = `blocks.${b}`;
    const a = `${scope}/attn`;
    const qkv = linear(layerNorm(x, `${scope}/norm1`, `${param}.norm1`), `${a}/qkv`, `${param}.attn.qkv`, D, 3 * D);
    const [split] = g.node('Reshape', [qkv, qkvShape], [`${a}/Reshape_output_0`]);
    const [qkvT] = g.node('Transpose', [split], [`${a}/Transpose_output_0`], { perm: [2, 0, 3, 1, 4] }); // [3,N,6,197,64]
    const [q, k, v] = qkvIndex.map((idx, i) => g.node('Gather', [qkvT, idx], [`${a}/Gather${i ? `_${i}` : ''}_output_0`], { axis: 0 })[0]);
    const [kT] = g.node('Transpose', [k], [`${a}/Transpose_1_output_0`], { perm: [0, 1, 3, 2] });
    const [scores] = g.node('MatMul', [q, kT], [`${a}/MatMul_output_0`]);
    const [scaled] = g.node('Mul', [scores, scale], [`${a}/Mul_output_0`]);
    const [attn] = g.node('Softmax', [scaled], [`${a}/Softmax_output_0`], { axis: -1 });
    const [mixed] = g.node('MatMul', [attn, v], [`${a}/MatMul_1_output_0`]);
    const [mixedT] = g.node('Transpose', [mixed], [`${a}/Transpose_2_output_0`], { perm: [0, 2, 1, 3] });
    const [merged] = g.node('Reshape', [mixedT, mergeShape], [`${a}/Reshape_1_output_0`]);
    [x] = g.node('Add', [x, linear(merged, `${a}/proj`, `${param}.attn.proj`, D, D)], [`${scope}/Add_output_0`]);

    const m = `${scope}/mlp`;
    const hidden = linear(layerNorm(x, `${scope}/norm2`, `${param}.norm2`), `${m}/fc1`, `${param}.mlp.fc1`, D, 4 * D);
    // GELU exactly as the legacy exporter decomposes nn.GELU: Div, Erf, Add, Mul, Mul (equiprobe's
    // probe selection recognises this chain and probes its last Mul).
    const [div] = g.node('Div', [hidden, sqrt2], [`${m}/act/Div_output_0`]);
    const [erf] = g.node('Erf', [div], [`${m}/act/Erf_output_0`]);
    const [plus] = g.node('Add', [erf, one], [`${m}/act/Add_output_0`]);
    const [prod] = g.node('Mul', [hidden, plus], [`${m}/act/Mul_output_0`]);
    const [gelu] = g.node('Mul', [prod, half], [`${m}/act/Mul_1_output_0`]);
    [x] = g.node('Add', [x, linear(gelu, `${m}/fc2`, `${param}.mlp.fc2`, 4 * D, D)], [`${scope}/Add_1_output_0`]);
  }

  const normed = layerNorm(x, '/norm', 'norm');
  const [clsOut] = g.node('Gather', [normed, index(0, 'cls_index')], ['/Gather_1_output_0'], { axis: 1 });
  const headW = g.initializer('head.weight', trunc(1000 * D), [1000, D]);
  const headB = g.initializer('head.bias', new Float32Array(1000), [1000]);
  g.node('Gemm', [clsOut, headW, headB], ['logits'], { transB: 1 });
  g.output('logits', ['N', 1000]);
  return g.toBytes(17);
}

/**
 * Counts a model's learnable parameters from its initializers: float tensors of rank ≥ 1, less
 * BatchNormalization running statistics (buffers in PyTorch, so not in the published counts).
 * Scalars and int64 shape/index constants are not parameters.
 *
 * @param model - ONNX bytes, e.g. from {@link buildResNet50}
 * @returns the parameter count (25,557,032 for ResNet-50, 22,050,664 for ViT-S/16)
 */
export function countParameters(model: Uint8Array): number {
  const { graph } = fromBinary(ModelProtoSchema, model);
  let total = 0;
  for (const t of graph?.initializer ?? []) {
    if (t.dataType !== TensorProto_DataType.FLOAT || t.dims.length === 0) continue;
    if (t.name.endsWith('running_mean') || t.name.endsWith('running_var')) continue;
    total += t.dims.reduce((n, d) => n * Number(d), 1);
  }
  return total;
}
