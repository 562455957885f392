import { addChunk, addCoMomentScores, emptyCoMoments, mergeCoMoments, type CoMoments, type CrossProduct } from '../scores/co-moments.js';
import { addRowScores } from '../scores/row-scores.js';
import { addLeaveOutScores, leaveOutSets, type LeaveOutSets } from '../scores/leave-out-scores.js';
import { emptySums, mergeSums, type ScoreSums } from '../scores/sums.js';
import type { AppendStore } from '../store/append-store.js';
import { JACKKNIFE_BLOCKS } from '../stats/jackknife.js';
import { blockMomentsId, nullMomentsId } from '../scores/keys.js';
import { vectorChunkRows } from './vectors.js';

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
 * An element of a probe kept as co-moments: from the state's null and block co-moments (the
 * leave-out sets' K×K part in onnxruntime, `product.leaveOut`).
 */
export async function chanceFromState(moments: Readonly<Record<string, CoMoments>>, id: string, product: CrossProduct): Promise<ElementChance> {
  const out = emptyChance();
  await fromBlocks(moments[nullMomentsId(id)], Array.from({ length: JACKKNIFE_BLOCKS }, (_, b) => moments[blockMomentsId(id, b)]), product, out);
  return out;
}

/**
 * Null and leave-out scores of one a-side tile from its co-moments, the K×K part by
 * `product.leaveOut` (`CrossProducts.product` has it; a bare product cannot score large runs).
 *
 * @param sets - the leave-out sets' statistics of an earlier tile of the same blocks, if any
 * @returns those statistics, for the next tile
 */
async function fromBlocks(nullM: CoMoments, blocks: readonly CoMoments[], product: CrossProduct, into: ElementChance, sets?: LeaveOutSets): Promise<LeaveOutSets> {
  if (!product.leaveOut) throw new Error('vector jackknife: the cross product has no leave-out graph (use CrossProducts.product)');
  add(into.null, scoresOf(nullM));
  const shared = sets ?? leaveOutSets(blocks);
  await addLeaveOutScores(blocks, product.leaveOut, into.leaveOut, shared);
  return shared;
}

/** Bytes of co-moments held at once while building a probe's from the store: 21 per a-side tile. */
const HELD_BYTES = 128 * 2 ** 20;
/**
 * Most images for which the leave-one-block-out sets are scored from their rows (`addRowScores`:
 * 20 products of about 19N/20 rows, ≈ 19·N·K² multiply-adds in onnxruntime) rather than from the
 * blocks' co-moments (`addLeaveOutScores`: about a dozen float64 passes over 20 × K² in
 * onnxruntime, the same at any N). `node dist-bench/bench/leave-out.js 2048 <threads>` times one
 * set both ways; on this 2-core machine, 2026-11-30 00:45–00:55 UTC under load average 10–15,
 * they were equal at N ≈ 250 and 190 (2 threads) and 220 and 200 (1 thread).
 */
export const DIRECT_LEAVE_OUT_MAX_IMAGES = 256;

/**
 * An element of a probe kept per image. Runs of at most `DIRECT_LEAVE_OUT_MAX_IMAGES` images: one
 * pass over the rows, holding them; the null and each block's complement are scored from their
 * rows (`addRowScores`). Larger runs: one pass per a-side tile, adding each row to its block's
 * co-moments and each pair to the null's, scored by `fromBlocks`; the element's own scores
 * (`point`) come from the blocks merged.
 *
 * @param columns - the store columns of v′ (this element) and v (original), and of the file and pair
 * @param direct - whether to score from the rows (default: by the number of images)
 * @param tile - a-side channels per pass over the rows of a large run (default: as many as
 *   `HELD_BYTES` of co-moments allow)
 */
export async function chanceFromRows(
  stores: readonly AppendStore[],
  columns: { readonly moved: string; readonly original: string; readonly pair: string },
  k: number,
  centred: boolean,
  pairs: number,
  product: CrossProduct,
  direct = 2 * pairs + 1 <= DIRECT_LEAVE_OUT_MAX_IMAGES,
  tile = Math.max(1, Math.min(k, Math.floor(HELD_BYTES / ((JACKKNIFE_BLOCKS + 1) * 8 * k)))),
): Promise<ElementChance> {
  const out = emptyChance();
  if (direct) {
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
  // One buffer for the 21 co-moments of every tile in turn.
  const held = new Float64Array((JACKKNIFE_BLOCKS + 1) * tile * k);
  const point = { inv: emptySums(), eqv: emptySums() };
  let sets: LeaveOutSets | undefined;
  for (let from = 0; from < k; from += tile) {
    const to = Math.min(k, from + tile);
    const cross = (i: number) => held.subarray(i * tile * k, (i * tile + to - from) * k);
    const nullM = emptyCoMoments(k, centred, from, to, cross(JACKKNIFE_BLOCKS));
    const blocks = Array.from({ length: JACKKNIFE_BLOCKS }, (_, j) => emptyCoMoments(k, centred, from, to, cross(j)));
    for await (const chunk of chunksOf(stores, columns, k, pairs)) {
      for (const [j, rows] of chunk.blocks) await addChunk(blocks[j], rows.a, rows.b, rows.n, product);
      await addChunk(nullM, chunk.null.a, chunk.null.b, chunk.null.n, product);
    }
    sets = await fromBlocks(nullM, blocks, product, out, sets);
    // Every row is in one block, so the blocks merged (into block 0, no longer needed) are the whole run's co-moments.
    for (let j = 1; j < JACKKNIFE_BLOCKS; j++) mergeCoMoments(blocks[0], blocks[j]);
    add(point, scoresOf(blocks[0]));
  }
  return { ...out, point };
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
  columns: { readonly moved: string; readonly original: string; readonly pair: string },
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
