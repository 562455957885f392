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

/** One image's per-image map numbers, pooled over its group elements: per layer × transform, inv sum, inv count, eqv sum, eqv count. */
export type PooledRow = Float64Array;

/** What `poolImageRows` learns on the way besides the rows. */
export interface PooledRun {
  /** File names in sorted path order. */
  readonly files: string[];
  /** Per `layout.layers` entry: the chance level (Σ null sums / Σ null counts over the null images; NaN without any). */
  readonly chance: { readonly inv: number; readonly eqv: number }[];
}

const columnsRead = (layout: RowLayout) => [FILE_COLUMN, PAIR_COLUMN, SHA256_COLUMN, ...(layout.width > 0 ? [SCORE_COLUMN, NULL_COLUMN] : [])];

/** The stores (shards) that hold per-image map rows of this layout: those `poolImageRows` reads. */
export function storesWithRows(stores: readonly AppendStore[], layout: RowLayout): AppendStore[] {
  const names = columnsRead(layout);
  return stores.filter((store) => names.every((n) => store.columns.some((c) => c.name === n)));
}

/**
 * Reads the per-image map rows of one or more stores (shards) in bounded chunks and hands each
 * image's rows, pooled over its group elements, to `visit` with its place k in sorted path order
 * (the bootstrap's image index, SPEC §4b, §8), so one run and merged shards give the same k. The
 * file names are read first to fix each row's place; rows come in store order. `scores` and
 * `nulls` are reused between calls (null rows are zero outside the null set).
 */
export async function poolImageRows(
  stores: readonly AppendStore[],
  layout: RowLayout,
  visit: (k: number, sha256: string, pair: number, scores: PooledRow, nulls: PooledRow) => void,
): Promise<PooledRun> {
  const names = columnsRead(layout);
  const used = storesWithRows(stores, layout);
  const files: string[] = [];
  for (const store of used) for await (const chunk of store.chunks([FILE_COLUMN], 4096)) for (const f of chunk.values[FILE_COLUMN] as string[]) files.push(f);
  const order = files.map((_, i) => i).sort((a, b) => compareCodeUnits(files[a], files[b]));
  const place = new Int32Array(files.length);
  order.forEach((row, k) => (place[row] = k));
  const width = SLOT_WIDTH * layout.layers.length;
  const scores = new Float64Array(width);
  const nulls = new Float64Array(width);
  const nullTotals = layout.layers.map(() => [0, 0, 0, 0]);
  let row = 0;
  for (const store of used) {
    for await (const chunk of store.chunks(names.slice(1), store.rowsWithin(names.slice(1), CHUNK_BYTES))) {
      const sha = chunk.values[SHA256_COLUMN] as string[];
      const pair = chunk.values[PAIR_COLUMN] as Int32Array;
      const rowScores = chunk.values[SCORE_COLUMN] as Float64Array | undefined;
      const rowNulls = chunk.values[NULL_COLUMN] as Float64Array | undefined;
      for (let i = 0; i < chunk.count; i++, row++) {
        if (rowScores && rowNulls) {
          const base = i * layout.width;
          layout.layers.forEach((slots, l) => {
            // inv sum, inv count, eqv sum, eqv count of one layer's pooled slots
            const s = [0, 0, 0, 0];
            for (const o of slots.offsets.values()) for (let q = 0; q < SLOT_WIDTH; q++) s[q] += rowScores[base + o + q];
            // A null row is NaN outside the null set.
            const z = [0, 0, 0, 0];
            if (!Number.isNaN(rowNulls[base])) for (const o of slots.offsets.values()) for (let q = 0; q < SLOT_WIDTH; q++) z[q] += rowNulls[base + o + q];
            scores.set(s, SLOT_WIDTH * l);
            nulls.set(z, SLOT_WIDTH * l);
            for (let q = 0; q < SLOT_WIDTH; q++) nullTotals[l][q] += z[q];
          });
        }
        visit(place[row], sha[i], pair[i], scores, nulls);
      }
    }
  }
  return {
    files: order.map((i) => files[i]),
    chance: nullTotals.map(([is, ic, es, ec]) => ({ inv: ic > 0 ? is / ic : NaN, eqv: ec > 0 ? es / ec : NaN })),
  };
}

/**
 * The per-image map rows of one or more stores (shards), pooled per layer × transform, in sorted
 * path order (see `poolImageRows`), in memory: 8·(8L + 1) bytes per image for L layer × transform
 * entries. For paired comparisons; a run's own intervals stream them (`mapBootstrap`).
 */
export async function readMapImageSums(stores: readonly AppendStore[], layout: RowLayout): Promise<MapImageSums> {
  const n = storesWithRows(stores, layout).reduce((s, store) => s + store.rows, 0);
  const sha256: string[] = new Array<string>(n);
  const pairs = new Int32Array(n);
  const series = () => ({ inv: { sum: new Float64Array(n), count: new Float64Array(n) }, eqv: { sum: new Float64Array(n), count: new Float64Array(n) } });
  const scores: LayerImageSums[] = layout.layers.map(series);
  const nulls: LayerImageSums[] = layout.layers.map(series);
  const put = (into: LayerImageSums, k: number, v: PooledRow, at: number) => {
    into.inv.sum[k] = v[at];
    into.inv.count[k] = v[at + 1];
    into.eqv.sum[k] = v[at + 2];
    into.eqv.count[k] = v[at + 3];
  };
  const { files, chance } = await poolImageRows(stores, layout, (k, sha, pair, rowScores, rowNulls) => {
    sha256[k] = sha;
    pairs[k] = pair;
    for (let l = 0; l < layout.layers.length; l++) {
      put(scores[l], k, rowScores, SLOT_WIDTH * l);
      put(nulls[l], k, rowNulls, SLOT_WIDTH * l);
    }
  });
  return { files, sha256, scores, nulls, pairs, chance };
}
