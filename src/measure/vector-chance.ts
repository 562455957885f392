import { addRowStats, addCoMomentScores, emptyCoMoments, mergeCoMoments, type CoMoments, type CrossProduct } from '../scores/co-moments.js';
import { addRowScores } from '../scores/row-scores.js';
import { addLeaveOutScores, leaveOutSets } from '../scores/leave-out-scores.js';
import { emptySums, mergeSums, type ScoreSums } from '../scores/sums.js';
import type { AppendStore } from '../store/append-store.js';
import { JACKKNIFE_BLOCKS } from '../stats/jackknife.js';
import { blockMomentsId, nullMomentsId } from '../scores/keys.js';
import { vectorChunkRows, type ElementColumns } from './vectors.js';
import { PairOrderedRows } from './pair-ordered-rows.js';

/**
 * Vector layers' intervals and chance level (SPEC §4b) from co-moments: the delete-one-block
 * jackknife needs the statistics of each of the 20 blocks (a leave-one-out estimate merges the
 * other 19), and the null the co-moments of v′_c(x_j) with v_c′(x_partner(j)) over the paired j.
 * Probes kept as co-moments accumulate these per batch (ids `nullMomentsId`, `blockMomentsId` next
 * to the element's own); probes kept per image build them from the store at the end.
 */

/**
 * Jackknife block of null pair k (SPEC §4b): block j holds pairs ⌊jP/20⌋ … ⌊(j+1)P/20⌋ − 1 of the
 * run's P = ⌊N/2⌋ pairs; the unpaired last image (k = P) goes with the last block.
 */
export function blockOfPair(k: number, pairs: number): number {
  let block = 0;
  for (let j = 1; j < JACKKNIFE_BLOCKS; j++) if (Math.floor((j * pairs) / JACKKNIFE_BLOCKS) <= k) block = j;
  return block;
}

/** One element's vector statistics for intervals and null: sums of the null scores and, per left-out block, of the scores without it. */
export interface ElementChance {
  readonly null: { inv: ScoreSums; eqv: ScoreSums };
  readonly leaveOut: { inv: ScoreSums; eqv: ScoreSums }[];
  /**
   * The element's own scores over all images, where they came for free: a large run kept per image
   * merges its 20 blocks' co-moments into the whole run's, so the end reads its rows twice, not three times.
   */
  readonly point?: { inv: ScoreSums; eqv: ScoreSums };
}

function scoresOf(m: CoMoments): { inv: ScoreSums; eqv: ScoreSums } {
  const s = { inv: emptySums(), eqv: emptySums() };
  if (m.n >= 3) addCoMomentScores(m, s.inv, s.eqv);
  return s;
}

function add(to: { inv: ScoreSums; eqv: ScoreSums }, s: { inv: ScoreSums; eqv: ScoreSums }): void {
  mergeSums(to.inv, s.inv);
  mergeSums(to.eqv, s.eqv);
}

/** Null and leave-out sums with nothing added yet. */
export function emptyChance(): ElementChance {
  return { null: { inv: emptySums(), eqv: emptySums() }, leaveOut: Array.from({ length: JACKKNIFE_BLOCKS }, () => ({ inv: emptySums(), eqv: emptySums() })) };
}

/** Adds one element's null and leave-out sums into `into` (a transform pools its elements). */
export function mergeChance(into: ElementChance, chance: ElementChance): void {
  add(into.null, chance.null);
  chance.leaveOut.forEach((s, j) => add(into.leaveOut[j], s));
}

/**
 * An element of a probe kept as co-moments: from the state's null and block co-moments. The
 * blocks' crosses, each about its own means, are moved to the run's means (C + n_b δa δbᵀ, δ the
 * block's means less the run's) for `addLeaveOutScores`.
 */
export function chanceFromState(moments: Readonly<Record<string, CoMoments>>, id: string): ElementChance {
  const out = emptyChance();
  const nullM = moments[nullMomentsId(id)];
  const blocks = Array.from({ length: JACKKNIFE_BLOCKS }, (_, b) => moments[blockMomentsId(id, b)]);
  add(out.null, scoresOf(nullM));
  const { k, centred } = nullM;
  const whole = emptyCoMoments(k, centred, 0, 0);
  for (const block of blocks) mergeCoMoments(whole, block);
  const crosses = blocks.map((block) => {
    const cross = block.cross.slice();
    moveCentre(cross, block, whole, 0, k, 1);
    return cross;
  });
  const crossesAbout = { k, from: 0, to: k, centreA: whole.meanA, centreB: whole.meanB, blocks: crosses };
  addLeaveOutScores(crossesAbout, out.leaveOut, leaveOutSets(blocks), new Float64Array(k * k));
  return out;
}

/**
 * Bytes a large run's element holds at once at its end, whatever N: one a-side tile's cross
 * co-moments (20 blocks, their sum, the null), its product's output (onnxruntime's and the copy it
 * returns) and the product's inputs, as many rows as the run's blocks fill (`endTile`). 288 MiB
 * keeps a 2048-wide layer (ResNet-50's Pool) at 3 tiles when its blocks are small and gives it 4
 * once they fill products of 1,024 rows, so the end of a 50,000-image run holds no more than that of
 * a 1,000-image one.
 */
const END_BYTES = 288 * 2 ** 20;
/** Most bytes of v rows per product at the end of a large run (an even number of rows, so pairs stay together). */
const PRODUCT_BYTES = 32 * 2 ** 20;
/**
 * Most rows per product: onnxruntime's float64 Gemm is as fast at 1,024 rows as at 2,048
 * (`node dist-bench/bench/product-rows.js`, two busy cores: 31–40 GFLOP/s at K = 2048, 26–39 at
 * K = 1000), and the inputs of a large run's products fill up to this many rows at most, whatever N.
 */
const PRODUCT_MAX_ROWS = 1024;
/**
 * Most images for which the leave-one-block-out sets are scored from their rows (`addRowScores`:
 * 20 products of about 19N/20 rows, ≈ 19·N·K² multiply-adds in onnxruntime) rather than from the
 * blocks' co-moments (`addLeaveOutScores`: one pass over 20 × K² values, the same at any N).
 * `node dist-bench/bench/leave-out.js 2048 <threads>` times one set both ways.
 */
export const DIRECT_LEAVE_OUT_MAX_IMAGES = 256;

/**
 * An element of a probe kept per image. Runs of at most `DIRECT_LEAVE_OUT_MAX_IMAGES` images: one
 * pass over the rows, holding them; the null and each block's complement are scored from their
 * rows (`addRowScores`). Larger runs (`fromPairOrderedRows`): two passes over the store, then one
 * over a scratch copy per a-side tile; the element's own scores (`point`) come with them.
 *
 * @param columns - the store columns of v′ (this element) and v (original), and of the file and pair
 * @param options - `direct`: whether to score from the rows (default: by the number of images);
 *   `tile`: a-side channels per pass over the rows of a large run (default: `endTile`, within
 *   `END_BYTES`); `productBytes`: most bytes of v rows per product of a large
 *   run (default `PRODUCT_BYTES`)
 */
export async function chanceFromRows(
  stores: readonly AppendStore[],
  columns: ElementColumns,
  k: number,
  centred: boolean,
  pairs: number,
  product: CrossProduct,
  options: { readonly direct?: boolean; readonly tile?: number; readonly productBytes?: number } = {},
): Promise<ElementChance> {
  const {
    direct = 2 * pairs + 1 <= DIRECT_LEAVE_OUT_MAX_IMAGES,
    productBytes = PRODUCT_BYTES,
    tile = endTile(k, Math.min(productRows(k, productBytes), blockRows(pairs))),
  } = options;
  if (!direct) return fromPairOrderedRows(stores, columns, k, centred, pairs, product, tile, productBytes);
  const out = emptyChance();
  const blocks = Array.from({ length: JACKKNIFE_BLOCKS }, () => ({ a: [] as Float32Array[], b: [] as Float32Array[], n: 0 }));
  const nullRows = { a: [] as Float32Array[], b: [] as Float32Array[], n: 0 };
  for await (const chunk of chunksOf(stores, columns, k, pairs)) {
    for (const [j, rows] of chunk.blocks) push(blocks[j], rows);
    push(nullRows, chunk.null);
  }
  await addRowScores(join(nullRows.a), join(nullRows.b), nullRows.n, k, centred, product, out.null.inv, out.null.eqv);
  for (let j = 0; j < JACKKNIFE_BLOCKS; j++) {
    const rest = blocks.filter((_, i) => i !== j);
    const n = rest.reduce((sum, r) => sum + r.n, 0);
    await addRowScores(join(rest.flatMap((r) => r.a)), join(rest.flatMap((r) => r.b)), n, k, centred, product, out.leaveOut[j].inv, out.leaveOut[j].eqv);
  }
  return out;
}

/** Rows of one product at the end of a large run: an even number (pairs stay together), at most `PRODUCT_MAX_ROWS` and `productBytes` of v rows. */
function productRows(k: number, productBytes: number): number {
  return Math.max(2, Math.min(PRODUCT_MAX_ROWS, 2 * Math.floor(productBytes / (16 * k))));
}

/** Most positions of one jackknife block of `pairs` null pairs (the last one also holds the unpaired image). */
function blockRows(pairs: number): number {
  return 2 * Math.ceil(pairs / JACKKNIFE_BLOCKS) + 1;
}

/**
 * A-side channels per tile at the end of a large run: the widest tile whose crosses, product output
 * and inputs (`rows` per product) fit `END_BYTES`, then narrowed so that the tiles are even (the
 * same number of passes over the rows, less memory). Pure, for tests.
 */
export function endTile(k: number, rows: number, bytes = END_BYTES): number {
  // Per a-side channel: 22 rows of crosses and two copies of the product's 2 output rows, all K wide,
  // and 3 input values per product row (its v′ and its partner's); plus the product's v rows.
  const perChannel = ((JACKKNIFE_BLOCKS + 2) + 2 * 2) * k + 3 * rows;
  const widest = Math.max(1, Math.min(k, Math.floor((bytes / 8 - rows * k) / perChannel)));
  return Math.ceil(k / Math.ceil(k / widest));
}

/** Images the stores hold of each null pair k = 0 … P (0, 1 or 2; the unpaired image k = P: 0 or 1). */
async function measuredPerPair(stores: readonly AppendStore[], pairColumn: string, pairs: number): Promise<Uint8Array> {
  const measured = new Uint8Array(pairs + 1);
  for (const store of stores) for await (const chunk of store.chunks([pairColumn], 65536)) for (const p of chunk.values[pairColumn] as Int32Array) measured[p]++;
  return measured;
}

/** Bytes of per-image rows read per chunk for the blocks' means and sums of squares. */
const STATS_CHUNK_BYTES = 4 * 2 ** 20;

/**
 * Means and sums of squares (no crosses) of each jackknife block's rows and of the null's (the rows
 * whose partner was measured too: v′ of those images, and v of their partners, the same images).
 *
 * @param measured - images stored per null pair (`measuredPerPair`)
 */
async function rowStatistics(
  stores: readonly AppendStore[],
  columns: ElementColumns,
  k: number,
  centred: boolean,
  pairs: number,
  measured: Uint8Array,
): Promise<{ blocks: CoMoments[]; null: CoMoments }> {
  const blocks = Array.from({ length: JACKKNIFE_BLOCKS }, () => emptyCoMoments(k, centred, 0, 0));
  const nullM = emptyCoMoments(k, centred, 0, 0);
  const names = [columns.moved, columns.original, columns.pair];
  for (const store of stores) {
    for await (const chunk of store.chunks(names, Math.max(2, store.rowsWithin(names, STATS_CHUNK_BYTES)))) {
      const [a, b, pair] = [chunk.values[columns.moved] as Float32Array, chunk.values[columns.original] as Float32Array, chunk.values[columns.pair] as Int32Array];
      const byBlock: number[][] = Array.from({ length: JACKKNIFE_BLOCKS }, () => []);
      const paired: number[] = [];
      pair.forEach((p, i) => {
        byBlock[blockOfPair(p, pairs)].push(i);
        if (p < pairs && measured[p] === 2) paired.push(i);
      });
      byBlock.forEach((rows, j) => addRowStats(blocks[j], a, b, rows));
      addRowStats(nullM, a, b, paired);
    }
  }
  return { blocks, null: nullM };
}

/**
 * A large run's element. The rows are centred on the run's means and written in null-pair order
 * (`PairOrderedRows`); then per a-side tile, each block's rows go to onnxruntime as one product
 * [A | A_partner]ᵀ B (a few products per block when its rows exceed `PRODUCT_BYTES` or `PRODUCT_MAX_ROWS`), giving the
 * block's crosses and its share of the null's, all about the run's means. The whole run's crosses
 * are their sum; the null's are moved to its own means (C − n δa δbᵀ); the leave-out sets are
 * scored by `addLeaveOutScores`. Two-pass centring keeps vectors whose mean is far above their
 * spread exact, as Chan's update does for co-moments kept batch by batch.
 */
async function fromPairOrderedRows(
  stores: readonly AppendStore[],
  columns: ElementColumns,
  k: number,
  centred: boolean,
  pairs: number,
  product: CrossProduct,
  tile: number,
  productBytes: number,
): Promise<ElementChance> {
  const out = emptyChance();
  const measured = await measuredPerPair(stores, columns.pair, pairs);
  const stats = await rowStatistics(stores, columns, k, centred, pairs, measured);
  const whole = emptyCoMoments(k, centred, 0, 0);
  for (const block of stats.blocks) mergeCoMoments(whole, block);
  const sets = leaveOutSets(stats.blocks);
  const point = { inv: emptySums(), eqv: emptySums() };
  const rows = await PairOrderedRows.write(stores, columns, k, { a: whole.meanA, b: whole.meanB }, measured, tile);
  try {
    // Block j holds pairs ⌊jP/20⌋ … ⌊(j+1)P/20⌋ − 1; the last block also the unpaired image.
    const starts = Array.from({ length: JACKKNIFE_BLOCKS + 1 }, (_, j) => (j === JACKKNIFE_BLOCKS ? rows.positions : rows.positionOf(Math.floor((j * pairs) / JACKKNIFE_BLOCKS))));
    const step = productRows(k, productBytes);
    // One buffer for every tile's crosses in turn (20 blocks, their sum and the null's), and one for each product's inputs.
    const held = new Float64Array((JACKKNIFE_BLOCKS + 2) * tile * k);
    const [aRows, bRows, leftRows] = [new Float64Array(step * tile), new Float64Array(step * k), new Float64Array(step * 2 * tile)];
    for (let from = 0; from < k; from += tile) {
      const to = Math.min(k, from + tile);
      const t = to - from;
      const cross = (i: number) => held.subarray(i * tile * k, (i * tile + t) * k);
      const blocks = Array.from({ length: JACKKNIFE_BLOCKS }, (_, j) => cross(j));
      const total = cross(JACKKNIFE_BLOCKS);
      const nullCross = cross(JACKKNIFE_BLOCKS + 1).fill(0);
      for (let j = 0; j < JACKKNIFE_BLOCKS; j++) {
        // A block of one product (most runs) takes it as it is; others sum theirs, or stay zero.
        const rowsOf = starts[j + 1] - starts[j];
        const single = rowsOf > 0 && rowsOf <= step;
        if (!single) blocks[j].fill(0);
        for (let start = starts[j]; start < starts[j + 1]; start += step) {
          const count = Math.min(step, starts[j + 1] - start);
          const a = await rows.readA(from, to, start, count, aRows);
          // Each row's own v′ then its partner's: the product's second t rows are the null's Σ v′(x_partner(i)) v(x_i)ᵀ.
          // (A partner never measured, or the unpaired image's, is a zero row: it adds nothing.)
          const left = leftRows.subarray(0, count * 2 * t).fill(0);
          for (let i = 0; i < count; i++) {
            left.set(a.subarray(i * t, (i + 1) * t), i * 2 * t);
            if (start + i < rows.positionOf(pairs)) left.set(a.subarray((i ^ 1) * t, ((i ^ 1) + 1) * t), i * 2 * t + t);
          }
          const products = await product(left, await rows.readB(start, count, bRows), count, 2 * t, k);
          if (single) blocks[j].set(products.subarray(0, t * k));
          else addInto(blocks[j], products.subarray(0, t * k));
          addInto(nullCross, products.subarray(t * k));
        }
      }
      addLeaveOutScores({ k, from, to, centreA: whole.meanA, centreB: whole.meanB, blocks }, out.leaveOut, sets, total);
      add(point, scoresOf({ ...whole, from, to, cross: total }));
      moveCentre(nullCross, stats.null, whole, from, to, -1);
      add(out.null, scoresOf({ ...stats.null, from, to, cross: nullCross }));
    }
  } finally {
    await rows.remove();
  }
  return { ...out, point };
}

/**
 * Moves cross co-moments of a set of n images between two centres: adds sign · n (μa − ma)(μb − mb)ᵀ
 * for a-side rows [from, to), μ the set's means, m the other centre's (`centre.meanA/meanB`).
 * About its own means → about m: sign +1; about m → about its own means: −1.
 */
function moveCentre(cross: Float64Array, set: Pick<CoMoments, 'n' | 'meanA' | 'meanB'>, centre: Pick<CoMoments, 'meanA' | 'meanB'>, from: number, to: number, sign: 1 | -1): void {
  const k = set.meanB.length;
  for (let c = from; c < to; c++) {
    const da = sign * set.n * (set.meanA[c] - centre.meanA[c]);
    for (let c2 = 0; c2 < k; c2++) cross[(c - from) * k + c2] += da * (set.meanB[c2] - centre.meanB[c2]);
  }
}

function addInto(into: Float64Array, values: Float64Array): void {
  for (let i = 0; i < values.length; i++) into[i] += values[i];
}

/** n rows of v′ (`a`) and the v rows they are compared with (`b`), n × K each. */
interface Rows {
  readonly a: Float32Array;
  readonly b: Float32Array;
  readonly n: number;
}

function push(into: { a: Float32Array[]; b: Float32Array[]; n: number }, rows: Rows): void {
  into.a.push(rows.a);
  into.b.push(rows.b);
  into.n += rows.n;
}

/**
 * The element's rows chunk by chunk: by jackknife block, and the null's (each pair's v′ rows with
 * its partner's v rows, both directions; a pair is adjacent rows of one pair k, as runs and merges
 * write them).
 */
async function* chunksOf(
  stores: readonly AppendStore[],
  columns: ElementColumns,
  k: number,
  pairs: number,
): AsyncGenerator<{ blocks: Map<number, Rows>; null: Rows }> {
  const names = [columns.moved, columns.original, columns.pair];
  for (const store of stores) {
    // A pair cut by a chunk boundary: its first row waits for the next chunk.
    let held: { a: Float32Array; b: Float32Array; k: number } | null = null;
    for await (const chunk of store.chunks(names, vectorChunkRows(store, names))) {
      const a = chunk.values[columns.moved] as Float32Array;
      const b = chunk.values[columns.original] as Float32Array;
      const pair = chunk.values[columns.pair] as Int32Array;
      const byBlock = new Map<number, number[]>();
      for (let i = 0; i < chunk.count; i++) byBlock.set(blockOfPair(pair[i], pairs), [...(byBlock.get(blockOfPair(pair[i], pairs)) ?? []), i]);
      const blocks = new Map([...byBlock].map(([j, rows]) => [j, { a: gather(a, rows, k), b: gather(b, rows, k), n: rows.length }]));
      const nullA: Float32Array[] = [];
      const nullB: Float32Array[] = [];
      for (let i = 0; i < chunk.count; i++) {
        const row = { a: a.subarray(i * k, (i + 1) * k), b: b.subarray(i * k, (i + 1) * k), k: pair[i] };
        if (held && held.k === row.k) {
          nullA.push(held.a, row.a);
          nullB.push(row.b, held.b);
          held = null;
        } else held = { a: Float32Array.from(row.a), b: Float32Array.from(row.b), k: row.k };
      }
      yield { blocks, null: { a: join(nullA), b: join(nullB), n: nullA.length } };
    }
  }
}

function gather(values: Float32Array, rows: readonly number[], k: number): Float32Array {
  const out = new Float32Array(rows.length * k);
  rows.forEach((r, j) => out.set(values.subarray(r * k, (r + 1) * k), j * k));
  return out;
}

/** Parts of whole rows, one after another. */
function join(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
