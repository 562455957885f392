import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Preprocessing } from '../types.js';

/**
 * SHA-256 of each image's file bytes (SPEC §4b), so two results can be aligned image by image for
 * a paired comparison whatever the folders are called. A synthetic image has no file: it is
 * identified by what generates it (seed, index, size, channels).
 *
 * @param ids - file paths, or synthetic ids `synthetic-000042`
 * @param synthetic - the generator's seed and preprocessing, for synthetic ids; null for files
 * @returns hex digests, in the order of `ids`
 */
export async function imageHashes(ids: readonly string[], synthetic: { seed: number; preprocessing: Preprocessing } | null): Promise<string[]> {
  return Promise.all(
    ids.map(async (id) => {
      const hash = createHash('sha256');
      if (synthetic) hash.update(`equiprobe-synthetic:${synthetic.seed}:${Number(id.slice('synthetic-'.length))}:${synthetic.preprocessing.size}:${synthetic.preprocessing.channels}`);
      else hash.update(await readFile(id));
      return hash.digest('hex');
    }),
  );
}
