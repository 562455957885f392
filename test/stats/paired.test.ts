import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRandomCnn } from '../../src/known-answer/random.js';
import { elementsFor, measure } from '../../src/pipeline.js';
import { readMapImageSums } from '../../src/measure/per-image-read.js';
import { RunState } from '../../src/measure/run-state.js';
import { pairedParts } from '../../src/analysis/paired-results.js';
import { rowLayout } from '../../src/stats/per-image.js';
import { bootstrapReplicates } from '../../src/stats/bootstrap.js';
import { excessOf } from '../../src/stats/chance.js';
import { pairedDifference } from '../../src/stats/paired.js';

describe('paired comparison (SPEC §4b)', () => {
  const sum = Float64Array.from({ length: 50 }, (_, i) => (i % 7) / 7);
  const count = new Float64Array(50).fill(1);
  const [reps] = bootstrapReplicates([{ sum, count }]);
  const estimate = sum.reduce((s, v) => s + v, 0) / 50;

  it('of a result with itself: difference 0, interval [0, 0], p = 1', () => {
    const r = pairedDifference({ estimate, replicates: reps }, { estimate, replicates: reps });
    expect(r).toEqual({ difference: 0, interval: { lo: 0, hi: 0 }, p: 1 });
  });

  it('of a result shifted by 0.1 on every image: difference 0.1, smallest p = 2/(B + 1)', () => {
    const [shifted] = bootstrapReplicates([{ sum: sum.map((v) => v + 0.1), count }]);
    const r = pairedDifference({ estimate: estimate + 0.1, replicates: shifted }, { estimate, replicates: reps });
    expect(r.difference).toBeCloseTo(0.1, 12);
    expect(r.interval.lo).toBeCloseTo(0.1, 12);
    expect(r.interval.hi).toBeCloseTo(0.1, 12);
    expect(r.p).toBeCloseTo(2 / 1001, 12);
  });
});

describe('excess over chance (SPEC §4b)', () => {
  it('is (s − s₀)/(1 − s₀), unclipped, null when 1 − s₀ < 0.05', () => {
    expect(excessOf(0.9, 0.6).excess).toBeCloseTo(0.75, 12);
    expect(excessOf(0.9, 0.6).above).toBeCloseTo(0.3, 12);
    expect(excessOf(0.5, 0.6).excess).toBeCloseTo(-0.25, 12);
    expect(excessOf(1, 0.97)).toEqual({ above: 1 - 0.97, excess: null, reason: 'chance_saturated' });
  });
});

describe('paired comparison of two results (SPEC §4b)', () => {
  it('a model compared with itself: difference 0, p = 1 in every map part; other images: one reason', async () => {
    const model = path.join(mkdtempSync(path.join(tmpdir(), 'equiprobe-paired-')), 'cnn.onnx');
    writeFileSync(model, buildRandomCnn(3).bytes);
    const input = async (seed: number, label: string) => {
      const stateDir = path.join(path.dirname(model), label);
      const { report } = await measure({ model, transforms: ['rot90'], synthetic: 12, seed, threads: 1, stateDir });
      const layout = rowLayout(report.probes, elementsFor(report.config.transforms, report.config.shifts, report.model.input.height));
      return { label, report, layout, images: await readMapImageSums([(await RunState.open(stateDir)).rows], layout) };
    };
    const a = await input(0, 'a');
    const same = pairedParts(a, await input(0, 'b'));
    if (!('rows' in same)) throw new Error(same.reason);
    expect(same.rows.length).toBeGreaterThan(0);
    expect(same.rows.some((r) => r.score === 'eqv_excess')).toBe(true);
    for (const r of same.rows) {
      expect(r.images).toBe(12);
      expect(r.difference).toBe(0);
      expect(r.p).toBe(1);
    }
    const other = pairedParts(a, await input(1, 'c'));
    expect(other).toEqual({ reason: expect.stringMatching(/share 0 image/) });
  }, 60_000);
});
