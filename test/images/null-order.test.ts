import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nullName, nullPairs, nullPartners, pairBatches, shardPairs } from '../../src/images/null-order.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `synthetic-${String(i).padStart(6, '0')}`);
const byName = (id: string) => nullName(null, id);

describe('null order (SPEC §4b)', () => {
  it('orders by SHA-256 of the tag and the name, computed independently here', () => {
    const names = ids(9).map(byName);
    const expected = [...names].sort((a, b) => {
      const [ha, hb] = [a, b].map((s) => createHash('sha256').update(Buffer.concat([Buffer.from('equiprobe-null-v1'), Buffer.from(s)])).digest('hex'));
      return ha < hb ? -1 : ha > hb ? 1 : 0;
    });
    const pairs = nullPairs(ids(9), byName);
    expect(pairs.flatMap((p) => p.images).map(byName)).toEqual(expected);
    expect(pairs.map((p) => p.images.length)).toEqual([2, 2, 2, 2, 1]);
    expect(pairs.map((p) => p.k)).toEqual([0, 1, 2, 3, 4]);
  });

  it('names images by their path in the folder, and synthetic images by index', () => {
    expect(nullName('imgs', 'imgs/cat/a.png')).toBe('cat/a.png');
    expect(nullName(null, 'synthetic-000012')).toBe('synthetic/12');
  });

  it('shards take pairs k mod n, so partners share a shard; the unpaired last image is pair ⌊N/2⌋', () => {
    const pairs = nullPairs(ids(11), byName);
    const shards = [0, 1, 2].map((index) => shardPairs(pairs, { index, count: 3 }));
    expect(shards.map((s) => s.map((p) => p.k))).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(shards[2].at(-1)!.images).toHaveLength(1);
    expect(shards.flat().flatMap((p) => p.images).sort()).toEqual(ids(11));
    const partners = nullPartners(pairs);
    for (const shard of shards) {
      const mine = new Set(shard.flatMap((p) => p.images));
      for (const id of mine) if (partners.has(id)) expect(mine.has(partners.get(id)!)).toBe(true);
    }
  });

  it('batches hold whole pairs: ⌊batch/2⌋ pairs, at least one', () => {
    const pairs = nullPairs(ids(7), byName);
    expect(pairBatches(pairs, 4).map((b) => b.length)).toEqual([4, 3]);
    expect(pairBatches(pairs, 5).map((b) => b.length)).toEqual([4, 3]);
    expect(pairBatches(pairs, 1).map((b) => b.length)).toEqual([2, 2, 2, 1]);
    expect(pairBatches(pairs, 3).flat()).toEqual(pairs.flatMap((p) => p.images));
  });
});
