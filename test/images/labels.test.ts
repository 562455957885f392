import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsForFiles, labelsFromFolders, listClasses, readLabels } from '../../src/images/labels.js';
import { tempDir } from './helpers.js';

describe('labels', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const csv = async (name: string, text: string) => {
    const file = join(dir, name);
    await writeFile(file, text);
    return file;
  };
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    for (const c of ['dog', 'cat', 'ant', 'empty']) await mkdir(join(dir, 'img', c), { recursive: true });
  });
  afterAll(() => cleanup());

  it('readLabels parses file,label with BOM, CRLF, quotes, spaces and ./ prefixes', async () => {
    const file = await csv('ok.csv', '\uFEFFFile,Label\r\ncat/1.png,3\r\n"dog/a,b.png", 1 \r\n./x.jpg,0\r\nsub\\y.jpg,2\r\n\r\n');
    expect([...readLabels(file)]).toEqual([
      ['cat/1.png', 3],
      ['dog/a,b.png', 1],
      ['x.jpg', 0],
      ['sub/y.jpg', 2],
    ]);
  });

  it('labelsForFiles matches by relative path first, then by file name', async () => {
    const table = readLabels(await csv('m.csv', 'file,label\ncat/1.png,3\n1.png,7\nval/dog/2.png,1\nz/3.png,4\nq/3.png,5\n'));
    const img = join(dir, 'img');
    const files = [join(img, 'cat', '1.png'), join(img, 'ant', '1.png'), join(img, 'dog', '2.png')];
    expect(labelsForFiles(table, img, files)).toEqual([3, 7, 1]);
    // 3.png is listed under two folders with different labels: ambiguous, so unlabelled.
    expect(() => labelsForFiles(table, img, [join(img, 'cat', '3.png'), join(img, 'x', '9.png')])).toThrow(
      "2 images have no label (e.g. 'cat/3.png', 'x/9.png'). Add rows to the label file (matched by path relative to the image folder, then by file name) or remove the images.",
    );
  });

  it('labelsFromFolders: class = first-level folder, index = sorted folder order (empty folders count)', () => {
    const img = join(dir, 'img');
    expect(listClasses(img)).toEqual(['ant', 'cat', 'dog', 'empty']);
    const files = [join(img, 'cat', 'a.png'), join(img, 'dog', 'deep', 'b.png'), join(img, 'ant', 'c.png')];
    expect(labelsFromFolders(img, files)).toEqual([1, 2, 0]);
  });

  it('labelsFromFolders with a classes file uses its order', async () => {
    const img = join(dir, 'img');
    const classes = await csv('classes.txt', 'dog\r\ncat\n\nant\n');
    expect(labelsFromFolders(img, [join(img, 'cat', 'a.png'), join(img, 'ant', 'c.png')], classes)).toEqual([1, 2]);
  });

  describe('EXPECTED FAILURE', () => {
    it('a missing label file', () => {
      expect(() => readLabels(join(dir, 'none.csv'))).toThrow(/Label file '.*none\.csv' does not exist/);
    });
    it('a wrong header', async () => {
      const file = await csv('h.csv', 'path,class\na.png,1\n');
      expect(() => readLabels(file)).toThrow(/must start with the header 'file,label', found 'path,class'/);
    });
    it('a row that does not parse', async () => {
      const short = await csv('r.csv', 'file,label\na.png,1\nb.png\n');
      expect(() => readLabels(short)).toThrow(/line 3: expected 2 fields \(file,label\), found 1/);
      const open = await csv('q.csv', 'file,label\n"a.png,1\n');
      expect(() => readLabels(open)).toThrow(/line 2: unterminated quoted field/);
    });
    it('labels that are not integers', async () => {
      for (const bad of ['cat', '1.5', '-1', '1e2', '']) {
        const file = await csv('n.csv', `file,label\na.png,${bad}\n`);
        expect(() => readLabels(file)).toThrow(`line 2: label '${bad}' is not a non-negative integer class index`);
      }
    });
    it('a file with two different labels, and a file with no rows', async () => {
      const dup = await csv('d.csv', 'file,label\na.png,1\na.png,1\n./a.png,2\n');
      expect(() => readLabels(dup)).toThrow(/line 4: 'a\.png' is labelled both 1 and 2/);
      const empty = await csv('e.csv', 'file,label\n');
      expect(() => readLabels(empty)).toThrow(/has no rows after its header/);
    });
    it('folder labels: an image outside a class folder, or a folder missing from the classes file', async () => {
      const img = join(dir, 'img');
      expect(() => labelsFromFolders(img, [join(img, 'top.png')])).toThrow(/Image 'top\.png' is not inside a class subfolder/);
      const classes = await csv('c2.txt', 'cat\n');
      expect(() => labelsFromFolders(img, [join(img, 'dog', 'a.png')], classes)).toThrow(/Class folder 'dog' is not listed in classes file/);
      expect(() => listClasses(img, join(dir, 'nope.txt'))).toThrow(/Classes file '.*nope\.txt' does not exist/);
      const twice = await csv('c3.txt', 'a\nb\na\n');
      expect(() => listClasses(img, twice)).toThrow(/lists 'a' twice/);
    });
  });
});
