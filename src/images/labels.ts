import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { CsvSyntaxError, parseCsv } from '../csv.js';
import { compareCodeUnits } from './files.js';
import { imageMessages as msg } from './messages.js';

/** Path with `/` separators and no leading `./`, the form label keys and relative paths are compared in. */
function normalisePath(p: string): string {
  return p.trim().split('\\').join('/').replace(/^(\.\/)+/, '');
}

function relativeTo(dir: string, file: string): string {
  return relative(dir, file).split(sep).join('/');
}

/** Non-negative decimal integers only: "1.0", "-1", "1e2" and "cat" are not class indices. */
const CLASS_INDEX = /^\d+$/;

/**
 * Reads a label file: a CSV with header `file,label` (any case), one row per image. `file` is the
 * image's path relative to the image folder (`cat/001.png`) or just its file name (`001.png`);
 * `label` is the 0-based class index. A file listed twice must have the same label both times.
 *
 * @param csvFile - path of the CSV (`--labels`, or `labels.csv` in the image folder)
 * @returns label by file key (normalised to `/` separators, no leading `./`), e.g. Map { 'cat/001.png' → 3 }
 * @throws Error when the file is missing, the header is wrong, a row does not have two fields, a
 *   label is not a non-negative integer, a file has two different labels, or there are no rows
 */
export function readLabels(csvFile: string): Map<string, number> {
  if (!existsSync(csvFile)) throw new Error(msg.labelsMissing(csvFile));
  let records;
  try {
    records = parseCsv(readFileSync(csvFile, 'utf8'), msg.labelsQuote());
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new Error(msg.labelsRow(csvFile, err.line, err.reason));
    throw err;
  }
  const [header, ...rows] = records;
  const names = header?.fields.map((f) => f.trim().toLowerCase()) ?? [];
  if (names.length !== 2 || names[0] !== 'file' || names[1] !== 'label') {
    throw new Error(msg.labelsHeader(csvFile, header ? header.fields.join(',') : ''));
  }
  const labels = new Map<string, number>();
  for (const { line, fields } of rows) {
    if (fields.length !== 2) throw new Error(msg.labelsRow(csvFile, line, msg.labelsColumns(fields.length)));
    const key = normalisePath(fields[0]);
    const text = fields[1].trim();
    if (!CLASS_INDEX.test(text)) throw new Error(msg.labelsRow(csvFile, line, msg.labelNotInteger(fields[1])));
    const label = Number(text);
    const previous = labels.get(key);
    if (previous !== undefined && previous !== label) throw new Error(msg.labelsRow(csvFile, line, msg.labelConflict(key, previous, label)));
    labels.set(key, label);
  }
  if (labels.size === 0) throw new Error(msg.labelsEmpty(csvFile));
  return labels;
}

/**
 * Looks up each image's label in a table from `readLabels`. Matching rule, first hit wins:
 * 1. the image's path relative to `dir` (with `/`) equals an entry (`cat/001.png`);
 * 2. its file name equals an entry that is a bare file name (`001.png`);
 * 3. its file name equals the file name of entries with folders (`val/cat/001.png`), provided
 *    they all carry the same label: a name shared with different labels is ambiguous.
 *
 * @param table - from `readLabels`
 * @param dir - the image folder the table's paths are relative to
 * @param files - image paths (as `listImageFiles` returns them)
 * @returns one label per file, in the same order
 * @throws Error naming up to three images that have no label
 */
export function labelsForFiles(table: ReadonlyMap<string, number>, dir: string, files: readonly string[]): number[] {
  // Entries by file name; null marks a name with conflicting labels.
  const byName = new Map<string, number | null>();
  for (const [key, label] of table) {
    const name = key.slice(key.lastIndexOf('/') + 1);
    const seen = byName.get(name);
    byName.set(name, seen === undefined || seen === label ? label : null);
  }
  const missing: string[] = [];
  const labels = files.map((file) => {
    const rel = relativeTo(dir, file);
    const name = basename(file);
    const label = table.get(rel) ?? table.get(name) ?? byName.get(name);
    if (label === undefined || label === null) {
      missing.push(rel);
      return -1;
    }
    return label;
  });
  if (missing.length > 0) throw new Error(msg.unlabelled(missing.length, missing.slice(0, 3)));
  return labels;
}

/**
 * The class names of a folder-labelled image set, in index order: the classes file's lines
 * (blank lines ignored) when given, else every non-hidden first-level subfolder of `dir` sorted by
 * code units (as torchvision's ImageFolder sorts; empty folders count, so indices do not depend on
 * which images a shard or `--max-images` selects).
 *
 * @param dir - the image folder
 * @param classesFile - optional file with one class name per line
 * @returns class names, index = position, e.g. ['cat', 'dog']
 * @throws Error for a missing classes file or a name listed twice
 */
export function listClasses(dir: string, classesFile?: string): string[] {
  if (classesFile !== undefined) {
    if (!existsSync(classesFile)) throw new Error(msg.classesMissing(classesFile));
    const names = readFileSync(classesFile, 'utf8')
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '');
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) throw new Error(msg.classesDuplicate(classesFile, name));
      seen.add(name);
    }
    return names;
  }
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.') && (e.isDirectory() || (e.isSymbolicLink() && statSync(join(dir, e.name)).isDirectory())))
    .map((e) => e.name)
    .sort(compareCodeUnits);
}

/**
 * Labels images by their class folder: an image at `<dir>/<class>/…/x.png` gets the index of
 * `<class>` in `listClasses(dir, classesFile)`.
 *
 * @param dir - the image folder
 * @param files - image paths under `dir`
 * @param classesFile - optional file with one class name per line, fixing the indices
 * @returns one label per file, in the same order, e.g. [0, 0, 1]
 * @throws Error for an image directly in `dir` or in a folder the classes file does not list
 */
export function labelsFromFolders(dir: string, files: readonly string[], classesFile?: string): number[] {
  const classes = listClasses(dir, classesFile);
  const index = new Map(classes.map((name, i) => [name, i]));
  return files.map((file) => {
    const rel = relativeTo(dir, file);
    const slash = rel.indexOf('/');
    if (slash < 0) throw new Error(msg.notInClassFolder(rel));
    const folder = rel.slice(0, slash);
    const label = index.get(folder);
    if (label === undefined) throw new Error(msg.unknownClass(folder, classesFile ?? dir));
    return label;
  });
}
