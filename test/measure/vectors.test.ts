import { describe, expect, it } from 'vitest';
import { coMomentsValues } from '../../src/scores/co-moments.js';
import { emptyState } from '../../src/scores/state.js';
import { momentsBytes, planVectors } from '../../src/measure/vectors.js';
import { groupElements } from '../../src/transforms/index.js';
import type { ProbeInfo } from '../../src/types.js';

const vector = (name: string, channels: number): ProbeInfo => ({
  name, op: 'Gemm', depth: 0, kind: 'vector', format: 'NC', dims: [1, channels], batchAxis: 0, channels, h: 1, w: 1, prefixTokens: 0, part: 'Final',
} as ProbeInfo);

describe('planVectors: the smaller of co-moments and per-image vectors (SPEC §8)', () => {
  it('counts every co-moment set a probe holds: what emptyState allocates, byte for byte', () => {
    const probe = vector('fc', 10);
    const elements = new Map([['rot90', groupElements('rot90', { shifts: [], height: 8 })]] as const);
    const state = emptyState([probe], elements, false, new Set(['fc']), true);
    const held = Object.values(state.moments.fc).reduce((s, m) => s + coMomentsValues(m).reduce((t, v) => t + v.byteLength, 0), 0);
    expect(held).toBe(momentsBytes(10, 3));
    // 3 elements × (own + null + 20 blocks) × (1 + 4·10 + 10²) float64 values.
    expect(momentsBytes(10, 3)).toBe(3 * 22 * 141 * 8);
  });

  it('K = 10 under rot90 keeps co-moments from 466 images on (74,448 B against 160 B per image)', () => {
    const probe = vector('fc', 10);
    expect(planVectors([probe], 3, 465)[0].mode).toBe('rows');
    expect(planVectors([probe], 3, 466)[0].mode).toBe('moments');
  });

  it('a probe whose co-moments pass 16 MiB keeps per-image vectors whatever N (K = 200, rot90: 21.6 MB)', () => {
    expect(planVectors([vector('pool', 200)], 3, 10_000_000)[0].mode).toBe('rows');
    expect(planVectors([vector('pool', 100)], 3, 10_000_000)[0].mode).toBe('moments');
  });
});
