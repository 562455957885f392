import { describe, expect, it } from 'vitest';
import type { Axis, Role, Roles } from '../../src/model/axis-roles.js';
import { classifyTensor, tokenGrid, type LayoutContext } from '../../src/model/layout.js';

const ctx: LayoutContext = { height: 28, width: 28, grid: 7 };

/** Roles written as letters per axis: 'NCHW', or axes of several atoms as arrays ('HW' = H then W). */
function roles(...axes: (Role | `${Role}${Role}` | '1' | 'R')[]): Roles {
  return {
    axes: axes.map((a): Axis => {
      if (a === '1') return { atoms: [] };
      if (a === 'R') return { atoms: [], reduced: true };
      return { atoms: [...a].map((r) => ({ role: r as Role, size: 7, stride: 1 })) };
    }),
  };
}

describe('tokenGrid', () => {
  it('finds the prefix tokens that leave the patch grid', () => {
    expect(tokenGrid(50, 7)).toEqual({ side: 7, prefix: 1 });
    expect(tokenGrid(49, 7)).toEqual({ side: 7, prefix: 0 });
    expect(tokenGrid(51, 7)).toEqual({ side: 7, prefix: 2 });
    expect(tokenGrid(64, 7)).toBeNull();
    expect(tokenGrid(197, null)).toEqual({ side: 14, prefix: 1 });
  });
});

describe('classifyTensor', () => {
  it('reads a tensor with roles [N,C,H,W] as an NCHW map and [N,H,W,C] as NHWC, with the true channel count', () => {
    expect(classifyTensor([2, 20, 14, 14], 0, roles('N', 'C', 'H', 'W'), ctx)).toMatchObject({ kind: 'map', format: 'NCHW', channels: 20, h: 14, w: 14 });
    // ConvNeXt's GELU: channel-last, more channels than the input is wide.
    expect(classifyTensor([2, 7, 7, 384], 0, roles('N', 'H', 'W', 'C'), ctx)).toMatchObject({ kind: 'map', format: 'NHWC', channels: 384, h: 7, w: 7 });
  });
  it('does not read statistics reduced over the channels as maps', () => {
    expect(classifyTensor([2, 7, 7, 1], 0, roles('N', 'H', 'W', 'R'), ctx)).toHaveProperty('reason');
    expect(classifyTensor([2, 1], 0, roles('N', 'R'), ctx)).toHaveProperty('reason');
  });
  it('does not read window partitions and attention matrices as maps', () => {
    expect(classifyTensor([2, 4, 7, 7], 0, roles('N', 'HW', 'H', 'W'), ctx)).toHaveProperty('reason');
    expect(classifyTensor([2, 4, 49, 49], 0, roles('N', '?', 'HW', 'HW'), ctx)).toHaveProperty('reason');
    expect(classifyTensor([2, 4, 7, 7], 0, roles('N', 'C', '?', '?'), ctx)).toHaveProperty('reason');
  });
  it('does not read a 4-D tensor whose roles are not traced', () => {
    expect(classifyTensor([2, 20, 14, 14], 0, { untraced: 'Einsum is not traced' }, ctx)).toEqual({ reason: 'axis roles not traced: Einsum is not traced' });
  });
  it('reads [N,K,1,1] and [N,K] as vectors', () => {
    expect(classifyTensor([2, 64, 1, 1], 0, roles('N', 'C', '1', '1'), ctx)).toMatchObject({ kind: 'vector', channels: 64 });
    expect(classifyTensor([2, 10], 0, roles('N', 'C'), ctx)).toMatchObject({ kind: 'vector', channels: 10 });
  });
  it('reads tokens whose axis is the whole grid row-major from their roles', () => {
    expect(classifyTensor([2, 49, 64], 0, roles('N', 'HW', 'C'), ctx)).toEqual({ kind: 'tokens', format: 'NLC', channels: 64, h: 7, w: 7, prefixTokens: 0 });
    expect(classifyTensor([2, 64, 49], 0, roles('N', 'C', 'HW'), ctx)).toEqual({ kind: 'tokens', format: 'NCL', channels: 64, h: 7, w: 7, prefixTokens: 0 });
  });
  it('reads ViT tokens with an unknown token axis (after the CLS concat) by shape, as before', () => {
    expect(classifyTensor([2, 50, 64], 0, roles('N', '?', 'C'), ctx)).toEqual({ kind: 'tokens', format: 'NLC', channels: 64, h: 7, w: 7, prefixTokens: 1 });
    expect(classifyTensor([50, 2, 64], 1, roles('?', 'N', 'C'), ctx)).toEqual({ kind: 'tokens', format: 'LNC', channels: 64, h: 7, w: 7, prefixTokens: 1 });
  });
  it('does not read token statistics [N,T,1] as a 1-channel token grid', () => {
    expect(classifyTensor([2, 50, 1], 0, roles('N', '?', 'R'), ctx)).toHaveProperty('reason');
  });
});
