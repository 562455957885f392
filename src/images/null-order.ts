import { createHash } from 'node:crypto';
import path from 'node:path';
import { compareCodeUnits } from './files.js';

/** Prefix of every null-order hash (SPEC §4b); a new version of the order gets a new tag. */
export const NULL_ORDER_TAG = 'equiprobe-null-v1';

/**
 * Null pair k (SPEC §4b): the images at null positions 2k and 2k + 1, or, with an odd number of
 * images, the last image alone (k = ⌊N/2⌋).
 */
export interface NullPair {
  readonly k: number;
  /** One or two image ids (file paths or synthetic ids), in null order. */
  readonly images: readonly string[];
}

/**
 * An image's name in the null order: its path relative to the image folder with `/` separators,
 * or `synthetic/<index>` for synthetic images.
 *
 * @param folder - the image folder (`--images`), or null for synthetic images
 * @param id - a path from `listImageFiles`, or a synthetic id `synthetic-000012`
 * @example
 * nullName('imgs', 'imgs/cat/a.png'); // 'cat/a.png'
 * nullName(null, 'synthetic-000012'); // 'synthetic/12'
 */
export function nullName(folder: string | null, id: string): string {
  if (folder === null) return `synthetic/${Number(id.slice(id.lastIndexOf('-') + 1))}`;
  return path.relative(folder, id).split(path.sep).join('/');
}

/** SHA-256 of the tag followed by the name, as lower-case hex (compares like the digest bytes). */
export function nullKey(name: string): string {
  return createHash('sha256').update(NULL_ORDER_TAG + name, 'utf8').digest('hex');
}

/**
 * The run's images in null order, as pairs (SPEC §4b): sorted by `nullKey` of their names, ties
 * by name; pair k holds null positions 2k and 2k + 1.
 *
 * @param ids - the run's images (all of them, after `--max-images`, before any shard cut)
 * @param nameOf - an image's null name (see `nullName`)
 * @example
 * nullPairs(['s-0', 's-1', 's-2'], (id) => id); // [{ k: 0, images: [two ids] }, { k: 1, images: [the third] }]
 */
export function nullPairs(ids: readonly string[], nameOf: (id: string) => string): NullPair[] {
  const keyed = ids.map((id) => {
    const name = nameOf(id);
    return { id, name, key: nullKey(name) };
  });
  keyed.sort((a, b) => compareCodeUnits(a.key, b.key) || compareCodeUnits(a.name, b.name));
  const pairs: NullPair[] = [];
  for (let p = 0; p < keyed.length; p += 2) pairs.push({ k: p / 2, images: keyed.slice(p, p + 2).map((e) => e.id) });
  return pairs;
}

/**
 * The pairs of shard `index` of `count` (SPEC §8): pair k goes to shard k mod count, so partners
 * stay together; the unpaired last image is pair ⌊N/2⌋.
 */
export function shardPairs(pairs: readonly NullPair[], shard?: { readonly index: number; readonly count: number }): NullPair[] {
  return shard ? pairs.filter((p) => p.k % shard.count === shard.index) : [...pairs];
}

/**
 * Groups pairs into batches of whole pairs (SPEC §8): ⌊batch / 2⌋ pairs per batch (at least one),
 * so a batch never holds more than `batch` images unless `batch` is 1.
 *
 * @returns image ids per batch, in null order
 */
export function pairBatches(pairs: readonly NullPair[], batch: number): string[][] {
  const perBatch = Math.max(1, Math.floor(batch / 2));
  const out: string[][] = [];
  for (let i = 0; i < pairs.length; i += perBatch) out.push(pairs.slice(i, i + perBatch).flatMap((p) => p.images));
  return out;
}

/**
 * Each image's null partner (SPEC §4b: the other image of its pair); the unpaired last image has none.
 *
 * @returns image id → partner id
 */
export function nullPartners(pairs: readonly NullPair[]): Map<string, string> {
  const partners = new Map<string, string>();
  for (const { images } of pairs) {
    if (images.length !== 2) continue;
    partners.set(images[0], images[1]);
    partners.set(images[1], images[0]);
  }
  return partners;
}
