import type { AppendStore, ColumnSpec } from '../store/append-store.js';
import { coMomentsLength } from '../scores/co-moments.js';
import { chanceMomentIds } from '../scores/keys.js';
import type { ProbeInfo } from '../types.js';

/**
 * Most bytes of co-moments one vector probe may keep. They are held in memory and rewritten at
 * every checkpoint, so above this a probe keeps per-image vectors on disk even where its
 * co-moments would take fewer bytes than the whole run's vectors.
 */
export const MOMENTS_LIMIT_BYTES = 16 * 2 ** 20;

/** How a vector probe keeps what its scores need (SPEC §8). */
export interface VectorPlan {
  readonly probe: ProbeInfo;
  /** Index of the probe in the run's probe list. */
  readonly index: number;
  /** `moments`: K×K co-moments per element; `rows`: per-image vectors in the store. */
  readonly mode: 'moments' | 'rows';
}

/**
 * Bytes of co-moments a vector probe of K channels kept as co-moments holds over `elements` group
 * elements: per element its own, its null's and those of the 20 jackknife blocks (SPEC §4b), each
 * 1 + 4K + K² float64 values.
 */
export function momentsBytes(k: number, elements: number): number {
  return elements * (1 + chanceMomentIds('').length) * coMomentsLength(k) * 8;
}

/**
 * Chooses, per vector probe, whichever of co-moments and per-image vectors is smaller for the
 * run's planned number of images (SPEC §8): 22·G·(K² + 4K + 1) float64 values (per element its
 * own co-moments, its null's and those of the 20 jackknife blocks, SPEC §4b) against N·K·(G + 1)
 * float32 values, G the group elements, with co-moments capped at `MOMENTS_LIMIT_BYTES`. Every shard
 * of a run plans with the whole run's N, so shards keep the same kind of state.
 *
 * @param elements - number of group elements over all transforms
 * @param plannedImages - images of the whole run (after `--max-images`, before a shard cut)
 * @example
 * planVectors(probes, 3, 50_000); // Final with K = 10: 'moments' (74 KB against 8 MB); Pool with K = 2048: 'rows'
 */
export function planVectors(probes: readonly ProbeInfo[], elements: number, plannedImages: number): VectorPlan[] {
  return probes.flatMap((probe, index) => {
    if (probe.kind !== 'vector') return [];
    const k = probe.channels;
    const moments = momentsBytes(k, elements);
    const rows = plannedImages * k * (elements + 1) * 4;
    return [{ probe, index, mode: moments <= Math.min(rows, MOMENTS_LIMIT_BYTES) ? 'moments' : 'rows' }];
  });
}

/** Store columns of one vector element's rows: v′ (`moved`), the v it is compared with (`original`), and the null pair index. */
export interface ElementColumns {
  readonly moved: string;
  readonly original: string;
  readonly pair: string;
}

/** Column of the per-image store holding a vector probe's values for 'original' or an element id. */
export function vectorColumn(probe: string, id: string): string {
  return `vector:${probe}:${id}`;
}

/**
 * Store columns of the probes that keep per-image vectors: 'original' and each element, float32.
 *
 * @param ids - element ids (`elementId`)
 */
export function vectorColumns(plans: readonly VectorPlan[], ids: readonly string[]): ColumnSpec[] {
  return plans
    .filter((p) => p.mode === 'rows')
    .flatMap((p) => ['original', ...ids].map((id) => ({ name: vectorColumn(p.probe.name, id), type: 'float32' as const, width: p.probe.channels })));
}

/**
 * Bytes of per-image vectors read per chunk at the end of a run. Small, so that runs of a thousand
 * images already read full chunks and the rows of one jackknife block in a chunk, which go to
 * onnxruntime as one product, are no more at 50,000 images: 16 MiB let that product (and its
 * float64 copies) grow from 50 to 1,000 rows of the 2048-wide Pool, 78 MiB more peak RSS at 20,000
 * images than at 1,000 (`bench/chance-memory.ts`; 17 at 4 MiB). Smaller products cost more CPU per
 * multiply-add (1.15 × for that step).
 */
const CHUNK_BYTES = 4 * 2 ** 20;
/**
 * Fewest images per chunk: each product is merged into a (tile × K) co-moment matrix, so a very wide
 * probe (a 20,000-class head: 26 rows in `CHUNK_BYTES`) reads more images per chunk, or the merges
 * would cost more than the products.
 */
const MIN_CHUNK_ROWS = 256;

/** Images per chunk when the end of a run reads these columns of a per-image store. */
export function vectorChunkRows(store: AppendStore, columns: readonly string[]): number {
  return Math.max(MIN_CHUNK_ROWS, store.rowsWithin(columns, CHUNK_BYTES));
}
