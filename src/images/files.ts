import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { imageMessages as msg } from './messages.js';

/**
 * File extensions equiprobe reads, lower case. Only formats the prebuilt sharp/libvips decodes:
 * BMP is absent because sharp's prebuilt binaries have no ImageMagick loader; SVG and PDF are
 * absent because they are not photographs.
 */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.gif', '.avif'];

/**
 * Tells whether a file name has an accepted image extension (any case).
 *
 * @param name - a file name or path
 * @returns true for e.g. `a.PNG`, `b.jpeg`; false for `c.bmp`, `notes.txt`
 */
export function isImageFile(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot >= 0 && IMAGE_EXTENSIONS.includes(name.slice(dot).toLowerCase());
}

/**
 * Plain UTF-16 code-unit order. `localeCompare` and `Intl.Collator` depend on the machine's ICU
 * data and locale, which would break SPEC §8 (same images in the same order on any machine).
 *
 * @param a - first string
 * @param b - second string
 * @returns negative, 0 or positive, for `Array.prototype.sort`: 'B' < 'a' < 'b' < 'é'
 */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Lists the image files under a folder, recursively, in the order SPEC §8 fixes: sorted by their
 * path relative to `dir` with `/` separators, by code units. Hidden files and folders (name
 * starting with `.`) are skipped, so `.DS_Store`, `._x.jpg` and `.git/` never count. Symbolic
 * links are followed; a folder reached twice (a link cycle) is read once.
 *
 * @param dir - the image folder (`--images`)
 * @returns paths `join(dir, relative)`, e.g. `['imgs/a.png', 'imgs/cat/b.JPG']`
 * @throws Error when `dir` is missing, is not a folder, or holds no image file
 */
export async function listImageFiles(dir: string): Promise<string[]> {
  const info = await stat(dir).catch(() => null);
  if (!info) throw new Error(msg.folderMissing(dir));
  if (!info.isDirectory()) throw new Error(msg.notAFolder(dir));

  const relative: string[] = [];
  const seen = new Set<string>();
  await walk(dir, '', relative, seen);
  if (relative.length === 0) throw new Error(msg.noImages(dir, IMAGE_EXTENSIONS));
  relative.sort(compareCodeUnits);
  return relative.map((rel) => join(dir, ...rel.split('/')));
}

async function walk(root: string, prefix: string, out: string[], seen: Set<string>): Promise<void> {
  const here = join(root, prefix);
  const real = await realpath(here);
  if (seen.has(real)) return;
  seen.add(real);
  for (const entry of await readdir(here, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      // A dangling link is neither; skip it rather than fail the whole listing.
      const target = await stat(join(here, entry.name)).catch(() => null);
      isDir = target?.isDirectory() ?? false;
      isFile = target?.isFile() ?? false;
    }
    if (isDir) await walk(root, rel, out, seen);
    else if (isFile && isImageFile(entry.name)) out.push(rel);
  }
}
