/**
 * The types that flow between equiprobe's stages (model → probe set → transforms → forward
 * passes → scores → aggregation → report). `ProbeReport` is also the JSON written as
 * `result.json`, so everything here must stay plain data.
 */

/** What a probe tensor is, per image, once read: a spatial map, a token grid read as a map, or a vector. */
export type ProbeKind = 'map' | 'tokens' | 'vector';

/**
 * How a raw probe tensor is laid out (batch axis included). Explicit, never guessed at read time:
 * `NCHW`/`NHWC` maps, `NLC` tokens `[N,T,D]`, `NCL` token-mixing transposes `[N,D,T]`,
 * `LNC` sequence-first tokens `[T,N,D]`, `NC` vectors (also `[N,K,1,1]`).
 */
export type TensorFormat = 'NCHW' | 'NHWC' | 'NLC' | 'NCL' | 'LNC' | 'NC';

/** Network part of SPEC §5. Vector layers between Pool and Final belong to none (`null`). */
export type Part = 'Early' | 'Middle' | 'Late' | 'Pool' | 'Final';
export const PARTS: readonly Part[] = ['Early', 'Middle', 'Late', 'Pool', 'Final'];

/** One of the two scores of SPEC §4: invariance or equivariance (the `inv` / `eqv` fields and columns). */
export type ScoreName = 'inv' | 'eqv';

export type TransformName = 'rot90' | 'translate' | 'hflip' | 'vflip' | 'd4';
export const TRANSFORM_NAMES: readonly TransformName[] = ['rot90', 'translate', 'hflip', 'vflip', 'd4'];

export type ShiftMode = 'crop' | 'roll' | 'zero';
export type Similarity = 'pearson' | 'cosine';

/**
 * One probed layer, like timm's FeatureInfo: name (the ONNX tensor name), op type, layout and
 * per-image size. `channels × h × w` is the map read per image (h = w = 1 for vectors).
 */
export interface ProbeInfo {
  readonly name: string;
  readonly op: string;
  /** Position in topological order among the probes (0-based): the depth index of SPEC §4. */
  readonly depth: number;
  readonly kind: ProbeKind;
  readonly format: TensorFormat;
  /** Raw tensor shape as seen in the discovery forward pass, batch axis included. */
  readonly dims: readonly number[];
  readonly batchAxis: number;
  readonly channels: number;
  readonly h: number;
  readonly w: number;
  /** Prefix tokens (CLS, distillation) dropped before reading tokens as a grid. */
  readonly prefixTokens: number;
  readonly part: Part | null;
}

/** A candidate tensor that is not probed because its layout could not be read (SPEC §1), with the reason. */
export interface NotProbed {
  readonly name: string;
  readonly op: string;
  readonly dims: readonly number[];
  readonly reason: string;
}

/** The model's image input, as detected from its ONNX signature. */
export interface InputInfo {
  readonly name: string;
  readonly layout: 'NCHW' | 'NHWC';
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  /** Fixed batch size, or null when the batch axis is dynamic. */
  readonly fixedBatch: number | null;
}

/** One non-identity group element g of a transform, e.g. `rot90` k = 1 or `translate` s = 4. */
export interface GroupElement {
  readonly transform: TransformName;
  /** Stable key used in CSV/JSON: `k1`, `s4`, `hflip`, `r1`, `m0` (d4: `mk` = k quarter turns after a horizontal flip). */
  readonly key: string;
  /** Quarter turns counter-clockwise (0–3), applied after the optional horizontal flip; for translate, 0. */
  readonly quarterTurns: number;
  readonly flip: boolean;
  /** Diagonal input shift in pixels (translate only, else 0). */
  readonly shift: number;
}

/**
 * Mean, standard deviation (ddof = 1) and pair counts of one score over the defined set D of
 * (c, g, i) (SPEC §3–§4). Mean is null when D is empty, std when |D| < 2. The counts are the same
 * for inv and eqv: they share D.
 */
export interface ScoreStats {
  readonly mean: number | null;
  readonly std: number | null;
  /** |D|. */
  readonly defined: number;
  /** Pairs with a constant side. */
  readonly undefinedPairs: number;
  /** Pairs in D with a side whose σ is within 100× of the constant threshold. */
  readonly nearConstant: number;
  /** Undefined pairs with exactly one constant side (a channel that switches on or off under g). */
  readonly oneSided: number;
}

/** Scores of one layer for one group element. */
export interface ElementScore {
  readonly key: string;
  readonly shift: number;
  readonly inv: ScoreStats;
  readonly eqv: ScoreStats;
}

/**
 * How sure a score is and how much of it is chance (SPEC §4b): a 95 % interval (bootstrap over
 * images for maps and Early/Middle/Late, block jackknife for vectors, Pool and Final), the chance
 * level (the same score of image j's transformed features against its null partner's), and the
 * score above it.
 */
export interface ScoreUncertainty {
  readonly lo: number | null;
  readonly hi: number | null;
  /** Why there is no interval (`fewer_than_40_images`, `no_defined_pair`, `not_scored`). */
  readonly intervalReason?: string;
  /** Chance level (`inv_null`/`eqv_null`). */
  readonly chance: number | null;
  /** score − chance. */
  readonly above: number | null;
  /** (score − chance)/(1 − chance), unclipped. */
  readonly excess: number | null;
  /** Why there is no chance level or excess (`chance_saturated`, `no_null_pairs`). */
  readonly excessReason?: string;
}

/** Uncertainty of the inv and eqv scores of a layer or part. */
export interface Uncertainty {
  readonly inv: ScoreUncertainty;
  readonly eqv: ScoreUncertainty;
}

/** Scores of one layer under one transform (all its group elements pooled, and per element). */
export interface LayerScore {
  readonly layer: string;
  readonly transform: TransformName;
  readonly inv: ScoreStats;
  readonly eqv: ScoreStats;
  readonly elements: readonly ElementScore[];
  /** Why the layer was not scored for this transform (e.g. a non-square map under rot90). */
  readonly skipped?: string;
  /** Interval and chance level (absent in results written before they existed). */
  readonly uncertainty?: Uncertainty;
}

/** Mean of a part's layer scores (each layer weighs the same), SPEC §5; null when no layer of the part has a defined pair. */
export interface PartScore {
  readonly part: Part;
  readonly transform: TransformName;
  readonly inv: number | null;
  readonly eqv: number | null;
  readonly layers: number;
  /** Interval and chance level (absent in results written before they existed). */
  readonly uncertainty?: Uncertainty;
}

/** Top-1 accuracy and prediction consistency, SPEC §7 (only with labels). */
export interface AccuracyReport {
  readonly images: number;
  readonly top1: number;
  /** Per transform: accuracy per element, group average including the identity, unchanged fraction per element. */
  readonly transforms: readonly {
    readonly transform: TransformName;
    readonly groupAverage: number;
    readonly elements: readonly { readonly key: string; readonly top1: number; readonly unchanged: number }[];
  }[];
}

/** Preprocessing applied to image files (torchvision-style resize then centre crop, then normalise). */
export interface Preprocessing {
  readonly preset: 'imagenet' | 'fmnist' | 'none' | 'custom';
  /** Crop height (and width, for a square input). */
  readonly size: number;
  /** Crop width when the input is not square (SPEC §1: H and W may differ); absent for a square input. */
  readonly width?: number;
  /** Shorter side is resized to this before the centre crop of `size` (non-square: the image is scaled by resize/size beyond covering the crop). */
  readonly resize: number;
  readonly channels: number;
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** Everything that determines a measurement's numbers; stored in every result. */
export interface MeasureConfig {
  readonly transforms: readonly TransformName[];
  readonly images: string | null;
  readonly synthetic: number | null;
  readonly seed: number;
  readonly preprocessing: Preprocessing;
  readonly shifts: readonly number[];
  readonly shiftMode: ShiftMode;
  /** The preset, or the tensor names given as `layers`. */
  readonly layers: 'default' | 'all' | 'blocks' | readonly string[];
  readonly include: string | null;
  readonly exclude: string | null;
  readonly similarity: Similarity;
  readonly maxImages: number | null;
  readonly batch: number;
  /** Images of the null order whose map null is scored (`--null-images`, SPEC §4b); absent in results written before it existed. */
  readonly nullImages?: number;
  readonly threads: number;
  readonly labels: string | null;
  /** `--shard i/n`: this result holds images j with j mod count = index; null for a whole run or a merge. */
  readonly shard: { readonly index: number; readonly count: number } | null;
}

/** The `schema_version` of result.json that this equiprobe writes (the one place it is written). */
export const SCHEMA_VERSION = 2;

/** The whole result of `measure`: written as result.json, read back by correlate/compare/report. */
export interface ProbeReport {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly tool: { readonly name: 'equiprobe'; readonly version: string; readonly onnxruntime: string };
  readonly model: { readonly name: string; readonly path: string; readonly sha256: string; readonly input: InputInfo };
  readonly config: MeasureConfig;
  readonly images: {
    readonly used: number;
    readonly skipped: readonly { readonly file: string; readonly reason: string }[];
    /** Image files per channel conversion done on decoding (`none`, `rgba→rgb`, `rgb→gray`, …); empty for synthetic images. */
    readonly conversions: readonly { readonly conversion: string; readonly images: number }[];
  };
  readonly probes: readonly ProbeInfo[];
  /** Candidates of the probe set left out because their layout could not be read, with the reason (absent in older results). */
  readonly notProbed?: readonly NotProbed[];
  readonly layers: readonly LayerScore[];
  readonly parts: readonly PartScore[];
  readonly accuracy: AccuracyReport | null;
  readonly warnings: readonly string[];
  readonly createdAt: string;
}
