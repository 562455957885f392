import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, loadImage } from '../../src/images/decode.js';
import { groupBatches } from '../../src/images/group-batches.js';
import { deriveSeed, mulberry32 } from '../../src/images/prng.js';
import { syntheticImage, syntheticImages } from '../../src/images/source.js';
import type { Preprocessing } from '../../src/types.js';
import { plainPrep, tempDir, writeRaw } from './helpers.js';

describe('groupBatches', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let files: string[];
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    files = [];
    for (let i = 0; i < 7; i++) {
      const f = join(dir, `${i}.png`);
      await writeRaw(f, new Uint8Array(16).fill(i * 30), 4, 4, 1);
      files.push(f);
    }
    // Files 2 and 5 are broken: empty and truncated.
    await writeFile(files[2], '');
    const bytes = await readFile(files[5]);
    await writeFile(files[5], bytes.subarray(0, 20));
  });
  afterAll(() => cleanup());

  const decode = (file: string) => decodeImage(file, plainPrep(4), 0);

  it('yields one batch per group in order, leaving out undecodable files (reported in order); a group of none yields nothing', async () => {
    const skipped: string[] = [];
    const batches = [];
    const groups = [files.slice(0, 2), [files[2]], files.slice(3, 6), [files[6]]];
    for await (const b of groupBatches(groups, decode, (f) => skipped.push(f))) batches.push(b);
    expect(batches.map((b) => b.files)).toEqual([[files[0], files[1]], [files[3], files[4]], [files[6]]]);
    expect(skipped).toEqual([files[2], files[5]]);
    expect(batches[1].data[0].data[0]).toBe(Math.fround(90 / 255));
    expect(batches[1].data.map((d) => d.conversion)).toEqual(['none', 'none']);
  });

  it('gives the same images as loadImage', async () => {
    const standard = await loadImage(files[3], plainPrep(4, 3), 0);
    const batches = [];
    for await (const b of groupBatches([[files[0], files[3]]], (f) => decodeImage(f, plainPrep(4, 3), 0), () => undefined)) batches.push(b);
    expect(batches[0].data[1].data).toEqual(standard);
  });

  it('stopping early is clean, and no groups yield nothing', async () => {
    for await (const b of groupBatches([[files[0]], [files[2]]], decode, () => undefined)) {
      expect(b.files).toEqual([files[0]]);
      break;
    }
    const none = [];
    for await (const b of groupBatches([], decode, () => undefined)) none.push(b);
    expect(none).toEqual([]);
  });
});

describe('synthetic images', () => {
  const rgb: Preprocessing = { preset: 'imagenet', size: 32, resize: 36, channels: 3, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
  const gray = plainPrep(28);

  it('mulberry32 is the published generator (fixed values on every machine)', () => {
    const rand = mulberry32(1);
    expect([rand(), rand(), rand()]).toEqual([0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
    expect(deriveSeed(0, 0)).not.toBe(deriveSeed(0, 1));
    expect(deriveSeed(1, 0)).not.toBe(deriveSeed(2 ** 32 + 1, 0));
  });

  it('same seed → identical images; different seed or index → different images', () => {
    const a = syntheticImages(3, 7, rgb, 8);
    const b = syntheticImages(3, 7, rgb, 8);
    const c = syntheticImages(3, 8, rgb, 8);
    expect(a.length).toBe(3);
    expect(a[0].length).toBe(3 * 40 * 40);
    for (let i = 0; i < 3; i++) {
      expect(b[i]).toEqual(a[i]);
      expect(c[i]).not.toEqual(a[i]);
    }
    expect(a[1]).not.toEqual(a[0]);
    // Image i does not depend on how many images are made (shards and whole runs agree).
    expect(syntheticImage(2, 7, rgb, 8)).toEqual(a[2]);
  });

  it('pins a few values so a change in the generator is noticed', () => {
    const img = syntheticImage(0, 0, gray, 0);
    const levels = [0, 100, 500, 783].map((i) => Math.round(img[i] * 255));
    expect(levels).toMatchInlineSnapshot(`
      [
        119,
        149,
        163,
        182,
      ]
    `);
  });

  it('are 8-bit images normalised like files, with spatial structure and contrast', () => {
    for (const [prep, margin] of [[gray, 32], [rgb, 0], [plainPrep(224, 3), 32]] as const) {
      const side = prep.size + margin;
      const img = syntheticImage(3, 1, prep, margin);
      expect(img.length).toBe(prep.channels * side * side);
      const plane = side * side;
      for (let c = 0; c < prep.channels; c++) {
        let mean = 0;
        let offGrid = 0;
        const levels: number[] = [];
        for (let p = 0; p < plane; p++) {
          const level = (img[c * plane + p] * prep.std[c] + prep.mean[c]) * 255;
          offGrid = Math.max(offGrid, Math.abs(level - Math.round(level)));
          levels.push(level);
          mean += level / plane;
        }
        let variance = 0;
        let lag = 0;
        for (let y = 0; y < side; y++) {
          for (let x = 0; x < side; x++) {
            variance += (levels[y * side + x] - mean) ** 2 / plane;
            if (x + 2 < side) lag += ((levels[y * side + x] - mean) * (levels[y * side + x + 2] - mean)) / (side * (side - 2));
          }
        }
        expect(offGrid).toBeLessThan(1e-3);
        expect(mean).toBeGreaterThan(60);
        expect(mean).toBeLessThan(195);
        expect(Math.sqrt(variance)).toBeGreaterThan(10);
        // Neighbouring pixels correlate (smooth fields), but not perfectly (fine detail and noise).
        expect(lag / variance).toBeGreaterThan(0.5);
        expect(lag / variance).toBeLessThan(0.995);
      }
    }
  });

  it('EXPECTED FAILURE - a bad count', () => {
    expect(() => syntheticImages(-1, 0, gray, 0)).toThrow(/non-negative integer, got -1/);
  });
});
