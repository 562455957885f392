import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Preprocessing } from '../../src/types.js';

/** A fresh temporary folder; call the returned cleanup in afterAll/afterEach. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'equiprobe-images-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes raw 8-bit HWC pixels as a file; the format follows the extension unless `encode` says otherwise. */
export async function writeRaw(file: string, pixels: Uint8Array, width: number, height: number, channels: 1 | 2 | 3 | 4): Promise<void> {
  let img = sharp(Buffer.from(pixels), { raw: { width, height, channels } });
  // sharp writes 1-channel raw input as RGB unless told the output is gray.
  if (channels <= 2) img = img.toColourspace('b-w');
  await img.toFile(file);
}

/** Preprocessing with no resize beyond the crop, values x/255 (preset none). */
export function plainPrep(size: number, channels = 1, resize = size): Preprocessing {
  return { preset: 'none', size, resize, channels, mean: new Array(channels).fill(0), std: new Array(channels).fill(1) };
}

/** Value at (channel, y, x) of a CHW image of side `side`. */
export function at(img: Float32Array, side: number, c: number, y: number, x: number): number {
  return img[c * side * side + y * side + x];
}
