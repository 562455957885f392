import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRandomCnn } from '../../src/known-answer/random.js';
import { chunkSize } from '../../src/measure/scorer.js';
import { measure } from '../../src/pipeline.js';

const LIMIT = 2 ** 25; // MAX_HELD_VALUES

describe('scorer chunks keep null pairs together (SPEC §4b)', () => {
  it('rounds the memory-limited chunk down to an even number, never below 2', () => {
    expect(chunkSize(32, LIMIT / 5, null)).toBe(4); // the limit allows 5 images
    expect(chunkSize(32, LIMIT, null)).toBe(2); // 1 image: a pair still runs together
    expect(chunkSize(32, 2 * LIMIT, null)).toBe(2); // not even 1
    expect(chunkSize(7, 1, null)).toBe(6);
    expect(chunkSize(1, 1, null)).toBe(2); // --batch 1: a batch is one pair
    expect(chunkSize(32, 1, null)).toBe(32);
    expect(chunkSize(32, LIMIT, 1)).toBe(1); // a fixed batch size is what the model runs
    expect(chunkSize(32, 1, 3)).toBe(3);
  });

  it('--batch 1 scores every null pair: the same chance levels as --batch 8, and no image left out', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'equiprobe-chunk-'));
    const model = path.join(dir, 'random_cnn.onnx');
    writeFileSync(model, buildRandomCnn(1).bytes);
    const warnings: string[] = [];
    const run = (batch: number) => measure({ model, transforms: ['rot90'], synthetic: 8, batch, threads: 1, onWarning: (w) => warnings.push(w) });
    const [one, eight] = [await run(1), await run(8)];
    expect(one.state.nullMissing).toBe(0);
    expect(warnings.filter((w) => /left out of the chance level/.test(w))).toEqual([]);
    const maps = eight.report.layers.filter((l) => l.uncertainty?.eqv.chance !== null && one.report.probes.find((p) => p.name === l.layer)?.kind !== 'vector');
    expect(maps.length).toBeGreaterThan(0);
    for (const l of maps) {
      const same = one.report.layers.find((x) => x.layer === l.layer && x.transform === l.transform)!;
      expect(same.uncertainty!.eqv.chance!, l.layer).toBeCloseTo(l.uncertainty!.eqv.chance!, 6);
      expect(same.uncertainty!.inv.chance!, l.layer).toBeCloseTo(l.uncertainty!.inv.chance!, 6);
    }
  }, 60_000);
});
