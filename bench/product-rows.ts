/**
 * `node dist-bench/bench/product-rows.js [K=2048] [t=1488] [threads=2]`: GFLOP/s of one product of
 * the end of a large run (`CrossProducts.product`: aᵀb for a n × t and b n × K, float64, in
 * onnxruntime) for n = 128 … 2,048 rows, to pick `PRODUCT_MAX_ROWS` (src/measure/vector-chance.ts):
 * the fewest rows at which the product is as fast as it gets. t = 1,488 is twice the a-side tile
 * of K = 2,048 (the row's own v′ and its partner's). Prints one JSON line per n.
 */
import { mulberry32 } from '../src/images/prng.js';
import { CrossProducts } from '../src/scored-models/metric.js';

const k = Number(process.argv[2] ?? 2048);
const t = Number(process.argv[3] ?? 1488);
const threads = Number(process.argv[4] ?? 2);
const products = new CrossProducts({ threads });
const rand = mulberry32(1);
for (const n of [128, 256, 512, 1024, 2048]) {
  const a = Float64Array.from({ length: n * t }, () => rand());
  const b = Float64Array.from({ length: n * k }, () => rand());
  await products.product(a, b, n, t, k);
  // About 4,096 rows of products per n, so that each n takes about as long.
  const repeats = Math.max(2, Math.round(4096 / n));
  const start = performance.now();
  for (let r = 0; r < repeats; r++) await products.product(a, b, n, t, k);
  const seconds = (performance.now() - start) / 1000 / repeats;
  process.stdout.write(`${JSON.stringify({ n, k, t, threads, msPerProduct: Number((1000 * seconds).toFixed(1)), gflops: Number(((2 * n * t * k) / seconds / 1e9).toFixed(1)) })}\n`);
}
await products.release();
