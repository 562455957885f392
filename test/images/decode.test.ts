import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, ImageDecodeError, loadImage } from '../../src/images/decode.js';
import type { Preprocessing } from '../../src/types.js';
import { at, plainPrep, tempDir, writeRaw } from './helpers.js';

/** Pixels of a `width × height` image from a per-pixel function, HWC. */
function pixels(width: number, height: number, channels: number, f: (x: number, y: number, c: number) => number): Uint8Array {
  const out = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) out[(y * width + x) * channels + c] = f(x, y, c);
  return out;
}

describe('decodeImage', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const file = (name: string) => join(dir, name);
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterAll(() => cleanup());

  describe('geometry: torchvision Resize + CenterCrop', () => {
    it('a left-black/right-white 64×32 image: resize to 32×16, crop 16 at x = 8 puts the edge in the middle', async () => {
      await writeRaw(file('halves.png'), pixels(64, 32, 1, (x) => (x < 32 ? 0 : 255)), 64, 32, 1);
      const img = await loadImage(file('halves.png'), plainPrep(16), 0);
      expect(img.length).toBe(16 * 16);
      for (let y = 0; y < 16; y++) {
        for (let x = 0; x <= 5; x++) expect(at(img, 16, 0, y, x)).toBe(0);
        for (let x = 10; x < 16; x++) expect(at(img, 16, 0, y, x)).toBe(1);
        expect(at(img, 16, 0, y, 7)).toBeLessThan(0.5);
        expect(at(img, 16, 0, y, 8)).toBeGreaterThan(0.5);
      }
    });

    it('the margin enlarges resize and crop together (size 16 + margin 4 → resize to 40×20, crop 20 at x = 10)', async () => {
      const img = await loadImage(file('halves.png'), plainPrep(16), 4);
      expect(img.length).toBe(20 * 20);
      for (let x = 0; x <= 7; x++) expect(at(img, 20, 0, 10, x)).toBe(0);
      for (let x = 12; x < 20; x++) expect(at(img, 20, 0, 10, x)).toBe(1);
    });

    it('crop offsets round half to even like Python: 35 wide → left 2, 33 wide → left 0 (no resampling)', async () => {
      await writeRaw(file('ramp35.png'), pixels(35, 32, 1, (x) => x * 7), 35, 32, 1);
      await writeRaw(file('ramp33.png'), pixels(33, 32, 1, (x) => x * 7), 33, 32, 1);
      const a = await loadImage(file('ramp35.png'), plainPrep(32), 0);
      const b = await loadImage(file('ramp33.png'), plainPrep(32), 0);
      for (let x = 0; x < 32; x++) {
        expect(at(a, 32, 0, 5, x)).toBe(Math.fround(((x + 2) * 7) / 255));
        expect(at(b, 32, 0, 5, x)).toBe(Math.fround((x * 7) / 255));
      }
    });

    it('a portrait image is cropped vertically: rows of a top-to-bottom ramp', async () => {
      await writeRaw(file('tall.png'), pixels(32, 36, 1, (_x, y) => y * 5), 32, 36, 1);
      const img = await loadImage(file('tall.png'), plainPrep(32), 0);
      expect(at(img, 32, 0, 0, 3)).toBe(Math.fround(10 / 255)); // top = round(4 / 2) = 2
    });

    it('imagenet-style resize ratio: 200×100 with size 8, resize 16 → 32×16, crop at x = 12', async () => {
      await writeRaw(file('quarters.png'), pixels(200, 100, 1, (x) => (x < 100 ? 0 : 255)), 200, 100, 1);
      const img = await loadImage(file('quarters.png'), plainPrep(8, 1, 16), 0);
      // Edge at resized x = 16, i.e. crop x = 4.
      expect(at(img, 8, 0, 4, 2)).toBe(0);
      expect(at(img, 8, 0, 4, 5)).toBe(1);
    });
  });

  describe('normalisation', () => {
    it('(x/255 − mean) / std per channel, CHW layout', async () => {
      await writeRaw(file('rgb.png'), pixels(4, 4, 3, (_x, _y, c) => [100, 150, 200][c]), 4, 4, 3);
      const prep: Preprocessing = { preset: 'custom', size: 4, resize: 4, channels: 3, mean: [0.5, 0.4, 0.3], std: [0.25, 0.5, 2] };
      const img = await loadImage(file('rgb.png'), prep, 0);
      expect(img.length).toBe(3 * 16);
      for (let c = 0; c < 3; c++) {
        const want = Math.fround(([100, 150, 200][c] / 255 - prep.mean[c]) / prep.std[c]);
        for (let p = 0; p < 16; p++) expect(img[c * 16 + p]).toBe(want);
      }
    });
  });

  describe('formats and channel conversions', () => {
    it('gray PNG to a 3-channel model repeats gray (gray→rgb)', async () => {
      await writeRaw(file('gray.png'), pixels(4, 4, 1, (x) => x * 60), 4, 4, 1);
      const d = await decodeImage(file('gray.png'), plainPrep(4, 3), 0);
      expect(d.conversion).toBe('gray→rgb');
      for (let p = 0; p < 16; p++) {
        expect(d.data[p]).toBe(Math.fround(((p % 4) * 60) / 255));
        expect(d.data[16 + p]).toBe(d.data[p]);
        expect(d.data[32 + p]).toBe(d.data[p]);
      }
      expect((await decodeImage(file('gray.png'), plainPrep(4, 1), 0)).conversion).toBe('none');
    });

    it('RGB PNG to a gray model uses luminance (rgb→gray); white stays 1, black 0', async () => {
      await writeRaw(file('bw.png'), pixels(4, 4, 3, (x) => (x < 2 ? 0 : 255)), 4, 4, 3);
      const d = await decodeImage(file('bw.png'), plainPrep(4, 1), 0);
      expect(d.conversion).toBe('rgb→gray');
      expect(at(d.data, 4, 0, 1, 0)).toBe(0);
      expect(at(d.data, 4, 0, 1, 3)).toBe(1);
      expect((await decodeImage(file('bw.png'), plainPrep(4, 3), 0)).conversion).toBe('none');
    });

    it('RGBA PNG: alpha is flattened onto black (rgba→rgb)', async () => {
      await writeRaw(file('rgba.png'), pixels(4, 4, 4, (x, _y, c) => (c === 3 ? (x < 2 ? 255 : 0) : 200)), 4, 4, 4);
      const d = await decodeImage(file('rgba.png'), plainPrep(4, 3), 0);
      expect(d.conversion).toBe('rgba→rgb');
      for (let c = 0; c < 3; c++) {
        expect(at(d.data, 4, c, 2, 0)).toBe(Math.fround(200 / 255));
        expect(at(d.data, 4, c, 2, 3)).toBe(0);
      }
      expect((await decodeImage(file('rgba.png'), plainPrep(4, 1), 0)).conversion).toBe('rgba→gray');
    });

    it('palette PNG expands to its exact colours', async () => {
      const src = pixels(8, 8, 3, (x, _y, c) => (x < 4 ? [255, 0, 0] : [0, 0, 255])[c]);
      await sharp(Buffer.from(src), { raw: { width: 8, height: 8, channels: 3 } }).png({ palette: true, colours: 4 }).toFile(file('pal.png'));
      expect((await sharp(file('pal.png')).metadata()).isPalette).toBe(true);
      const d = await decodeImage(file('pal.png'), plainPrep(8, 3), 0);
      expect(d.conversion).toBe('none');
      expect([0, 1, 2].map((c) => at(d.data, 8, c, 3, 1))).toEqual([1, 0, 0]);
      expect([0, 1, 2].map((c) => at(d.data, 8, c, 3, 6))).toEqual([0, 0, 1]);
    });

    it('16-bit PNG is scaled to 8 bits (65535 → 255, 32768 → 128)', async () => {
      const v = new Uint16Array(8 * 8);
      for (let i = 0; i < v.length; i++) v[i] = i % 8 < 4 ? 65535 : 32768;
      await sharp(v, { raw: { width: 8, height: 8, channels: 1 } }).toColourspace('grey16').png().toFile(file('g16.png'));
      expect((await sharp(file('g16.png')).metadata()).depth).toBe('ushort');
      for (const channels of [1, 3]) {
        const d = await decodeImage(file('g16.png'), plainPrep(8, channels), 0);
        expect(at(d.data, 8, 0, 2, 1)).toBe(1);
        expect(at(d.data, 8, channels - 1, 2, 6)).toBe(Math.fround(128 / 255));
      }
    });

    it('CMYK JPEG is converted to sRGB (cmyk→rgb): red stays red', async () => {
      await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 255, g: 0, b: 0 } } }).toColourspace('cmyk').jpeg().toFile(file('cmyk.jpg'));
      expect((await sharp(file('cmyk.jpg')).metadata()).space).toBe('cmyk');
      const d = await decodeImage(file('cmyk.jpg'), plainPrep(16, 3), 0);
      expect(d.conversion).toBe('cmyk→rgb');
      expect(at(d.data, 16, 0, 8, 8)).toBeGreaterThan(0.8);
      expect(at(d.data, 16, 1, 8, 8)).toBeLessThan(0.15);
      expect(at(d.data, 16, 2, 8, 8)).toBeLessThan(0.15);
    });

    it('progressive JPEG decodes like the baseline JPEG of the same image', async () => {
      const src = sharp(Buffer.from(pixels(64, 48, 3, (x, y, c) => (x * 3 + y * 2 + c * 40) % 256)), { raw: { width: 64, height: 48, channels: 3 } });
      await src.clone().jpeg({ progressive: true, quality: 95 }).toFile(file('prog.jpg'));
      await src.clone().png().toFile(file('prog-ref.png'));
      expect((await sharp(file('prog.jpg')).metadata()).isProgressive).toBe(true);
      const a = await loadImage(file('prog.jpg'), plainPrep(32, 3), 0);
      const b = await loadImage(file('prog-ref.png'), plainPrep(32, 3), 0);
      let err = 0;
      for (let i = 0; i < a.length; i++) err += Math.abs(a[i] - b[i]);
      expect(err / a.length).toBeLessThan(4 / 255);
    });

    it('EXIF orientation 6 gives the same image as the stored pixels rotated 90° clockwise', async () => {
      // Distinct quadrants so any wrong rotation or flip shows.
      const w = 40;
      const h = 24;
      const src = pixels(w, h, 3, (x, y, c) => [x < 20 ? 30 : 220, y < 12 ? 40 : 200, c === 2 ? 128 : 0][c]);
      await sharp(Buffer.from(src), { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toFile(file('exif6.jpg'));
      expect((await sharp(file('exif6.jpg')).metadata()).orientation).toBe(6);
      // The stored pixels, read without orientation, rotated by hand and saved losslessly.
      const stored = await sharp(file('exif6.jpg')).raw().toBuffer();
      const rotated = new Uint8Array(stored.length);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) rotated[(x * h + (h - 1 - y)) * 3 + c] = stored[(y * w + x) * 3 + c];
      await writeRaw(file('manual.png'), rotated, h, w, 3);
      const a = await decodeImage(file('exif6.jpg'), plainPrep(24, 3), 0);
      const b = await decodeImage(file('manual.png'), plainPrep(24, 3), 0);
      expect([a.sourceWidth, a.sourceHeight]).toEqual([24, 40]);
      expect(Array.from(a.data)).toEqual(Array.from(b.data));
    });
  });

  it('a large 8000×6000 JPEG decodes with bounded memory (shrink-on-load, no full-size buffer)', async () => {
    await sharp({ create: { width: 8000, height: 6000, channels: 3, background: { r: 200, g: 100, b: 50 } } }).jpeg().toFile(file('big.jpg'));
    const prep: Preprocessing = { preset: 'imagenet', size: 224, resize: 256, channels: 3, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
    const base = process.memoryUsage().rss;
    let peak = base;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 1);
    const d = await decodeImage(file('big.jpg'), prep, 32);
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(d.data.length).toBe(3 * 256 * 256);
    expect([d.sourceWidth, d.sourceHeight]).toEqual([8000, 6000]);
    // A full decode alone would need 8000·6000·3 bytes = 137 MiB.
    expect((peak - base) / 2 ** 20).toBeLessThan(100);
    expect(at(d.data, 256, 0, 128, 128)).toBeCloseTo((200 / 255 - 0.485) / 0.229, 1);
  }, 30_000);

  describe('EXPECTED FAILURE', () => {
    it('a zero-byte file raises ImageDecodeError with its file and reason', async () => {
      await writeFile(file('zero.png'), '');
      const err = await decodeImage(file('zero.png'), plainPrep(8), 0).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ImageDecodeError);
      expect(err).toMatchObject({ name: 'ImageDecodeError', file: file('zero.png'), reason: 'file is empty (0 bytes)' });
      expect((err as Error).message).toBe(`Cannot decode image '${file('zero.png')}': file is empty (0 bytes). The file is skipped.`);
    });

    it('truncated JPEG and PNG files raise ImageDecodeError', async () => {
      const noise = { width: 200, height: 200, channels: 3 as const, background: { r: 0, g: 0, b: 0 }, noise: { type: 'gaussian' as const, mean: 128, sigma: 60 } };
      await sharp({ create: noise }).jpeg().toFile(file('full.jpg'));
      await sharp({ create: noise }).png().toFile(file('full.png'));
      for (const ext of ['jpg', 'png']) {
        const bytes = await readFile(file(`full.${ext}`));
        await writeFile(file(`cut.${ext}`), bytes.subarray(0, bytes.length >> 1));
        const err = await loadImage(file(`cut.${ext}`), plainPrep(8, 3), 0).catch((e: unknown) => e);
        expect(err, ext).toBeInstanceOf(ImageDecodeError);
        expect((err as ImageDecodeError).reason, ext).not.toBe('');
      }
    });

    it('a text file named .png and a missing file raise ImageDecodeError', async () => {
      await writeFile(file('text.png'), 'not an image');
      await expect(loadImage(file('text.png'), plainPrep(8), 0)).rejects.toBeInstanceOf(ImageDecodeError);
      await expect(loadImage(file('missing.png'), plainPrep(8), 0)).rejects.toBeInstanceOf(ImageDecodeError);
    });

    it('a bad margin is a RangeError, not a decode error', async () => {
      await expect(loadImage(file('gray.png'), plainPrep(4), -1)).rejects.toThrow(RangeError);
    });
  });
});
