/**
 * The discovery cache: a model seen before skips the discovery pass, and an entry is only ever
 * used for the very model, input and code that wrote it.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { readCached, writeCached } from '../../src/cache/entries.js';
import { defaultCacheDir, discoveryKey } from '../../src/model/discovery-cache.js';
import { detectInput } from '../../src/model/input.js';
import { loadModel } from '../../src/model/load.js';
import { probeSet } from '../../src/model/probes.js';
import { GraphBuilder } from '../../src/onnx/graph.js';

const work = mkdtempSync(path.join(tmpdir(), 'equiprobe-cache-test-'));

/** x → Conv(4, 3×3) → Relu → GlobalAveragePool → Flatten; `weight` fills the kernel, so two weights are two models. */
function tinyModel(file: string, weight: number): string {
  const g = new GraphBuilder('tiny');
  const x = g.input('x', ['N', 3, 8, 8]);
  const w = g.initializer('w', Float32Array.from({ length: 4 * 3 * 9 }, (_, i) => weight * Math.sin(i + 1)), [4, 3, 3, 3]);
  g.node('Conv', [x, w], ['conv'], { pads: [1, 1, 1, 1] });
  g.node('Relu', ['conv'], ['relu']);
  g.node('GlobalAveragePool', ['relu'], ['pool']);
  g.node('Flatten', ['pool'], ['logits']);
  g.output('logits');
  const target = path.join(work, file);
  writeFileSync(target, g.toBytes());
  return target;
}

async function probesOf(file: string, cacheDir: string, cache = true) {
  const model = await loadModel(file);
  const input = detectInput(model.proto, file);
  const set = await probeSet(model, input, {}, { threads: 1, cache, cacheDir });
  return { model, input, set };
}

const entries = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('discovery-'));

/** Rewrites the one entry of `dir` so that every probe's op reads `marker`: a result carrying it came from the cache. */
async function markEntry(dir: string, key: string) {
  const entry = JSON.parse(readFileSync(path.join(dir, `discovery-${key}.json`), 'utf8'));
  const discovery = JSON.parse(entry.payload);
  for (const t of discovery.read) t.op = 'Marked';
  await writeCached(dir, key, discovery);
}

describe('discovery cache', () => {
  it('a miss writes one entry; the next run reads it instead of running discovery', async () => {
    const dir = mkdtempSync(path.join(work, 'hit-'));
    const file = tinyModel('hit.onnx', 1);
    const first = await probesOf(file, dir);
    expect(entries(dir)).toEqual([`discovery-${discoveryKey(first.model.sha256, first.input)}.json`]);
    expect(first.set.probes.map((p) => p.name)).toContain('relu');
    await markEntry(dir, discoveryKey(first.model.sha256, first.input));
    const second = await probesOf(file, dir);
    expect(second.set.probes.map((p) => p.op).every((op) => op === 'Marked')).toBe(true);
    expect(second.set.probes.map((p) => p.name)).toEqual(first.set.probes.map((p) => p.name));
  });

  it('a changed model (other weights, same graph) misses and gets its own entry', async () => {
    const dir = mkdtempSync(path.join(work, 'changed-'));
    const a = await probesOf(tinyModel('a.onnx', 1), dir);
    await markEntry(dir, discoveryKey(a.model.sha256, a.input));
    const b = await probesOf(tinyModel('b.onnx', 2), dir);
    expect(b.model.sha256).not.toBe(a.model.sha256);
    expect(b.set.probes.some((p) => p.op === 'Marked')).toBe(false);
    expect(entries(dir)).toHaveLength(2);
  });

  it('the key changes with the input size and layout, which change every shape', async () => {
    const file = tinyModel('key.onnx', 1);
    const model = await loadModel(file);
    const input = detectInput(model.proto, file);
    const keys = new Set([discoveryKey(model.sha256, input), discoveryKey(model.sha256, { ...input, height: 16, width: 16 }), discoveryKey(model.sha256, { ...input, layout: 'NHWC' })]);
    expect(keys.size).toBe(3);
  });

  it('cache: false neither reads nor writes the cache', async () => {
    const dir = mkdtempSync(path.join(work, 'bypass-'));
    const file = tinyModel('bypass.onnx', 1);
    const first = await probesOf(file, dir);
    await markEntry(dir, discoveryKey(first.model.sha256, first.input));
    const bypassed = await probesOf(file, dir, false);
    expect(bypassed.set.probes.some((p) => p.op === 'Marked')).toBe(false);
    const empty = mkdtempSync(path.join(work, 'bypass-empty-'));
    await probesOf(file, empty, false);
    expect(entries(empty)).toEqual([]);
  });

  it('a corrupt entry (truncated, edited, or another key’s) is ignored and rewritten', async () => {
    const dir = mkdtempSync(path.join(work, 'corrupt-'));
    const file = tinyModel('corrupt.onnx', 1);
    const fresh = await probesOf(file, dir, false);
    const key = discoveryKey(fresh.model.sha256, fresh.input);
    const entryPath = path.join(dir, `discovery-${key}.json`);
    const whole = JSON.parse(JSON.stringify(fresh.set));
    const valid = (v: unknown): v is unknown => true;

    writeFileSync(entryPath, '{"key":"' + key.slice(0, 20));
    expect((await probesOf(file, dir)).set).toEqual(whole);
    expect(await readCached(dir, key, valid)).not.toBeNull();

    // Valid JSON whose payload was edited: the checksum no longer matches.
    const entry = JSON.parse(readFileSync(entryPath, 'utf8'));
    writeFileSync(entryPath, JSON.stringify({ ...entry, payload: entry.payload.replace('"relu"', '"conv"') }));
    expect(await readCached(dir, key, valid)).toBeNull();
    expect((await probesOf(file, dir)).set).toEqual(whole);

    // A whole, checksummed entry stored under this key's file name but written for another key.
    const other = JSON.parse(readFileSync(entryPath, 'utf8'));
    writeFileSync(entryPath, JSON.stringify({ ...other, key: '0'.repeat(64) }));
    expect(await readCached(dir, key, valid)).toBeNull();
    expect((await probesOf(file, dir)).set).toEqual(whole);
    expect(JSON.parse(readFileSync(entryPath, 'utf8')).key).toBe(key);
  });

  it('the CLI keeps an entry in EQUIPROBE_CACHE_DIR, and writes none with --no-cache', () => {
    const file = tinyModel('cli.onnx', 1);
    const layers = (dir: string, ...flags: string[]) =>
      spawnSync(process.execPath, [path.resolve('bin/equiprobe.js'), 'layers', file, ...flags], { encoding: 'utf8', env: { ...process.env, EQUIPROBE_CACHE_DIR: dir } });
    const bypassed = mkdtempSync(path.join(work, 'cli-bypass-'));
    const plain = layers(bypassed, '--no-cache');
    expect(plain.status).toBe(0);
    expect(readdirSync(bypassed)).toEqual([]);
    const cached = mkdtempSync(path.join(work, 'cli-cache-'));
    const first = layers(cached);
    expect(entries(cached)).toHaveLength(1);
    expect(layers(cached).stdout).toBe(first.stdout);
    expect(first.stdout).toBe(plain.stdout);
  }, 60_000);

  it('lives in EQUIPROBE_CACHE_DIR, else XDG_CACHE_HOME/equiprobe, else ~/.cache/equiprobe', () => {
    expect(defaultCacheDir({ EQUIPROBE_CACHE_DIR: '/x/c', XDG_CACHE_HOME: '/y' })).toBe('/x/c');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/y' })).toBe(path.join('/y', 'equiprobe'));
    expect(defaultCacheDir({ XDG_CACHE_HOME: 'relative' })).toMatch(/\.cache[/\\]equiprobe$/);
  });
});
