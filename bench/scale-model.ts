/**
 * The model of `npm run bench -- scale`: a cheap trunk with ResNet-50's vector widths, so that the
 * run's cost is what SPEC §8 is about — keeping and scoring wide Pool and Final vectors for many
 * images — and not the forward passes. Seeded random weights, NCHW float32 3×64×64, dynamic batch.
 *
 *   input → Conv 3→16 (4×4, stride 4) → Relu [16×16×16, the one map probe]
 *         → Conv 16→2048 (8×8, stride 8) → [2048×2×2, not a default probe]
 *         → GlobalAveragePool → Pool [2048] → Flatten → Gemm → Final [finalWidth]
 */
import { GraphBuilder } from '../src/onnx/graph.js';
import { normalSampler, normalWeights } from './models.js';

/** Pool width of ResNet-50. */
export const POOL_WIDTH = 2048;

/**
 * @param finalWidth - Final (logits) width: 1000 as ResNet-50, 20000 for an ImageNet-21k-size head
 * @returns ONNX bytes (opset 17); input `input` [N,3,64,64], output `logits` [N,finalWidth]
 */
export function buildScaleModel(finalWidth: number, seed = 0): Uint8Array {
  const normal = normalSampler(seed);
  const g = new GraphBuilder('scale');
  const conv = (x: string, name: string, cin: number, cout: number, k: number, stride: number) => {
    const w = g.initializer(`${name}.weight`, normalWeights(normal, cout * cin * k * k, Math.sqrt(2 / (cin * k * k))), [cout, cin, k, k]);
    return g.node('Conv', [x, w], [`/${name}/Conv_output_0`], { kernel_shape: [k, k], strides: [stride, stride] })[0];
  };
  const input = g.input('input', ['N', 3, 64, 64]);
  const [stem] = g.node('Relu', [conv(input, 'stem', 3, 16, 4, 4)], ['/stem/Relu_output_0']);
  const [pooled] = g.node('GlobalAveragePool', [conv(stem, 'wide', 16, POOL_WIDTH, 8, 8)], ['/avgpool/GlobalAveragePool_output_0']);
  const [flat] = g.node('Flatten', [pooled], ['/Flatten_output_0'], { axis: 1 });
  const w = g.initializer('fc.weight', normalWeights(normal, finalWidth * POOL_WIDTH, 1 / Math.sqrt(POOL_WIDTH)), [finalWidth, POOL_WIDTH]);
  const b = g.initializer('fc.bias', new Float32Array(finalWidth), [finalWidth]);
  g.node('Gemm', [flat, w, b], ['logits'], { transB: 1 });
  g.output('logits', ['N', finalWidth]);
  return g.toBytes();
}
