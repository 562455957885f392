import { addChunk, addCoMomentScores, copyCoMoments, emptyCoMoments, mergeCoMoments, type CoMoments, type CrossProduct } from '../scores/co-moments.js';
import { addRowScores } from '../scores/complement-scores.js';
import { emptySums, mergeSums, type ScoreSums } from '../scores/sums.js';
import type { AppendStore } from '../store/append-store.js';
import { JACKKNIFE_BLOCKS } from '../stats/jackknife.js';
import { blockMomentsId, nullMomentsId } from '../scores/keys.js';

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
}

function scoresOf(m: CoMoments): { inv: ScoreSums; eqv: ScoreSums } {
  const s = { inv: emptySums(), eqv: emptySums() };
  if (m.n >= 3) addCoMomentScores(m, s.inv, s.eqv);
  return s;
}

function addTo(to: { inv: ScoreSums; eqv: ScoreSums }, s: { inv: ScoreSums; eqv: ScoreSums }): void {
  mergeSums(to.inv, s.inv);
  mergeSums(to.eqv, s.eqv);
}

/** From the null co-moments and the 20 block co-moments of one a-side tile. */
function fromMoments(nullM: CoMoments, blocks: readonly CoMoments[], into: ElementChance): void {
  addTo(into.null, scoresOf(nullM));
  leaveOneOut(blocks, emptyCoMoments(nullM.k, nullM.centred, nullM.from, nullM.to), (j, rest) => addTo(into.leaveOut[j], scoresOf(rest)));
}

/**
 * Calls `visit` with each block's complement (every other block merged), built by halves: the
 * complement of a block in one half is the other half merged into the complement of its own half,
 * so B blocks take about B·log₂B merges instead of B·(B − 1) (20 blocks: 88 instead of 380, each
 * a pass over the K×K co-moments), and at most log₂B partial merges are held at once.
 *
 * @param outside - the merge of every block outside `blocks[lo, hi)` (an empty start)
 */
function leaveOneOut(blocks: readonly CoMoments[], outside: CoMoments, visit: (j: number, rest: CoMoments) => void, lo = 0, hi = blocks.length): void {
  if (hi - lo === 1) {
    visit(lo, outside);
    return;
  }
  const mid = (lo + hi) >> 1;
  const plus = (from: number, to: number) => {
    const merged = copyCoMoments(outside);
    for (let i = from; i < to; i++) if (blocks[i].n > 0) mergeCoMoments(merged, blocks[i]);
    return merged;
  };
  leaveOneOut(blocks, plus(mid, hi), visit, lo, mid);
  leaveOneOut(blocks, plus(lo, mid), visit, mid, hi);
}

function emptyChance(): ElementChance {
  return { null: { inv: emptySums(), eqv: emptySums() }, leaveOut: Array.from({ length: JACKKNIFE_BLOCKS }, () => ({ inv: emptySums(), eqv: emptySums() })) };
}

/** An element of a probe kept as co-moments: from the state's null and block co-moments. */
export function chanceFromState(moments: Readonly<Record<string, CoMoments>>, id: string): ElementChance {
  const out = emptyChance();
  fromMoments(moments[nullMomentsId(id)], Array.from({ length: JACKKNIFE_BLOCKS }, (_, b) => moments[blockMomentsId(id, b)]), out);
  return out;
}

/** Bytes of co-moments held at once while building a probe's from the store: 21 per a-side tile. */
const HELD_BYTES = 128 * 2 ** 20;
const CHUNK_BYTES = 16 * 2 ** 20;

/**
 * Most images for which the leave-one-block-out scores are computed from each set's rows
 * (`addRowScores`: 20 products of about 19N/20 rows, ≈ 19·N·K² multiply-adds in onnxruntime)
 * instead of from merged block co-moments (88 Chan merges and 20 scorings of K×K in JavaScript, at
 * any N). Measured 2026-11-30 on this 2-core machine (loaded, 2 threads), K = 2048: onnxruntime's
 * float64 product with its row maximum took 26 ms at 30 rows (4.8 G multiply-adds/s), 41 ms at
 * 120 and 94 ms at 250 (11–12 G/s); a merge 22 ms (186 M entries/s) and a scoring 20 ms. Per
 * leave-out set that is ≈ 0.09·N ms directly against ≈ 117 ms by merges, equal near N ≈ 300:
 * above 256 the merges are kept.
 */
export const DIRECT_LEAVE_OUT_MAX_IMAGES = 256;

/**
 * An element of a probe kept per image: one pass over each store's rows per a-side tile, adding
 * each row to its block's co-moments and each pair (adjacent rows of one pair k, as runs and merges
 * write them) to the null's. Runs of at most `DIRECT_LEAVE_OUT_MAX_IMAGES` images keep the rows of
 * each block instead and score each block's complement from its rows (`addRowScores`).
 *
 * @param columns - the store columns of v′ (this element) and v (original), and of the file and pair
 * @param direct - whether to score the complements from their rows (default: by the number of images)
 */
export async function chanceFromRows(
  stores: readonly AppendStore[],
  columns: { readonly moved: string; readonly original: string; readonly pair: string },
  k: number,
  centred: boolean,
  pairs: number,
  product: CrossProduct,
  direct = 2 * pairs + 1 <= DIRECT_LEAVE_OUT_MAX_IMAGES,
): Promise<ElementChance> {
  const out = emptyChance();
  const tile = Math.max(1, Math.min(k, Math.floor(HELD_BYTES / ((JACKKNIFE_BLOCKS + 1) * 8 * k))));
  const names = [columns.moved, columns.original, columns.pair];
  // Direct: each block's rows (v′ and v), gathered in the first tile's pass.
  const blockRows = Array.from({ length: JACKKNIFE_BLOCKS }, () => ({ a: [] as Float32Array[], b: [] as Float32Array[], n: 0 }));
  for (let from = 0; from < k; from += tile) {
    const to = Math.min(k, from + tile);
    const nullM = emptyCoMoments(k, centred, from, to);
    const blocks = direct ? [] : Array.from({ length: JACKKNIFE_BLOCKS }, () => emptyCoMoments(k, centred, from, to));
    for (const store of stores) {
      // A pair cut by a chunk boundary: its first row waits for the next chunk.
      let held: { a: Float32Array; b: Float32Array; k: number } | null = null;
      for await (const chunk of store.chunks(names, store.rowsWithin(names, CHUNK_BYTES))) {
        const a = chunk.values[columns.moved] as Float32Array;
        const b = chunk.values[columns.original] as Float32Array;
        const pair = chunk.values[columns.pair] as Int32Array;
        const byBlock = new Map<number, number[]>();
        for (let i = 0; i < chunk.count; i++) byBlock.set(blockOfPair(pair[i], pairs), [...(byBlock.get(blockOfPair(pair[i], pairs)) ?? []), i]);
        for (const [block, rows] of byBlock) {
          if (!direct) await addChunk(blocks[block], gather(a, rows, k), gather(b, rows, k), rows.length, product);
          else if (from === 0) {
            blockRows[block].a.push(gather(a, rows, k));
            blockRows[block].b.push(gather(b, rows, k));
            blockRows[block].n += rows.length;
          }
        }
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
        await addChunk(nullM, join(nullA), join(nullB), nullA.length, product);
      }
    }
    if (direct) addTo(out.null, scoresOf(nullM));
    else fromMoments(nullM, blocks, out);
  }
  if (direct) {
    for (let j = 0; j < JACKKNIFE_BLOCKS; j++) {
      const rest = blockRows.filter((_, i) => i !== j);
      const n = rest.reduce((sum, r) => sum + r.n, 0);
      await addRowScores(join(rest.flatMap((r) => r.a)), join(rest.flatMap((r) => r.b)), n, k, centred, product, out.leaveOut[j].inv, out.leaveOut[j].eqv);
    }
  }
  return out;
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
