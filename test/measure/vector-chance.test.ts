import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/images/prng.js';
import { addChunk, emptyCoMoments, type CoMoments } from '../../src/scores/co-moments.js';
import { AppendStore } from '../../src/store/append-store.js';
import { blockOfPair, chanceFromRows, chanceFromState, endTile, type ElementChance } from '../../src/measure/vector-chance.js';
import { chanceMomentIds, blockMomentsId, nullMomentsId } from '../../src/scores/keys.js';
import { pearson as pearsonOrNull } from '../../src/correlation/spearman.js';
import { CrossProducts } from '../../src/scored-models/metric.js';
import { expectMatches, jsCrossProduct, reference } from '../scores/vector-reference.js';

/** Pearson correlation, the reference: the plain float64 one of the correlation stage, not the co-moments under test. */
const pearson = (x: readonly number[], y: readonly number[]): number => pearsonOrNull(x, y)!;

const N = 45; // 22 pairs and the unpaired image k = 22
const K = 3;
const PAIRS = Math.floor(N / 2);
const rand = mulberry32(11);
const moved = Float32Array.from({ length: N * K }, () => rand() - 0.5);
const original = Float32Array.from({ length: N * K }, (_, i) => 0.5 * moved[i] + rand() - 0.5);
const pairOf = (i: number) => Math.floor(i / 2); // rows in null order
const column = (x: Float32Array, c: number, rows: readonly number[]) => rows.map((i) => x[i * K + c]);
const meanInv = (s: ElementChance['null']) => s.inv.sum / s.inv.n;

describe('vector null and jackknife blocks as co-moments (SPEC §4b)', () => {
  it('from the store: the null correlates v′(x_j) with v(x_partner(j)); leave-one-block-out drops one block of consecutive pairs', async () => {
    const store = await AppendStore.create(mkdtempSync(path.join(tmpdir(), 'equiprobe-vchance-')), [
      { name: 'a', type: 'float32', width: K },
      { name: 'b', type: 'float32', width: K },
      { name: 'pair', type: 'int32', width: 1 },
    ]);
    await store.append({ a: moved, b: original, pair: Int32Array.from({ length: N }, (_, i) => pairOf(i)) });
    const got = await chanceFromRows([store], { moved: 'a', original: 'b', pair: 'pair' }, K, true, PAIRS, jsCrossProduct);

    const paired = Array.from({ length: 2 * PAIRS }, (_, i) => i);
    const partner = paired.map((i) => (i % 2 === 0 ? i + 1 : i - 1));
    const nullInv = [0, 1, 2].map((c) => pearson(column(moved, c, paired), column(original, c, partner)));
    expect(meanInv(got.null)).toBeCloseTo(nullInv.reduce((s, v) => s + v, 0) / K, 10);
    for (const j of [0, 7, 19]) {
      const kept = Array.from({ length: N }, (_, i) => i).filter((i) => blockOfPair(pairOf(i), PAIRS) !== j);
      const inv = [0, 1, 2].map((c) => pearson(column(moved, c, kept), column(original, c, kept)));
      expect(meanInv(got.leaveOut[j])).toBeCloseTo(inv.reduce((s, v) => s + v, 0) / K, 10);
    }

    // The same from co-moments accumulated batch by batch (batches of whole pairs), as probes kept as co-moments do.
    const moments: Record<string, CoMoments> = Object.fromEntries(chanceMomentIds('e').map((id) => [id, emptyCoMoments(K, true)]));
    for (let start = 0; start < N; start += 6) {
      const rows = Array.from({ length: Math.min(6, N - start) }, (_, i) => start + i);
      const take = (x: Float32Array, list: readonly number[]) => Float32Array.from(list.flatMap((i) => Array.from(x.subarray(i * K, (i + 1) * K))));
      for (let b = 0; b < 20; b++) {
        const inBlock = rows.filter((i) => blockOfPair(pairOf(i), PAIRS) === b);
        await addChunk(moments[blockMomentsId('e', b)], take(moved, inBlock), take(original, inBlock), inBlock.length, jsCrossProduct);
      }
      const withPartner = rows.filter((i) => i < 2 * PAIRS);
      await addChunk(moments[nullMomentsId('e')], take(moved, withPartner), take(original, withPartner.map((i) => (i % 2 === 0 ? i + 1 : i - 1))), withPartner.length, jsCrossProduct);
    }
    const fromState = chanceFromState(moments, 'e');
    expect(meanInv(fromState.null)).toBeCloseTo(meanInv(got.null), 10);
    fromState.leaveOut.forEach((s, j) => expect(meanInv(s)).toBeCloseTo(meanInv(got.leaveOut[j]), 10));
  });

  describe('leave-out sets from their rows (small runs) and from block co-moments (large runs)', () => {
    const products = new CrossProducts({ threads: 1 });
    afterAll(() => products.release());
    const W = 5;
    const LEFT_OUT = 6; // a's channel 3 varies only in this block: exactly constant on its complement, not on the run
    /** N × W rows with means `offset` × spread, in null order; b's channel 4 is constant, a's channel 1 copies b's channel 2. */
    function rows(offset: number) {
      const r = mulberry32(5);
      const a = Float32Array.from({ length: N * W }, () => offset + r() - 0.5);
      const b = Float32Array.from({ length: N * W }, (_, i) => offset + (r() - 0.5) * (1 + (i % W)));
      for (let i = 0; i < N; i++) {
        a[i * W + 1] = b[i * W + 2];
        a[i * W + 3] = blockOfPair(pairOf(i), PAIRS) === LEFT_OUT ? offset + r() : offset + 0.125;
        b[i * W + 4] = offset - 0.25;
      }
      return { a, b };
    }
    const take = (x: Float32Array, list: readonly number[]) => Float32Array.from(list.flatMap((i) => Array.from(x.subarray(i * W, (i + 1) * W))));

    it.each([
      ['pearson, mean 1e3 × spread', true, 1e3, 'all'],
      ['pearson, mean 0', true, 0, 'all'],
      ['cosine', false, 1e3, 'all'],
      // Pairs stored last to first (as another shard's order might be) and image 11 never measured: pair 5 has no null partner.
      ['pearson, pairs out of order, a partner missing', true, 1e3, 'shuffled'],
      // Shard 1 of 3: pairs k mod 3 = 1 only (SPEC §8), the blocks still those of the whole run's P.
      ['pearson, one shard', true, 1e3, 'shard'],
    ] as const)('%s: each leave-out set, the null and (large runs) the whole run get the two-pass float64 scores, both ways', async (_name, centred, offset, variant) => {
      const { a, b } = rows(offset);
      const present = Array.from({ length: N }, (_, i) => i).filter((i) => (variant === 'shuffled' ? i !== 11 : variant === 'shard' ? pairOf(i) % 3 === 1 : true));
      const stored = variant === 'shuffled' ? [...present].sort((x, y) => pairOf(y) - pairOf(x) || x - y) : present;
      const store = await AppendStore.create(mkdtempSync(path.join(tmpdir(), 'equiprobe-vchance-')), [
        { name: 'a', type: 'float32', width: W },
        { name: 'b', type: 'float32', width: W },
        { name: 'pair', type: 'int32', width: 1 },
      ]);
      await store.append({ a: take(a, stored), b: take(b, stored), pair: Int32Array.from(stored, (i) => pairOf(i)) });
      const columns = { moved: 'a', original: 'b', pair: 'pair' };
      const direct = await chanceFromRows([store], columns, W, centred, PAIRS, products.product);
      const merged = await chanceFromRows([store], columns, W, centred, PAIRS, products.product, { direct: false });
      // Two a-side channels per pass: three passes reusing one buffer, the last one narrower; and
      // products of one pair's rows, so that blocks of two pairs (and the last, with the unpaired image) sum several.
      const tiled = await chanceFromRows([store], columns, W, centred, PAIRS, products.product, { direct: false, tile: 2, productBytes: 16 * W });
      for (let j = 0; j < 20; j++) {
        const kept = present.filter((i) => blockOfPair(pairOf(i), PAIRS) !== j);
        const want = reference(take(a, kept), take(b, kept), kept.length, W, centred);
        if (centred && variant !== 'shard') expect(want.undefined).toBe(j === LEFT_OUT ? 2 : 1);
        expectMatches(direct.leaveOut[j], want, 9);
        expectMatches(merged.leaveOut[j], want, 9);
        expectMatches(tiled.leaveOut[j], want, 9);
      }
      const paired = present.filter((i) => i < 2 * PAIRS && present.includes(i ^ 1));
      const wantNull = reference(take(a, paired), take(b, paired.map((i) => i ^ 1)), paired.length, W, centred);
      expectMatches(direct.null, wantNull, 9);
      expectMatches(merged.null, wantNull, 9);
      expectMatches(tiled.null, wantNull, 9);
      // Large runs also give the element's own scores over all images.
      const wantAll = reference(take(a, present), take(b, present), present.length, W, centred);
      expect(direct.point).toBeUndefined();
      expectMatches(merged.point!, wantAll, 9);
      expectMatches(tiled.point!, wantAll, 9);
    });
  });
});

describe('the end of a large run holds a fixed number of bytes, whatever N', () => {
  // What a tile of t a-side channels holds, in float64 values: 22 tiles of crosses and two copies
  // of the product's output (2t × K each), and the inputs of a product of `rows` rows (3t + K per row).
  const held = (k: number, t: number, rows: number) => 8 * (26 * t * k + rows * (3 * t + k));
  const budget = 288 * 2 ** 20;

  it.each([
    [2048, 51],
    [2048, 1024],
    [1000, 1024],
    [20000, 208],
    [10, 51],
  ])('K = %i, %i rows per product: the widest even tiles that fit', (k, rows) => {
    const t = endTile(k, rows);
    const tiles = Math.ceil(k / t);
    expect(t * tiles).toBeGreaterThanOrEqual(k);
    expect((t - 1) * tiles).toBeLessThan(k); // even: no tile narrower than the others by more than the split needs
    if (t < k) {
      expect(held(k, t, rows)).toBeLessThanOrEqual(budget);
      // One tile fewer would not fit.
      expect(held(k, Math.ceil(k / (tiles - 1)), rows)).toBeGreaterThan(budget);
    }
  });

  it('products of 1,024 rows stay within the budget; a 2048-wide layer then holds less than when its blocks fill 51 rows', () => {
    for (const k of [512, 1000, 2048, 4096, 20000]) expect(held(k, endTile(k, 1024), 1024)).toBeLessThanOrEqual(budget);
    expect(held(2048, endTile(2048, 1024), 1024)).toBeLessThan(held(2048, endTile(2048, 51), 51));
  });

  it('one channel per tile when even that does not fit', () => {
    expect(endTile(4_000_000, 1024, 2 ** 20)).toBe(1);
  });
});
