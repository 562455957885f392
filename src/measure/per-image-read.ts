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
 * The file names are read first to fix each row's place, then the rows are pooled straight into
 * arrays of the final size: 8·(8L + 1) bytes per image for L layer × transform entries, and the
 * chunk being read.
 */
export async function readMapImageSums(stores: readonly AppendStore[], layout: RowLayout): Promise<MapImageSums> {
  const withRows = layout.width > 0;
  const names = [FILE_COLUMN, PAIR_COLUMN, SHA256_COLUMN, ...(withRows ? [SCORE_COLUMN, NULL_COLUMN] : [])];
  const used = stores.filter((store) => names.every((n) => store.columns.some((c) => c.name === n)));
  const files: string[] = [];
  for (const store of used) for await (const chunk of store.chunks([FILE_COLUMN], 4096)) for (const f of chunk.values[FILE_COLUMN] as string[]) files.push(f);
  const n = files.length;
  const order = files.map((_, i) => i).sort((a, b) => compareCodeUnits(files[a], files[b]));
  const place = new Int32Array(n);
  order.forEach((row, k) => (place[row] = k));
  const sha256: string[] = new Array<string>(n);
  const pairs = new Int32Array(n);
  const series = () => ({ inv: { sum: new Float64Array(n), count: new Float64Array(n) }, eqv: { sum: new Float64Array(n), count: new Float64Array(n) } });
  const scores: LayerImageSums[] = layout.layers.map(series);
  const nulls: LayerImageSums[] = layout.layers.map(series);
  const nullTotals = layout.layers.map(() => [0, 0, 0, 0]);
  // inv sum, inv count, eqv sum, eqv count of one layer's pooled slots
  const put = (into: LayerImageSums, k: number, v: readonly number[]) => {
    into.inv.sum[k] = v[0];
    into.inv.count[k] = v[1];
    into.eqv.sum[k] = v[2];
    into.eqv.count[k] = v[3];
  };
  let row = 0;
  for (const store of used) {
    for await (const chunk of store.chunks(names.slice(1), store.rowsWithin(names.slice(1), CHUNK_BYTES))) {
      const sha = chunk.values[SHA256_COLUMN] as string[];
      const pair = chunk.values[PAIR_COLUMN] as Int32Array;
      const rowScores = chunk.values[SCORE_COLUMN] as Float64Array | undefined;
      const rowNulls = chunk.values[NULL_COLUMN] as Float64Array | undefined;
      for (let i = 0; i < chunk.count; i++, row++) {
        const k = place[row];
        sha256[k] = sha[i];
        pairs[k] = pair[i];
        if (!rowScores || !rowNulls) continue;
        const base = i * layout.width;
        layout.layers.forEach((slots, l) => {
          const s = [0, 0, 0, 0];
          for (const o of slots.offsets.values()) for (let q = 0; q < SLOT_WIDTH; q++) s[q] += rowScores[base + o + q];
          put(scores[l], k, s);
          // A null row is NaN outside the null set.
          const z = [0, 0, 0, 0];
          if (!Number.isNaN(rowNulls[base])) for (const o of slots.offsets.values()) for (let q = 0; q < SLOT_WIDTH; q++) z[q] += rowNulls[base + o + q];
          put(nulls[l], k, z);
          for (let q = 0; q < SLOT_WIDTH; q++) nullTotals[l][q] += z[q];
        });
      }
    }
  }
  return {
    files: order.map((i) => files[i]),
    sha256,
    scores,
    nulls,
    pairs,
    chance: nullTotals.map(([is, ic, es, ec]) => ({ inv: ic > 0 ? is / ic : NaN, eqv: ec > 0 ? es / ec : NaN })),
  };
}
