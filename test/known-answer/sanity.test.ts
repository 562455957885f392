import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runSanity, type SanityRow } from '../../src/known-answer/sanity.js';
import type { GroupElement } from '../../src/types.js';

// A switch for the broken-transform test: when on, T'_g on feature maps turns the wrong way
// (clockwise instead of numpy.rot90's counter-clockwise). Product code stays untouched.
const broken = vi.hoisted(() => ({ on: false }));
vi.mock('../../src/transforms/steps.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/transforms/steps.js')>();
  return {
    ...real,
    mapSteps: (g: GroupElement) => real.mapSteps(broken.on ? { ...g, quarterTurns: -g.quarterTurns } : g),
  };
});

const options = { images: 8, threads: 2, seed: 0 } as const;
const label = (r: SanityRow) => `${r.probe} ${r.transform} ${r.part ?? r.layer} ${r.score} ${r.similarity} ${r.expected}: ${r.measured}`;

describe('runSanity', () => {
  it('every probe meets every expectation on equiprobe\'s synthetic images', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'equiprobe-sanity-'));
    const rows = await runSanity({ ...options, out, plots: false });
    expect(rows.length).toBeGreaterThan(100);
    expect(new Set(rows.map((r) => r.probe))).toEqual(
      new Set(['gaussian_inv', 'cornercut_eqv', 'c4_gcnn', 'd4_gcnn', 'circular_cnn', 'random_cnn', 'tiny_vit', 'large_mean']),
    );
    expect(rows.filter((r) => !r.pass).map(label)).toEqual([]);
    expect(rows.filter((r) => r.probe === 'circular_cnn').every((r) => r.shiftMode === 'roll')).toBe(true);
    expect(existsSync(path.join(out, 'probes', 'tiny_vit.onnx'))).toBe(true);
    expect(existsSync(path.join(out, 'circular_cnn-pearson-roll', 'result.json'))).toBe(true);
    expect(existsSync(path.join(out, 'large_mean-cosine', 'parts.csv'))).toBe(true);
    const json = JSON.parse(readFileSync(path.join(out, 'sanity.json'), 'utf8'));
    expect(json).toMatchObject({ passed: rows.length, checks: rows.length });
    expect(readFileSync(path.join(out, 'sanity.csv'), 'utf8').trim().split('\n')).toHaveLength(rows.length + 1);
  }, 60_000);

  it('large_mean: cosine ≥ 0.99 where Pearson ≤ 0.8 (SPEC §3, the paper\'s Fig. 2)', async () => {
    const rows = await runSanity({ ...options, similarity: 'cosine' });
    expect(new Set(rows.map((r) => r.probe))).toEqual(new Set(['large_mean']));
    for (const part of ['Early', 'Middle', 'Late'] as const) {
      const at = (similarity: string) => rows.find((r) => r.part === part && r.similarity === similarity && r.score === 'inv')!;
      expect(at('cosine').measured, part).toBeGreaterThanOrEqual(0.99);
      expect(at('pearson').measured, part).toBeLessThanOrEqual(0.8);
    }
  }, 30_000);

  it('similarity pearson checks no cosine expectation', async () => {
    const rows = await runSanity({ ...options, similarity: 'pearson' });
    expect(rows.some((r) => r.similarity === 'cosine')).toBe(false);
    expect(rows.some((r) => r.probe === 'large_mean')).toBe(true);
  }, 30_000);

  it('EXPECTED FAILURE - a map rotation in the wrong direction is caught', async () => {
    broken.on = true;
    try {
      const rows = await runSanity(options);
      const failed = rows.filter((r) => !r.pass);
      // With the wrong direction, k = 1 and k = 3 compare F' with the wrong rotation of F: map
      // scores that are ≈ 1 under rot90 (Gaussian invariance, group-CNN equivariance) drop.
      expect(failed.some((r) => r.probe === 'gaussian_inv' && r.transform === 'rot90' && r.score === 'inv')).toBe(true);
      expect(failed.some((r) => r.probe === 'c4_gcnn' && r.transform === 'rot90' && r.score === 'eqv')).toBe(true);
      expect(failed.some((r) => r.probe === 'cornercut_eqv' && r.score === 'eqv')).toBe(true);
      // Translation and vector scores do not use mapSteps: those checks still pass.
      expect(rows.filter((r) => r.probe === 'circular_cnn').every((r) => r.pass)).toBe(true);
      expect(rows.filter((r) => r.part === 'Pool' || r.part === 'Final').every((r) => r.pass)).toBe(true);
    } finally {
      broken.on = false;
    }
  }, 60_000);

  it('BAD CALL - fewer than 3 images is a RangeError', async () => {
    await expect(runSanity({ images: 2 })).rejects.toThrow(RangeError);
  });
});
