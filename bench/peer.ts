/**
 * `npm run bench -- peer [images]`: equiprobe against the same measure written the way researchers
 * do — PyTorch forward hooks on torchvision's block outputs, SPEC §3–4 in torch (bench/peer.py) —
 * on the same random-weight networks (the peer exports them to ONNX for equiprobe), the same
 * synthetic images, threads, batch and blocks (`--layers blocks`), rot90. Prints both times (equiprobe
 * without the chance level, SPEC §4b, which the peer does not compute; and with it), the ratio, and
 * the largest difference between the two tools' layer means (the check that both measured the same thing).
 *
 * Needs Debian's python3-torch, python3-torchvision and libopenblas0-pthread, run by
 * /usr/bin/python3 (not a python on PATH that lacks them); says so in one line when missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultThreads } from '../src/forward/session.js';
import { resolvePreprocessing } from '../src/images/presets.js';
import { syntheticImage } from '../src/images/source.js';
import { describeProbes } from '../src/probeset.js';

const PYTHON = '/usr/bin/python3';
const here = path.dirname(fileURLToPath(import.meta.url));
const script = path.resolve(here, '..', '..', 'bench', 'peer.py');
const images = Number(process.argv[3] ?? 32);
const threads = defaultThreads();
const batch = 16;

interface Means {
  readonly inv: number | null;
  readonly eqv: number | null;
}

const probe = spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { encoding: 'utf8' });
if (probe.status !== 0) {
  process.stderr.write(`bench peer: needs ${PYTHON} with Debian's python3-torch, python3-torchvision and libopenblas0-pthread (apt-get install them); ${probe.error ? 'no python' : 'torch/torchvision do not import'}.\n`);
  process.exit(1);
}

const dir = mkdtempSync(path.join(tmpdir(), 'equiprobe-peer-'));
const rows = [
  '| model | blocks | images | threads | PyTorch hooks s | equiprobe s (same work) | speed-up | equiprobe s with chance level | largest layer-mean difference inv | eqv | null on both |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
];
for (const name of ['resnet50', 'vit_s16']) {
  process.stderr.write(`bench peer: ${name} rot90 ${images} images …\n`);
  const model = path.join(dir, `${name}.onnx`);
  execFileSync(PYTHON, [script, 'export', name, model], { stdio: ['ignore', 'ignore', 'inherit'] });
  // The images equiprobe makes for `synthetic: images` (seed 0, no normalisation), as one raw file for torch.
  const { input, probes } = await describeProbes({ model, layers: 'blocks', threads });
  const prep = resolvePreprocessing({ preset: 'none' }, input);
  const file = path.join(dir, `${name}.f32`);
  const pixels = new Float32Array(images * input.channels * input.height * input.width);
  for (let i = 0; i < images; i++) pixels.set(syntheticImage(i, 0, prep, 0), i * input.channels * input.height * input.width);
  writeFileSync(file, pixels);

  const peer = JSON.parse(execFileSync(PYTHON, [script, 'run', name, file, String(images), String(threads), String(batch)], { encoding: 'utf8' }).trim().split('\n').at(-1)!) as {
    seconds: number;
    inv: Record<string, number | null>;
    eqv: Record<string, number | null>;
  };
  // The discovery above left the discovery cache warm, as for any model measured before. `no-null` is the
  // peer's work (SPEC §3–4); `equiprobe` adds the chance level (SPEC §4b), which the peer does not compute.
  const one = (mode: string) =>
    JSON.parse(
      execFileSync(process.execPath, [path.join(here, 'one.js'), mode, model, String(images), 'rot90', '--layers=blocks', `--threads=${threads}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
        .trim()
        .split('\n')
        .at(-1)!,
    ) as { seconds: number; layers: (Means & { layer: string })[] };
  // A model measured before also has its optimised scored models cached (src/forward/session-cache.ts);
  // a start-up run stores them, so the timed runs below start as a second measurement of a model would.
  one('startup');
  const ours = one('no-null');
  const withNull = one('equiprobe');

  // Layers in depth order on both sides: the peer hooks the modules whose outputs equiprobe probes.
  const peerMeans: Means[] = Object.keys(peer.inv).map((label) => ({ inv: peer.inv[label], eqv: peer.eqv[label] }));
  if (peerMeans.length !== probes.length) throw new Error(`bench peer: ${name}: the peer hooks ${peerMeans.length} modules, equiprobe probes ${probes.length} blocks`);
  // A layer null on both sides (e.g. torchvision's ViT head is zero-initialised: constant logits) is counted, not compared.
  const largest = { inv: 0, eqv: 0 };
  let bothNull = 0;
  ours.layers.forEach((l, i) => {
    if (l.inv === null && peerMeans[i].inv === null) bothNull++;
    for (const key of ['inv', 'eqv'] as const) {
      if (l[key] === null && peerMeans[i][key] === null) continue;
      largest[key] = Math.max(largest[key], Math.abs((l[key] ?? NaN) - (peerMeans[i][key] ?? NaN)));
    }
  });
  rows.push(`| ${name} | ${probes.length} | ${images} | ${threads} | ${peer.seconds.toFixed(1)} | ${ours.seconds.toFixed(1)} | ${(peer.seconds / ours.seconds).toFixed(2)} | ${withNull.seconds.toFixed(1)} | ${largest.inv.toExponential(1)} | ${largest.eqv.toExponential(1)} | ${bothNull} |`);
}
process.stdout.write(`${rows.join('\n')}\n`);
