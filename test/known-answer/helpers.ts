/**
 * Independent reference helpers for the probe tests: running a probe in onnxruntime, the D4
 * actions and roll on NCHW arrays, Pearson/cosine in float64, and a small from-scratch
 * implementation of SPEC §4/§5 used to check each probe's stated expectations.
 */
import * as ort from 'onnxruntime-node';
import { createRng } from '../../src/known-answer/filters.js';
import type { KnownAnswerNetwork, Expectation } from '../../src/known-answer/types.js';
import type { Part, TransformName } from '../../src/types.js';
import { spatialPart } from '../../src/parts.js';

export interface Arr {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** Runs a model on `x` ([N, ...shape]) and returns every output. */
export async function runModel(bytes: Uint8Array, x: Arr): Promise<Record<string, Arr>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  const out = await session.run({ x: new ort.Tensor('float32', x.data, [...x.dims]) });
  const res: Record<string, Arr> = {};
  for (const [k, v] of Object.entries(out)) res[k] = { data: v.data as Float32Array, dims: v.dims.map(Number) };
  await session.release();
  return res;
}

/**
 * `n` seeded images `[n, C, H, W]`: `white` is i.i.d. N(0,1); `smooth` is white noise box-blurred
 * (radius 2, circular) and rescaled to unit standard deviation.
 */
export function makeImages(seed: number, n: number, shape: readonly number[], kind: 'white' | 'smooth'): Arr {
  const [c, h, w] = shape;
  const rng = createRng(seed);
  const data = new Float32Array(n * c * h * w);
  for (let i = 0; i < data.length; i += 1) data[i] = rng.normal();
  if (kind === 'smooth') {
    const tmp = new Float32Array(h * w);
    for (let s = 0; s < n * c; s += 1) {
      const off = s * h * w;
      for (let i = 0; i < h; i += 1)
        for (let j = 0; j < w; j += 1) {
          let acc = 0;
          for (let di = -2; di <= 2; di += 1)
            for (let dj = -2; dj <= 2; dj += 1) acc += data[off + (((i + di + h) % h) * w + ((j + dj + w) % w))];
          tmp[i * w + j] = acc / 5; // std of a sum of 25 unit normals is 5
        }
      data.set(tmp, off);
    }
  }
  return { data, dims: [n, c, h, w] };
}

/** Concatenates two batches along N. */
export function concatBatch(a: Arr, b: Arr): Arr {
  const data = new Float32Array(a.data.length + b.data.length);
  data.set(a.data);
  data.set(b.data, a.data.length);
  return { data, dims: [a.dims[0] + b.dims[0], ...a.dims.slice(1)] };
}

/** A D4 element `Rot^r ∘ F^m` on images (F = numpy.fliplr first, then numpy.rot90 r times). */
export interface El {
  readonly r: number;
  readonly m: number;
}

/**
 * Applies `Rot^r ∘ F^m` to every trailing H×W slice of an array (H = W), numpy semantics:
 * rot90: `out[i][j] = a[j][n-1-i]`; fliplr: `out[i][j] = a[i][n-1-j]`.
 */
export function applyEl(a: Arr, el: El): Arr {
  const n = a.dims[a.dims.length - 1];
  if (a.dims[a.dims.length - 2] !== n) throw new RangeError('applyEl needs square maps');
  const slices = a.data.length / (n * n);
  let cur = a.data;
  if (el.m === 1) {
    const next = new Float32Array(cur.length);
    for (let s = 0; s < slices; s += 1)
      for (let i = 0; i < n; i += 1) for (let j = 0; j < n; j += 1) next[s * n * n + i * n + j] = cur[s * n * n + i * n + (n - 1 - j)];
    cur = next;
  }
  for (let t = 0; t < el.r; t += 1) {
    const next = new Float32Array(cur.length);
    for (let s = 0; s < slices; s += 1)
      for (let i = 0; i < n; i += 1) for (let j = 0; j < n; j += 1) next[s * n * n + i * n + j] = cur[s * n * n + j * n + (n - 1 - i)];
    cur = next;
  }
  return { data: cur === a.data ? Float32Array.from(cur) : cur, dims: a.dims };
}

/** `x'[i, j] = x[(i+s) mod H, (j+s) mod W]` on every trailing H×W slice (SPEC translate, roll mode). */
export function roll(a: Arr, s: number): Arr {
  const h = a.dims[a.dims.length - 2];
  const w = a.dims[a.dims.length - 1];
  const slices = a.data.length / (h * w);
  const out = new Float32Array(a.data.length);
  for (let k = 0; k < slices; k += 1)
    for (let i = 0; i < h; i += 1)
      for (let j = 0; j < w; j += 1) out[k * h * w + i * w + j] = a.data[k * h * w + ((i + s) % h) * w + ((j + s) % w)];
  return { data: out, dims: a.dims };
}

/** Permutes the channel axis (axis 1) of `[N, K, ...]`: `out[:, k] = a[:, src(k)]`. */
export function permuteChannels(a: Arr, src: (k: number) => number): Arr {
  const k = a.dims[1];
  const per = a.data.length / (a.dims[0] * k);
  const out = new Float32Array(a.data.length);
  for (let n = 0; n < a.dims[0]; n += 1)
    for (let c = 0; c < k; c += 1) out.set(a.data.subarray((n * k + src(c)) * per, (n * k + src(c) + 1) * per), (n * k + c) * per);
  return { data: out, dims: a.dims };
}

/** max |a − b| / max(|b|), the relative error used for "equal up to float rounding". */
export function relDiff(a: Arr, b: Arr): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.data.length; i += 1) {
    num = Math.max(num, Math.abs(a.data[i] - b.data[i]));
    den = Math.max(den, Math.abs(b.data[i]));
  }
  return num / Math.max(den, 1e-30);
}

/** Pearson correlation in float64; NaN when either side has (near) zero variance (SPEC §3). */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i += 1) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i += 1) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  const sa = Math.sqrt(saa / n);
  const sb = Math.sqrt(sbb / n);
  if (sa < 1e-8 * (1 + Math.abs(ma)) || sb < 1e-8 * (1 + Math.abs(mb))) return Number.NaN;
  return sab / Math.sqrt(saa * sbb);
}

/** Cosine similarity in float64; NaN when either side is zero. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i += 1) {
    sab += a[i] * b[i];
    saa += a[i] * a[i];
    sbb += b[i] * b[i];
  }
  if (saa === 0 || sbb === 0) return Number.NaN;
  return sab / Math.sqrt(saa * sbb);
}

/** The non-identity input elements of a transform (translate: shifts 1 .. H/2−1). */
export function elementsOf(t: TransformName, size: number): ({ el: El } | { shift: number })[] {
  switch (t) {
    case 'rot90':
      return [1, 2, 3].map((r) => ({ el: { r, m: 0 } }));
    case 'hflip':
      return [{ el: { r: 0, m: 1 } }];
    case 'vflip':
      return [{ el: { r: 2, m: 1 } }]; // flipud = rot180 ∘ fliplr
    case 'd4':
      return [1, 2, 3, 4, 5, 6, 7].map((i) => ({ el: { r: i % 4, m: i >> 2 } }));
    case 'translate':
      return Array.from({ length: Math.min(32, Math.ceil(size / 2) - 1) }, (_, i) => ({ shift: i + 1 }));
  }
}

/** Applies one input element. */
export function applyElement(x: Arr, e: { el: El } | { shift: number }): Arr {
  return 'el' in e ? applyEl(x, e.el) : roll(x, e.shift);
}

/**
 * Reads a probe tensor per SPEC §1 as maps `[N, K, h, w]` or vectors `[N, K]` (returned with
 * h = w = 1). Token tensors `[N, T, D]` drop `prefix` tokens and become `[N, D, s, s]`.
 */
export function readLayer(a: Arr, prefix = 0): { data: Float32Array; n: number; k: number; h: number; w: number } {
  const [n] = a.dims;
  if (a.dims.length === 2) return { data: a.data, n, k: a.dims[1], h: 1, w: 1 };
  if (a.dims.length === 4) return { data: a.data, n, k: a.dims[1], h: a.dims[2], w: a.dims[3] };
  const [, t, d] = a.dims;
  const s = Math.round(Math.sqrt(t - prefix));
  if (s * s !== t - prefix) throw new RangeError(`tokens ${t} − ${prefix} is not a square`);
  const out = new Float32Array(n * d * s * s);
  for (let b = 0; b < n; b += 1)
    for (let p = 0; p < s * s; p += 1)
      for (let c = 0; c < d; c += 1) out[((b * d + c) * s * s) + p] = a.data[(b * t + prefix + p) * d + c];
  return { data: out, n, k: d, h: s, w: s };
}

type Sim = (a: ArrayLike<number>, b: ArrayLike<number>) => number;

/**
 * SPEC §4 layer scores (mean inv and eqv over defined pairs) of one layer for one transform,
 * from the layer read at x (`base`) and at each transformed input (`moved[e]`).
 */
export function scoreLayer(
  base: ReturnType<typeof readLayer>,
  moved: ReturnType<typeof readLayer>[],
  elements: ({ el: El } | { shift: number })[],
  inputSize: number,
  sim: Sim,
): { inv: number; eqv: number } {
  let invSum = 0;
  let invN = 0;
  let eqvSum = 0;
  let eqvN = 0;
  const { n, k, h, w } = base;
  if (h === 1 && w === 1) {
    // vectors: S over the images
    for (const mv of moved) {
      const col = (arr: Float32Array, c: number): number[] => Array.from({ length: n }, (_, i) => arr[i * k + c]);
      for (let c = 0; c < k; c += 1) {
        const a = col(mv.data, c);
        const inv = sim(a, col(base.data, c));
        if (Number.isFinite(inv)) {
          invSum += inv;
          invN += 1;
        }
        let best = -Infinity;
        for (let c2 = 0; c2 < k; c2 += 1) {
          const v = sim(a, col(base.data, c2));
          if (Number.isFinite(v)) best = Math.max(best, v);
        }
        if (Number.isFinite(best)) {
          eqvSum += best;
          eqvN += 1;
        }
      }
    }
    return { inv: invSum / invN, eqv: eqvSum / eqvN };
  }
  elements.forEach((e, ei) => {
    const mv = moved[ei];
    for (let i = 0; i < n; i += 1) {
      const one = (arr: Float32Array): Arr => ({ data: arr.subarray(i * k * h * w, (i + 1) * k * h * w), dims: [k, h, w] });
      let fPrime: Float32Array[];
      let tf: Float32Array[];
      const chans = (a: Arr, r0: number, c0: number, len: number): Float32Array[] =>
        Array.from({ length: k }, (_, c) => {
          const o = new Float32Array(len * len);
          for (let y = 0; y < len; y += 1) for (let x = 0; x < len; x += 1) o[y * len + x] = a.data[c * h * w + (r0 + y) * w + c0 + x];
          return o;
        });
      if ('el' in e) {
        fPrime = chans(one(mv.data), 0, 0, h);
        tf = chans(applyEl(one(base.data), e.el), 0, 0, h);
      } else {
        const d = Math.floor((e.shift * h) / inputSize + 0.5);
        fPrime = chans(one(mv.data), 0, 0, h - d);
        tf = chans(one(base.data), d, d, h - d);
      }
      for (let c = 0; c < k; c += 1) {
        const inv = sim(fPrime[c], tf[c]);
        if (Number.isFinite(inv)) {
          invSum += inv;
          invN += 1;
        }
        let best = -Infinity;
        for (let c2 = 0; c2 < k; c2 += 1) {
          const v = sim(fPrime[c], tf[c2]);
          if (Number.isFinite(v)) best = Math.max(best, v);
        }
        if (Number.isFinite(best)) {
          eqvSum += best;
          eqvN += 1;
        }
      }
    }
  });
  return { inv: invSum / invN, eqv: eqvSum / eqvN };
}

/** SPEC §5 parts of the probe's named layers: spatial ones before `pool` split in thirds. */
export function partsOf(probe: KnownAnswerNetwork): Map<string, Part> {
  const out = new Map<string, Part>();
  const idx = probe.layers.indexOf(probe.pool);
  const spatial = probe.layers.slice(0, idx);
  spatial.forEach((l, j) => out.set(l, spatialPart(j, spatial.length)));
  out.set(probe.pool, 'Pool');
  out.set(probe.final, 'Final');
  return out;
}

/** One checked expectation: the layer, its score and whether the bound held. */
export interface Checked {
  readonly expectation: Expectation;
  readonly layer: string;
  readonly value: number;
  readonly ok: boolean;
}

/**
 * Scores every named layer of a probe with the reference implementation on images `x`, and
 * checks every expectation against every single layer it covers (a part expectation must hold
 * for each layer of the part, which is stronger than for the part mean).
 */
export async function checkExpectations(probe: KnownAnswerNetwork, exposedBytes: Uint8Array, x: Arr): Promise<Checked[]> {
  const size = probe.inputShape[1];
  const parts = partsOf(probe);
  const prefix = (l: string): number => probe.tokens?.prefixTokens[l] ?? 0;
  const base = await runModel(exposedBytes, x);
  const out: Checked[] = [];
  for (const t of new Set(probe.expected.map((e) => e.transform))) {
    const els = elementsOf(t, size);
    const moved: Record<string, Arr>[] = [];
    for (const e of els) moved.push(await runModel(exposedBytes, applyElement(x, e)));
    const cache = new Map<string, { inv: number; eqv: number }>();
    for (const ex of probe.expected.filter((e) => e.transform === t)) {
      const layers = ex.layer ? [ex.layer] : probe.layers.filter((l) => parts.get(l) === ex.part);
      for (const l of layers) {
        const sim = ex.similarity === 'cosine' ? cosine : pearson;
        const key = `${l}/${ex.similarity ?? 'pearson'}`;
        let s = cache.get(key);
        if (!s) {
          s = scoreLayer(readLayer(base[l], prefix(l)), moved.map((m) => readLayer(m[l], prefix(l))), els, size, sim);
          cache.set(key, s);
        }
        const value = s[ex.score];
        const ok = (ex.atLeast === undefined || value >= ex.atLeast) && (ex.atMost === undefined || value <= ex.atMost);
        out.push({ expectation: ex, layer: l, value, ok });
      }
    }
  }
  return out;
}
