import { createHash } from 'node:crypto';
import path from 'node:path';

/** Tag hashed in front of each image's path (SPEC §4b). */
export const NULL_ORDER_TAG = 'equiprobe-null-v1';

/** Default `--null-images M`: map nulls are scored on the first min(M, N) images of the null order. */
export const DEFAULT_NULL_IMAGES = 256;

/**
 * The path an image is hashed by: its path relative to the image folder with `/` separators, or
 * `synthetic/<index>` for a synthetic image (id `synthetic-000042` → `synthetic/42`).
 */
export function nullPathOf(id: string, imageFolder: string | null): string {
  if (imageFolder === null) return `synthetic/${Number(id.slice('synthetic-'.length))}`;
  return path.relative(imageFolder, id).split(path.sep).join('/');
}

/**
 * The run's images in null order (SPEC §4b): by SHA-256("equiprobe-null-v1" ‖ path), ties by
 * path. Pair k is positions 2k and 2k+1; with an odd count the last image is unpaired.
 *
 * @param ids - image ids (file paths or synthetic ids) of the whole run, any order
 * @returns the ids in null order
 */
export function nullOrder(ids: readonly string[], imageFolder: string | null): string[] {
  const keyed = ids.map((id) => {
    const rel = nullPathOf(id, imageFolder);
    return { id, rel, key: createHash('sha256').update(NULL_ORDER_TAG).update(rel).digest('hex') };
  });
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return keyed.map((k) => k.id);
}

/** Each image's null-order position and partner. */
export interface NullPairs {
  /** Image id → position in the null order. */
  readonly position: ReadonlyMap<string, number>;
  /** Image id → partner id; absent for the unpaired last image. */
  readonly partner: ReadonlyMap<string, string>;
  /** Images in null order. */
  readonly order: readonly string[];
}

/** Null positions and partners of the run's images (all of them, shards and skipped files included). */
export function nullPairs(ids: readonly string[], imageFolder: string | null): NullPairs {
  const order = nullOrder(ids, imageFolder);
  const position = new Map(order.map((id, i) => [id, i]));
  const partner = new Map<string, string>();
  for (let k = 0; 2 * k + 1 < order.length; k++) {
    partner.set(order[2 * k], order[2 * k + 1]);
    partner.set(order[2 * k + 1], order[2 * k]);
  }
  return { position, partner, order };
}

/**
 * Shard `index` of `count` (SPEC §8): the null pairs k with k mod count = index, so partners stay
 * together; an unpaired last image goes with pair ⌊N/2⌋. Returned in null order, a pair's two
 * images next to each other, so batches of even size hold whole pairs.
 */
export function shardOf(pairs: NullPairs, index: number, count: number): string[] {
  return pairs.order.filter((_, position) => Math.floor(position / 2) % count === index);
}
