/**
 * `npm run bench -- startup`: the start-up of a measurement on the benchmark's ResNet-50 (and
 * ViT-S/16), `--layers default` (rot90 and translate) and `blocks` (rot90): the first time (empty discovery cache) and
 * when the model was seen before. Each run is its own process (bench/one.ts `startup`); the table
 * splits it into model load, discovery and building + opening the scored models, and gives the
 * time from the process's start too (module loading included) and the CPU seconds of the start-up
 * (all threads), less sensitive than wall time to other jobs on the machine, and the time spent after
 * the start-up storing the optimised scored models for the next run (as `measure` does after its results).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RACY_MS } from '../src/cache/identity.js';
import { buildResNet50, buildVitS16 } from './models.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'equiprobe-startup-'));
// The models and their cached scored models here are ~100 MB each: gone when the benchmark ends, however it ends.
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const rows = ['| model | layers | transform | cache | load s | discovery s | scored models s | start-up s | from process start s | start-up CPU s | cache write s |', '|---|---|---|---|---|---|---|---|---|---|---|'];
// rot90 opens the original and the permutation model; translate the original and the shift model.
const runs = [['default', 'rot90'], ['default', 'translate'], ['blocks', 'rot90']] as const;
for (const [name, build] of [['resnet50', buildResNet50], ['vit_s16', buildVitS16]] as const) {
  const model = path.join(dir, `${name}.onnx`);
  writeFileSync(model, build(0));
  // A model file changed in the last 2 s does not have its SHA-256 remembered (src/cache/identity.ts):
  // wait as long, so that every row measures a model file at rest, as a user's exported model is.
  await new Promise((resolve) => setTimeout(resolve, RACY_MS + 100));
  for (const [layers, transform] of runs) {
    const cache = mkdtempSync(path.join(dir, 'cache-'));
    for (const state of ['first run', 'seen before']) {
      process.stderr.write(`bench: start-up ${name} --layers ${layers} ${transform}, ${state} …\n`);
      const out = execFileSync(process.execPath, [path.join(here, 'one.js'), 'startup', model, '16', transform, ...(transform === 'translate' ? ['1,2,4,8,16,32'] : []), `--layers=${layers}`], {
        encoding: 'utf8',
        env: { ...process.env, EQUIPROBE_CACHE_DIR: cache },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const t = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number>;
      rows.push(`| ${name} | ${layers} | ${transform} | ${state} | ${t.load.toFixed(2)} | ${t.discovery.toFixed(2)} | ${t.scorer.toFixed(2)} | ${t.seconds.toFixed(2)} | ${t.process.toFixed(2)} | ${t.cpu.toFixed(2)} | ${t.cacheWrite.toFixed(2)} |`);
    }
  }
}
process.stdout.write(`${rows.join('\n')}\n`);
