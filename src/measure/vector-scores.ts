import { addChunk, addCoMomentScores, emptyCoMoments, mergeCoMoments, type CoMoments, type CrossProduct } from '../scores/co-moments.js';
import type { ElementSums } from '../scores/state.js';
import type { AppendStore } from '../store/append-store.js';
import { vectorChunkRows, vectorColumn } from './vectors.js';

/**
 * Most bytes of cross co-moments held at once while scoring a probe kept per image: a probe wider
 * than √(this / 8) channels is scored in tiles of a-side channels, one pass over its rows per tile.
 */
const CROSS_LIMIT_BYTES = 128 * 2 ** 20;

/** Where a vector probe's data for one element lives: co-moments (one shard) or per-image rows (one shard's store). */
export type VectorSource = { readonly moments: CoMoments } | { readonly rows: AppendStore };

/**
 * Scores vector probe `probe` (K channels) under element `id` over all images of all sources
 * (SPEC §4: S runs over the images) and adds the scores into `sums`. Per-image rows are read back in
 * chunks and folded into co-moments, so memory stays bounded whatever the number of images.
 *
 * @param base - id of the untransformed vectors the element is compared with: 'original', or the
 *   transform's own view (`originId`)
 */
export async function scoreVectorElement(
  probe: { readonly name: string; readonly channels: number },
  id: string,
  base: string,
  sources: readonly VectorSource[],
  centred: boolean,
  product: CrossProduct,
  sums: ElementSums,
): Promise<void> {
  const k = probe.channels;
  const tile = k * k * 8 <= CROSS_LIMIT_BYTES ? k : Math.max(1, Math.floor(CROSS_LIMIT_BYTES / (8 * k)));
  const [a, b] = [vectorColumn(probe.name, id), vectorColumn(probe.name, base)];
  // One buffer for every tile's cross co-moments in turn (a 20,000-wide probe: 24 tiles of 128 MiB).
  const held = new Float64Array(tile * k);
  for (let from = 0; from < k; from += tile) {
    const to = Math.min(k, from + tile);
    const m = emptyCoMoments(k, centred, from, to, held.subarray(0, (to - from) * k));
    for (const source of sources) {
      if ('moments' in source) {
        mergeCoMoments(m, source.moments);
        continue;
      }
      for await (const chunk of source.rows.chunks([a, b], vectorChunkRows(source.rows, [a, b]))) {
        await addChunk(m, chunk.values[a] as Float32Array, chunk.values[b] as Float32Array, chunk.count, product);
      }
    }
    addCoMomentScores(m, sums.inv, sums.eqv);
  }
}
