import type { ProbeKind, TensorFormat } from '../types.js';
import { describeRoles, isTraced, type Axis, type Role, type Roles } from './axis-roles.js';

/** How one raw tensor is read per image, or null when it has no recognised layout. */
export interface TensorLayout {
  readonly kind: ProbeKind;
  readonly format: TensorFormat;
  readonly channels: number;
  readonly h: number;
  readonly w: number;
  readonly prefixTokens: number;
}

/** Why a tensor with a batch axis is not read as a map, tokens or vector (listed by `--layers all`). */
export interface NotRead {
  readonly reason: string;
}

/** What the classifier knows about the model. */
export interface LayoutContext {
  readonly height: number;
  readonly width: number;
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

export const isRead = (l: TensorLayout | NotRead): l is TensorLayout => 'kind' in l;

const vector = (k: number): TensorLayout => ({ kind: 'vector', format: 'NC', channels: k, h: 1, w: 1, prefixTokens: 0 });
const notRead = (reason: string): NotRead => ({ reason });

const roleCount = (axes: readonly Axis[], role: Role) => axes.reduce((n, a) => n + a.atoms.filter((x) => x.role === role).length, 0);
const hasRole = (axis: Axis, role: Role) => axis.atoms.some((x) => x.role === role);
/** The axis is exactly the whole of one role: a single piece with stride 1, the only piece of that role in the tensor. */
const wholeAxis = (axes: readonly Axis[], axis: Axis, role: Role) => axis.atoms.length === 1 && axis.atoms[0].role === role && axis.atoms[0].stride === 1 && roleCount(axes, role) === 1;
/** A channel axis holds channels or unknown features, never positions, the batch, or nothing after a reduction. */
const channelAxis = (axis: Axis) => !axis.reduced && axis.atoms.every((x) => x.role === 'C' || x.role === '?');

/**
 * Token tensors by shape alone (today's reading, kept for ViT/Mixer token axes whose roles are
 * unknown after a CLS-token concat or a token-mixing product): `[N,T,D]`, `[N,D,T]`, `[T,N,D]`
 * whose tokens after p prefix tokens form the patch grid, and `[N,1,K]` vectors.
 */
function tokensByShape(dims: readonly number[], batchAxis: number, ctx: LayoutContext): TensorLayout | null {
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
  return null;
}

/** A vector: every axis but the batch and one feature axis has size 1, and that axis holds no positions. */
function asVector(dims: readonly number[], batchAxis: number, axes: readonly Axis[] | null): TensorLayout | null {
  // Statistics of a reduction (a LayerNorm's mean over C) are no features of their own.
  if (axes?.some((a, i) => i !== batchAxis && a.reduced)) return null;
  const feature = dims.map((d, i) => (i !== batchAxis && d > 1 ? i : -1)).filter((i) => i >= 0);
  if (feature.length > 1) return null;
  if (feature.length === 0) return dims.length === 2 || axes ? vector(1) : null;
  const k = feature[0];
  if (axes) return channelAxis(axes[k]) ? vector(dims[k]) : null;
  // Untraced: only the shapes read as vectors before roles were traced, [N,K,1,1] and [N,1,K].
  return batchAxis === 0 && (dims.length === 2 || k === 1) ? vector(dims[k]) : null;
}

function mapOf(dims: readonly number[], batchAxis: number, axes: readonly Axis[], ctx: LayoutContext): TensorLayout | NotRead {
  const written = describeRoles({ axes });
  const hAxis = axes.findIndex((a) => hasRole(a, 'H'));
  const wAxis = axes.findIndex((a) => hasRole(a, 'W'));
  if (hAxis < 0 || wAxis < 0) return notRead(`axes ${written}: no whole H and W axes`);
  if (!wholeAxis(axes, axes[hAxis], 'H') || !wholeAxis(axes, axes[wAxis], 'W')) return notRead(`axes ${written}: H or W split across axes (a window partition or attention matrix)`);
  const cAxis = [0, 1, 2, 3].find((i) => i !== batchAxis && i !== hAxis && i !== wAxis)!;
  if (axes[cAxis].reduced) return notRead(`axes ${written}: statistics reduced over the channels`);
  if (!channelAxis(axes[cAxis])) return notRead(`axes ${written}: no channel axis`);
  const [k, h, w] = [dims[cAxis], dims[hAxis], dims[wAxis]];
  if (h > ctx.height || w > ctx.width) return notRead(`map ${h}×${w} is larger than the input ${ctx.height}×${ctx.width}`);
  const order = `${batchAxis}${cAxis}${hAxis}${wAxis}`;
  if (order === '0123') return { kind: 'map', format: 'NCHW', channels: k, h, w, prefixTokens: 0 };
  if (order === '0312') return { kind: 'map', format: 'NHWC', channels: k, h, w, prefixTokens: 0 };
  return notRead(`axes ${written} are neither NCHW nor NHWC`);
}

function tokensOf(dims: readonly number[], batchAxis: number, axes: readonly Axis[], ctx: LayoutContext): TensorLayout | NotRead | null {
  const written = describeRoles({ axes });
  const spatial = axes.map((a, i) => (hasRole(a, 'H') || hasRole(a, 'W') ? i : -1)).filter((i) => i >= 0);
  if (spatial.length === 0) {
    if (axes.some((a, i) => i !== batchAxis && a.reduced)) return notRead(`axes ${written}: statistics of a reduction`);
    return null;
  }
  const t = spatial[0];
  const atoms = axes[t].atoms;
  const rowMajor = spatial.length === 1 && atoms.length === 2 && atoms[0].role === 'H' && atoms[1].role === 'W' && atoms.every((x) => x.stride === 1)
    && roleCount(axes, 'H') === 1 && roleCount(axes, 'W') === 1;
  if (!rowMajor) return notRead(`axes ${written}: tokens are not a whole row-major h×w grid`);
  const c = [0, 1, 2].find((i) => i !== batchAxis && i !== t)!;
  if (axes[c].reduced) return notRead(`axes ${written}: statistics reduced over the channels`);
  if (!channelAxis(axes[c])) return notRead(`axes ${written}: no channel axis`);
  const [h, w] = [atoms[0].size, atoms[1].size];
  if (h > ctx.height || w > ctx.width) return notRead(`token grid ${h}×${w} is larger than the input ${ctx.height}×${ctx.width}`);
  const format: TensorFormat | null = batchAxis === 0 ? (t === 1 ? 'NLC' : 'NCL') : batchAxis === 1 && t === 0 ? 'LNC' : null;
  if (!format) return notRead(`axes ${written}: unsupported token layout`);
  return { kind: 'tokens', format, channels: dims[c], h, w, prefixTokens: 0 };
}

/**
 * Reads a tensor from its shape and its traced axis roles (SPEC §1): maps are 4-D tensors with a
 * whole H and W axis and a channel axis, in NCHW or NHWC order whatever the input's layout; tokens
 * are 3-D tensors whose token axis is the whole h×w grid row-major (or, where the roles of that axis
 * are unknown, whose length after p prefix tokens is the patch grid's square); vectors `[N,K]`,
 * `[N,K,1,1]`, `[N,1,K]`. Anything else is not read, with the reason.
 *
 * @param dims - shape from a discovery pass
 * @param batchAxis - axis that changed with the batch size
 * @param roles - the tensor's traced roles (undefined: not image-dependent)
 */
export function classifyTensor(dims: readonly number[], batchAxis: number, roles: Roles | undefined, ctx: LayoutContext): TensorLayout | NotRead {
  if (dims.some((d) => d === 0)) return notRead('empty tensor');
  const axes = roles && isTraced(roles) ? roles.axes : null;
  if (batchAxis < 0) return notRead(axes ? `axes ${describeRoles({ axes })}: no batch axis of its own (the batch is merged with other axes)` : 'no batch axis');
  const why = roles && !isTraced(roles) ? `axis roles not traced: ${roles.untraced}` : 'axis roles not traced';
  const asVec = dims.length <= 4 ? asVector(dims, batchAxis, axes) : null;
  if (asVec) return asVec;
  if (axes?.some((a) => a.reduced) && !axes.some((a) => a.atoms.some((x) => x.role === 'H' || x.role === 'W'))) {
    return notRead(`axes ${describeRoles({ axes })}: statistics of a reduction`);
  }
  if (dims.length === 4) return axes ? mapOf(dims, batchAxis, axes, ctx) : notRead(why);
  if (dims.length === 3) {
    const fromRoles = axes ? tokensOf(dims, batchAxis, axes, ctx) : null;
    if (fromRoles) return fromRoles;
    return tokensByShape(dims, batchAxis, ctx) ?? notRead(axes ? `axes ${describeRoles({ axes })}: no token grid` : why);
  }
  return notRead(`a ${dims.length}-D tensor`);
}
