import { describe, expect, it } from 'vitest';
import { classifyTensor, tokenGrid, type LayoutContext } from '../../src/model/layout.js';

const ctx: LayoutContext = { height: 28, width: 28, inputLayout: 'NCHW', grid: 7 };

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
  it('reads 4-D tensors within the input size as NCHW maps', () => {
    expect(classifyTensor([2, 20, 14, 14], 0, ctx)).toMatchObject({ kind: 'map', format: 'NCHW', channels: 20, h: 14, w: 14 });
  });
  it('reads [N,K,1,1] and [N,K] as vectors', () => {
    expect(classifyTensor([2, 64, 1, 1], 0, ctx)).toMatchObject({ kind: 'vector', channels: 64 });
    expect(classifyTensor([2, 10], 0, ctx)).toMatchObject({ kind: 'vector', channels: 10 });
  });
  it('reads ViT tokens [N,T,D] with a CLS token as a D-channel grid', () => {
    expect(classifyTensor([2, 50, 64], 0, ctx)).toEqual({ kind: 'tokens', format: 'NLC', channels: 64, h: 7, w: 7, prefixTokens: 1 });
  });
  it('reads token-mixing transposes [N,D,T] and sequence-first [T,N,D]', () => {
    expect(classifyTensor([2, 64, 49], 0, ctx)).toEqual({ kind: 'tokens', format: 'NCL', channels: 64, h: 7, w: 7, prefixTokens: 0 });
    expect(classifyTensor([50, 2, 64], 1, ctx)).toEqual({ kind: 'tokens', format: 'LNC', channels: 64, h: 7, w: 7, prefixTokens: 1 });
  });
  it('EXPECTED FAILURE - attention matrices are not maps, even when T fits in the input', () => {
    const big: LayoutContext = { height: 224, width: 224, inputLayout: 'NCHW', grid: 14 };
    expect(classifyTensor([2, 6, 197, 197], 0, big)).toBeNull();
    expect(classifyTensor([2, 4, 50, 50], 0, ctx)).toBeNull();
    expect(classifyTensor([2, 50, 4, 16], 0, ctx)).toBeNull(); // head split [N, T, heads, d]
  });
  it('reads NHWC maps for NHWC models', () => {
    const nhwc: LayoutContext = { ...ctx, inputLayout: 'NHWC' };
    expect(classifyTensor([2, 14, 14, 32], 0, nhwc)).toMatchObject({ kind: 'map', format: 'NHWC', channels: 32, h: 14, w: 14 });
  });
});
