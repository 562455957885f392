import { compareCodeUnits } from '../images/files.js';
import type { PerImageSums } from '../stats/bootstrap.js';
import { SLOT_WIDTH, type RowLayout } from '../stats/per-image.js';
import type { AppendStore } from '../store/append-store.js';
import { NULL_COLUMN, SCORE_COLUMN, SHA256_COLUMN } from './batch.js';
import { FILE_COLUMN, PAIR_COLUMN } from './run-state.js';

/** Per-image sums of one layer × transform, pooled over its group elements. */
export interface LayerImageSums {
  readonly inv: PerImageSums;
  readonly eqv: PerImageSums;
}

/** The per-image map rows of a run (SPEC §4b), pooled per layer × transform, in sorted image order. */
export interface MapImageSums {
  readonly files: string[];
  readonly sha256: string[];
  /** Per `layout.layers` entry: per-image sums of the scores. */
  readonly scores: LayerImageSums[];
  /** Per `layout.layers` entry: the chance level (Σ null sums / Σ null counts over the null images; NaN without any). */
  readonly chance: { readonly inv: number; readonly eqv: number }[];
  /** Per `layout.layers` entry: per-image sums of the null scores (zero outside the null set). */
  readonly nulls: LayerImageSums[];
  /** Each image's null pair k (the unit null replicates resample). */
  readonly pairs: Int32Array;
}

const CHUNK_BYTES = 16 * 2 ** 20;

/**
 * Reads the per-image map rows of one or more stores (shards) in bounded chunks, pools each
 * image's group elements per layer × transform, and puts images in sorted path order (the
 * bootstrap's image index k, SPEC §4b, §8), so one run and merged shards give the same arrays.
 */
export async function readMapImageSums(stores: readonly AppendStore[], layout: RowLayout): Promise<MapImageSums> {
  const files: string[] = [];
  const sha256: string[] = [];
  const pairs: number[] = [];
  const pooled: number[][] = layout.layers.map(() => []); // 4 per image: inv sum, inv count, eqv sum, eqv count
  const pooledNull: number[][] = layout.layers.map(() => []);
  const nullTotals = layout.layers.map(() => [0, 0, 0, 0]);
  const withRows = layout.width > 0;
  for (const store of stores) {
    const names = [FILE_COLUMN, PAIR_COLUMN, SHA256_COLUMN, ...(withRows ? [SCORE_COLUMN, NULL_COLUMN] : [])];
    if (!names.every((n) => store.columns.some((c) => c.name === n))) continue;
    for await (const chunk of store.chunks(names, store.rowsWithin(names, CHUNK_BYTES))) {
      files.push(...(chunk.values[FILE_COLUMN] as string[]));
      sha256.push(...(chunk.values[SHA256_COLUMN] as string[]));
      pairs.push(...(chunk.values[PAIR_COLUMN] as Int32Array));
      if (!withRows) continue;
      const scores = chunk.values[SCORE_COLUMN] as Float64Array;
      const nulls = chunk.values[NULL_COLUMN] as Float64Array;
      for (let i = 0; i < chunk.count; i++) {
        const base = i * layout.width;
        layout.layers.forEach((slots, l) => {
          const s = [0, 0, 0, 0];
          for (const o of slots.offsets.values()) for (let q = 0; q < SLOT_WIDTH; q++) s[q] += scores[base + o + q];
          pooled[l].push(...s);
          // A null row is NaN outside the null set.
          const z = [0, 0, 0, 0];
          if (!Number.isNaN(nulls[base])) for (const o of slots.offsets.values()) for (let q = 0; q < SLOT_WIDTH; q++) z[q] += nulls[base + o + q];
          pooledNull[l].push(...z);
          for (let q = 0; q < SLOT_WIDTH; q++) nullTotals[l][q] += z[q];
        });
      }
    }
  }
  const order = files.map((_, i) => i).sort((a, b) => compareCodeUnits(files[a], files[b]));
  const column = (values: number[], q: number) => Float64Array.from(order, (i) => values[4 * i + q] ?? 0);
  return {
    files: order.map((i) => files[i]),
    sha256: order.map((i) => sha256[i]),
    scores: pooled.map((v) => ({ inv: { sum: column(v, 0), count: column(v, 1) }, eqv: { sum: column(v, 2), count: column(v, 3) } })),
    nulls: pooledNull.map((v) => ({ inv: { sum: column(v, 0), count: column(v, 1) }, eqv: { sum: column(v, 2), count: column(v, 3) } })),
    pairs: Int32Array.from(order, (i) => pairs[i]),
    chance: nullTotals.map(([is, ic, es, ec]) => ({ inv: ic > 0 ? is / ic : NaN, eqv: ec > 0 ? es / ec : NaN })),
  };
}
