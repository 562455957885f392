import { describe, expect, it } from 'vitest';
import { accuracyReport } from '../../src/aggregate/accuracy.js';
import { countPredictions } from '../../src/scores/state.js';
import { aggregateParts } from '../../src/aggregate/parts.js';
import type { GroupElement, LayerScore, ProbeInfo, ScoreStats } from '../../src/types.js';

const stats = (mean: number | null): ScoreStats => ({ mean, std: 0, defined: mean === null ? 0 : 1, undefinedPairs: 0, nearConstant: 0, oneSided: 0 });
const probe = (name: string, part: ProbeInfo['part']): ProbeInfo => ({
  name, op: 'Relu', depth: 0, kind: 'map', format: 'NCHW', dims: [2, 1, 4, 4], batchAxis: 0, channels: 1, h: 4, w: 4, prefixTokens: 0, part,
});
const layer = (name: string, inv: number | null, eqv: number | null, skipped?: string): LayerScore => ({
  layer: name, transform: 'rot90', inv: stats(inv), eqv: stats(eqv), elements: [], ...(skipped ? { skipped } : {}),
});

describe('aggregateParts', () => {
  it('averages layer scores per part, each layer weighing the same, leaving out skipped and flagged layers', () => {
    const probes = [probe('a', 'Early'), probe('b', 'Early'), probe('c', 'Early'), probe('d', 'Late'), probe('e', 'Late'), probe('f', null)];
    const layers = [layer('a', 0.2, 0.4), layer('b', 0.4, 0.8), layer('c', 0.9, 0.9, 'map is 4×2, not square'), layer('d', 0.5, 0.5), layer('e', null, null), layer('f', 1, 1)];
    const parts = aggregateParts(probes, layers, new Set(['e']));
    expect(parts).toHaveLength(2);
    expect(parts[0]).toMatchObject({ part: 'Early', layers: 2 });
    expect(parts[0].inv).toBeCloseTo(0.3, 12);
    expect(parts[0].eqv).toBeCloseTo(0.6, 12);
    expect(parts[1]).toMatchObject({ part: 'Late', inv: 0.5, layers: 1 });
  });
});

describe('accuracyReport', () => {
  it('computes top-1, per-element accuracy, the group average with the identity, and unchanged predictions', () => {
    const k = (n: number): GroupElement => ({ transform: 'rot90', key: `k${n}`, quarterTurns: n, flip: false, shift: 0 });
    const ids = ['rot90:k1', 'rot90:k2', 'rot90:k3'];
    const counts = { images: 0, correct: Object.fromEntries(['original', ...ids].map((id) => [id, 0])), unchanged: Object.fromEntries(ids.map((id) => [id, 0])) };
    // Two batches, counted one after the other.
    countPredictions(counts, { original: [0, 1], 'rot90:k1': [0, 1], 'rot90:k2': [0, 0], 'rot90:k3': [0, 1] }, [0, 1]);
    countPredictions(counts, { original: [2, 3], 'rot90:k1': [0, 0], 'rot90:k2': [0, 0], 'rot90:k3': [2, 0] }, [2, 0]);
    const report = accuracyReport(counts, new Map([['rot90', [k(1), k(2), k(3)]]]));
    expect(report.top1).toBe(0.75);
    const rot = report.transforms[0];
    expect(rot.elements.map((e) => e.top1)).toEqual([0.75, 0.5, 1]);
    expect(rot.elements.map((e) => e.unchanged)).toEqual([0.5, 0.25, 0.75]);
    expect(rot.groupAverage).toBeCloseTo((0.75 + 0.75 + 0.5 + 1) / 4, 12);
  });
  it('takes a transform with its own untransformed view (translate in crop mode) against that view; top-1 stays on the standard view', () => {
    const s = (n: number): GroupElement => ({ transform: 'translate', key: `s${n}`, quarterTurns: 0, flip: false, shift: n });
    const counts = { images: 0, correct: { original: 0, 'translate:origin': 0, 'translate:s1': 0 }, unchanged: { 'translate:s1': 0 } };
    countPredictions(counts, { original: [0, 1, 2, 3], 'translate:origin': [0, 1, 0, 0], 'translate:s1': [0, 1, 0, 3] }, [0, 1, 2, 3]);
    const report = accuracyReport(counts, new Map([['translate', [s(1)]]]));
    expect(report.top1).toBe(1);
    expect(report.transforms[0].elements[0]).toEqual({ key: 's1', top1: 0.75, unchanged: 0.75 });
    expect(report.transforms[0].groupAverage).toBeCloseTo((0.5 + 0.75) / 2, 12);
  });
});
