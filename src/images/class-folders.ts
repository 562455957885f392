/**
 * Notes about class subfolders (`<images>/<class>/x.png`) that a user would otherwise miss: class
 * folders without a classes file (no accuracy), and `maxImages` taking whole classes in sorted
 * order (SPEC §8 fixes that order; a class-balanced take would change which images a run sees).
 */
import { relative, sep } from 'node:path';
import { imageMessages as msg } from './messages.js';

/** First-level folder of every file under `dir`, or null when any file lies directly in `dir`. */
export function classFolders(dir: string, files: readonly string[]): string[] | null {
  const folders: string[] = [];
  for (const file of files) {
    const rel = relative(dir, file).split(sep).join('/');
    const slash = rel.indexOf('/');
    if (slash < 0) return null;
    folders.push(rel.slice(0, slash));
  }
  return folders;
}

/**
 * Warnings about class folders for one run.
 *
 * @param dir - the image folder
 * @param all - every image file, in SPEC §8 order
 * @param taken - how many of them `maxImages` keeps (all.length without it)
 * @param labelled - whether labels come from somewhere (labels CSV or a classes file)
 * @returns zero, one or two one-line warnings
 * @example
 * classFolderWarnings('val', ['val/cat/1.png', 'val/dog/2.png'], 1, true);
 * // ["The first 1 image(s) in sorted order (max images) cover 1 of 2 class folders ('cat'); …"]
 */
export function classFolderWarnings(dir: string, all: readonly string[], taken: number, labelled: boolean): string[] {
  const folders = classFolders(dir, all);
  if (folders === null) return [];
  const distinct = [...new Set(folders)];
  if (distinct.length < 2) return [];
  const warnings: string[] = [];
  if (!labelled) warnings.push(msg.classFoldersUnlabelled(distinct.length, distinct.slice(0, 3)));
  if (taken < all.length) {
    const covered = [...new Set(folders.slice(0, taken))];
    if (covered.length < distinct.length) warnings.push(msg.maxImagesWholeClasses(taken, covered.length, distinct.length, covered.slice(0, 3)));
  }
  return warnings;
}
