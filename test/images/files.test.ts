import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareCodeUnits, IMAGE_EXTENSIONS, isImageFile, listImageFiles } from '../../src/images/files.js';
import { tempDir } from './helpers.js';

describe('listImageFiles', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    // Content does not matter for listing; names and nesting do.
    const names = ['b.png', 'a.JPG', 'B.jpeg', 'Z/x.webp', 'a/c.TIFF', 'a/b/d.tif', 'a.png.txt', 'notes.md', 'c.bmp', '.hidden.png', '.git/e.png', '_u.png', 'a-b.png'];
    for (const name of names) {
      await mkdir(join(dir, name, '..'), { recursive: true });
      await writeFile(join(dir, name), '');
    }
    await mkdir(join(dir, 'empty'));
  });
  afterAll(() => cleanup());

  it('lists images recursively, sorted by relative path in code-unit order, skipping hidden and non-image files', async () => {
    const files = await listImageFiles(dir);
    const rel = files.map((f) => f.slice(dir.length + 1).split('\\').join('/'));
    // Uppercase before lowercase, '-' (0x2D) before '.' (0x2E) before '/' (0x2F) before '_' (0x5F).
    expect(rel).toEqual(['B.jpeg', 'Z/x.webp', '_u.png', 'a-b.png', 'a.JPG', 'a/b/d.tif', 'a/c.TIFF', 'b.png']);
    expect(files[0]).toBe(join(dir, 'B.jpeg'));
  });

  it('follows symbolic links without looping on a cycle', async () => {
    const { dir: d2, cleanup: c2 } = await tempDir();
    try {
      await mkdir(join(d2, 'sub'));
      await writeFile(join(d2, 'sub', 'a.png'), '');
      await symlink(d2, join(d2, 'sub', 'loop'));
      await symlink(join(d2, 'sub', 'a.png'), join(d2, 'link.png'));
      const rel = (await listImageFiles(d2)).map((f) => f.slice(d2.length + 1).split('\\').join('/'));
      expect(rel).toEqual(['link.png', 'sub/a.png']);
    } finally {
      await c2();
    }
  });

  it('isImageFile and the extension list agree, case-insensitively', () => {
    for (const ext of IMAGE_EXTENSIONS) expect(isImageFile(`x${ext.toUpperCase()}`)).toBe(true);
    expect(isImageFile('x.bmp')).toBe(false);
    expect(isImageFile('png')).toBe(false);
  });

  it('compareCodeUnits is plain code-unit order, not locale order', () => {
    expect(['b', 'a', 'B', 'é', 'e'].sort(compareCodeUnits)).toEqual(['B', 'a', 'b', 'e', 'é']);
  });

  describe('EXPECTED FAILURE', () => {
    it('a missing folder', async () => {
      await expect(listImageFiles(join(dir, 'nope'))).rejects.toThrow(/Image folder '.*nope' does not exist/);
    });
    it('a file instead of a folder', async () => {
      await expect(listImageFiles(join(dir, 'b.png'))).rejects.toThrow(/is not a folder/);
    });
    it('a folder with no image files names the folder and the accepted extensions', async () => {
      await expect(listImageFiles(join(dir, 'empty'))).rejects.toThrow(/No image files in '.*empty' or its subfolders\. Accepted extensions \(any case\): \.png, \.jpg/);
    });
  });
});
