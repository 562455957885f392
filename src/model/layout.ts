import type { ProbeKind, TensorFormat } from '../types.js';

/** How one raw tensor is read per image, or null when it has no recognised layout. */
export interface TensorLayout {
  readonly kind: ProbeKind;
  readonly format: TensorFormat;
  readonly channels: number;
  readonly h: number;
  readonly w: number;
  readonly prefixTokens: number;
}

/** What the classifier knows about the model. */
export interface LayoutContext {
  readonly height: number;
  readonly width: number;
  readonly inputLayout: 'NCHW' | 'NHWC';
  /** Side of the patch grid (from square maps seen in the model), or null when the model has no maps. */
  readonly grid: number | null;
}

const PREFIX_TOKENS = [0, 1, 2];

/** Prefix-token count p ∈ {0,1,2} such that T − p is the grid's square (or any square without a grid). */
export function tokenGrid(t: number, grid: number | null): { side: number; prefix: number } | null {
  for (const p of PREFIX_TOKENS) {
    const side = Math.round(Math.sqrt(t - p));
    if (side >= 2 && side * side === t - p && (grid === null || side === grid)) return { side, prefix: p };
  }
  return null;
}

/**
 * Classifies a raw tensor shape (SPEC §1): maps `[N,K,h,w]` with h ≤ H, w ≤ W (`[N,h,w,K]` for
 * NHWC models), token tensors `[N,T,D]`, `[N,D,T]`, `[T,N,D]` whose tokens after p prefix tokens
 * form the patch grid, vectors `[N,K]`, `[N,K,1,1]`, `[N,1,K]`.
 *
 * @param dims - shape from a discovery pass
 * @param batchAxis - axis that changed with the batch size
 * @returns the layout, or null (attention matrices, scalars, shapes of other rank)
 */
export function classifyTensor(dims: readonly number[], batchAxis: number, ctx: LayoutContext): TensorLayout | null {
  const vector = (k: number): TensorLayout => ({ kind: 'vector', format: 'NC', channels: k, h: 1, w: 1, prefixTokens: 0 });
  if (dims.some((d) => d === 0)) return null;
  if (dims.length === 2 && batchAxis === 0) return vector(dims[1]);
  if (dims.length === 4 && batchAxis === 0) {
    const [, a, b, c] = dims;
    if (ctx.inputLayout === 'NHWC') {
      if (a === 1 && b === 1) return vector(c);
      if (a <= ctx.height && b <= ctx.width) return { kind: 'map', format: 'NHWC', channels: c, h: a, w: b, prefixTokens: 0 };
      return null;
    }
    if (b === 1 && c === 1) return vector(a);
    // Attention matrices [N, heads, T, T] are not maps, even where T ≤ H (large inputs).
    if (b === c && ctx.grid !== null && tokenGrid(b, ctx.grid) !== null) return null;
    // Head splits of token tensors [N, T, heads, d] are not maps either: their "channels" are the tokens.
    if (ctx.grid !== null && tokenGrid(a, ctx.grid) !== null) return null;
    if (b <= ctx.height && c <= ctx.width) return { kind: 'map', format: 'NCHW', channels: a, h: b, w: c, prefixTokens: 0 };
    return null;
  }
  if (dims.length === 3) {
    if (batchAxis === 0) {
      const [, a, b] = dims;
      if (a === 1) return vector(b);
      const tokens = tokenGrid(a, ctx.grid);
      if (tokens) return { kind: 'tokens', format: 'NLC', channels: b, h: tokens.side, w: tokens.side, prefixTokens: tokens.prefix };
      const transposed = tokenGrid(b, ctx.grid);
      if (transposed) return { kind: 'tokens', format: 'NCL', channels: a, h: transposed.side, w: transposed.side, prefixTokens: transposed.prefix };
      return null;
    }
    if (batchAxis === 1) {
      const tokens = tokenGrid(dims[0], ctx.grid);
      if (tokens) return { kind: 'tokens', format: 'LNC', channels: dims[2], h: tokens.side, w: tokens.side, prefixTokens: tokens.prefix };
    }
  }
  return null;
}
