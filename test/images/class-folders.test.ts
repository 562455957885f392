import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classFolders, classFolderWarnings } from '../../src/images/class-folders.js';

const files = (dir: string, names: string[]) => names.map((n) => join(dir, ...n.split('/')));

describe('class folders', () => {
  it('lists the first-level folder of each file, or null when a file lies at the top', () => {
    expect(classFolders('d', files('d', ['a/1.png', 'a/x/2.png', 'b/3.png']))).toEqual(['a', 'a', 'b']);
    expect(classFolders('d', files('d', ['a/1.png', '2.png']))).toBeNull();
  });

  it('no warning for flat folders, one folder, or labelled folders taken whole', () => {
    expect(classFolderWarnings('d', files('d', ['1.png', '2.png']), 1, false)).toEqual([]);
    expect(classFolderWarnings('d', files('d', ['a/1.png', 'a/2.png']), 2, false)).toEqual([]);
    expect(classFolderWarnings('d', files('d', ['a/1.png', 'b/2.png']), 2, true)).toEqual([]);
  });

  it('warns about missing labels, and about a max-images cut that leaves classes out', () => {
    const all = files('d', ['a/1.png', 'a/2.png', 'b/3.png', 'c/4.png', 'd/5.png', 'e/6.png']);
    const [unlabelled, cut] = classFolderWarnings('d', all, 3, false);
    expect(unlabelled).toMatch(/^The images are in 5 class subfolders \('a', 'b', 'c', …\) but no classes file was given/);
    expect(cut).toMatch(/^The first 3 image\(s\) in sorted path order .* cover 2 of 5 class folders \('a', 'b'\)\./);
    // A cut that still covers every class says nothing.
    expect(classFolderWarnings('d', files('d', ['a/1.png', 'b/2.png', 'b/3.png']), 2, true)).toEqual([]);
    expect(classFolderWarnings('d', all, 5, true)).toHaveLength(1);
  });
});
