/**
 * `npm run bench`: equiprobe's time against plain forward passes (issue targets: ≤ 1.5× for
 * ResNet-50 and ViT-S/16 under rot90) and against the floor of forward passes plus the K×K
 * similarity products alone; the cost of the map chance level (SPEC §4b: with vs without
 * `nullImages`); peak RSS at 32 vs 256 images; the zoo.
 * Every measurement runs in a child process (bench/one.ts) so its peak RSS is its own.
 * Models are built in code with seeded random weights (bench/models.ts): nothing is downloaded.
 * Prints a markdown table of ratios; `BENCH_QUICK=1` skips the 32-vs-256-image memory check.
 * `npm run bench -- scale …` runs the scale benchmark instead (bench/scale.ts).
 * `npm run bench -- peer [images]` compares with a PyTorch-hooks script instead (bench/peer.ts);
 * `npm run bench -- startup` times start-up, first run and cached (bench/startup.ts);
 * `npm run bench -- steady [images] [models] [transforms]` the steady state against the floor (default 128 images).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildResNet50, buildVitS16 } from './models.js';
import { runScale } from './scale.js';

interface Sample {
  seconds: number;
  passes: number;
  maxRssMiB: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'equiprobe-bench-'));
// The models written here are 100 MB each: gone when the benchmark ends, however it ends.
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const TRANSLATE_SHIFTS = '1,2,4,8,16,32';

function run(mode: 'forward' | 'exposed' | 'products' | 'equiprobe' | 'no-null' | 'startup', model: string, images: number, transform: string, layers = 'default'): Sample {
  const args = [path.join(here, 'one.js'), mode, model, String(images), transform, ...(transform === 'translate' ? [TRANSLATE_SHIFTS] : []), `--layers=${layers}`];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Sample;
}

// floor = (forward passes + the K×K similarity products alone) / forward passes: what even a
// metric with no overhead at all would cost, since SPEC §4's max over channels needs every product.
// "exposed" = the forward passes with the probe tensors made graph outputs, as the metric needs them
// (onnxruntime then cannot fuse e.g. Conv+Add+Relu): the forward part a measurement really runs.
const rows: string[] = [
  '| model | transform | images | forward s | exposed s | K×K products s | floor | floor, exposed | equiprobe s | ratio | images/s | peak RSS MiB | no null s | null cost | no null / floor, exposed |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
];
function compare(name: string, model: string, images: number, transform: string, layers = 'default'): Sample {
  process.stderr.write(`bench: ${name} ${transform} ${images} images, --layers ${layers} …\n`);
  // A start-up run stores the optimised scored models (src/forward/session-cache.ts), so neither timed
  // measurement pays the first run's cache write: both start as a model measured before would.
  run('startup', model, images, transform, layers);
  const [forward, exposed, products, probe, noNull] = (['forward', 'exposed', 'products', 'equiprobe', 'no-null'] as const).map((mode) => run(mode, model, images, transform, layers));
  if (layers !== 'default') name = `${name} (${layers})`;
  const seconds = (s: Sample) => s.seconds.toFixed(1);
  const ratio = (s: number) => (s / forward.seconds).toFixed(2);
  rows.push(
    `| ${name} | ${transform} | ${images} | ${seconds(forward)} | ${seconds(exposed)} | ${seconds(products)} | ${ratio(forward.seconds + products.seconds)} | ${ratio(exposed.seconds + products.seconds)} | ${seconds(probe)} | ${ratio(probe.seconds)} | ${(images / probe.seconds).toFixed(2)} | ${probe.maxRssMiB.toFixed(0)} | ${seconds(noNull)} | ${(probe.seconds / noNull.seconds).toFixed(2)} | ${(noNull.seconds / (exposed.seconds + products.seconds)).toFixed(2)} |`,
  );
  return probe;
}

/** The default benchmark: forward-pass floors, the zoo, and the 32-vs-256-image memory check. */
function runDefault(): void {
  const large = [
    ['resnet50', buildResNet50(0)],
    ['vit_s16', buildVitS16(0)],
  ] as const;
  for (const [name, bytes] of large) {
    const file = path.join(dir, `${name}.onnx`);
    writeFileSync(file, bytes);
    compare(name, file, 32, 'rot90');
    compare(name, file, 32, 'translate');
  }

  const zoo = path.join(root, 'examples', 'zoo');
  for (const file of readdirSync(zoo).filter((f) => f.endsWith('.onnx')).sort()) {
    compare(file.replace('.onnx', ''), path.join(zoo, file), 200, 'rot90');
  }
  process.stdout.write(`${rows.join('\n')}\n`);

  if (!process.env.BENCH_QUICK) {
    // Memory must not grow with the number of images (SPEC §8). The zoo's widest ResNet keeps this
    // check to minutes; the per-image state (Pool/Final vectors) is what could grow.
    const model = path.join(zoo, 'resnet_w64.onnx');
    process.stderr.write('bench: peak RSS at 32 vs 256 images (resnet_w64, rot90) …\n');
    const small = run('equiprobe', model, 32, 'rot90');
    const big = run('equiprobe', model, 256, 'rot90');
    process.stdout.write(`\npeak RSS resnet_w64 rot90: 32 images ${small.maxRssMiB.toFixed(0)} MiB, 256 images ${big.maxRssMiB.toFixed(0)} MiB, ratio ${(big.maxRssMiB / small.maxRssMiB).toFixed(3)}\n`);
  }
}

/**
 * `npm run bench -- steady [images] [models] [transforms]`: the steady state against the floor at 128
 * images (so that start-up is not what is measured), default probe set and `--layers blocks`; models
 * and transforms comma-separated (default resnet50,vit_s16 and rot90,translate).
 */
function runSteady(images: number, models: readonly string[], transforms: readonly string[]): void {
  const builders = { resnet50: buildResNet50, vit_s16: buildVitS16 } as const;
  for (const name of models as (keyof typeof builders)[]) {
    const file = path.join(dir, `${name}.onnx`);
    writeFileSync(file, builders[name](0));
    for (const transform of transforms) for (const layers of ['default', 'blocks']) compare(name, file, images, transform, layers);
  }
  process.stdout.write(`${rows.join('\n')}\n`);
}

if (process.argv[2] === 'scale') runScale(process.argv.slice(3));
else if (process.argv[2] === 'peer') await import('./peer.js');
else if (process.argv[2] === 'steady') runSteady(Number(process.argv[3] ?? 128), (process.argv[4] ?? 'resnet50,vit_s16').split(','), (process.argv[5] ?? 'rot90,translate').split(','));
else if (process.argv[2] === 'startup') await import('./startup.js');
else runDefault();
