/**
 * Types shared by the known-answer networks: toy ONNX models whose invariance/equivariance scores are
 * known from mathematics, used to check equiprobe end to end (`equiprobe sanity`).
 */
import type { Part, ScoreName, ShiftMode, Similarity, TransformName } from '../types.js';

/**
 * One predicted score: for `transform`, the score `score` of a part (SPEC §5) or of one named
 * layer lies in `[atLeast, atMost]` (either bound may be absent).
 *
 * Exactly one of `part` and `layer` is set. Part expectations are written so that they hold for
 * every single layer the probe names in that part, so they do not depend on which subset of the
 * named tensors a probe set picks.
 *
 * @example
 * { transform: 'rot90', part: 'Early', score: 'inv', atLeast: 0.99, why: 'symmetric filters' }
 */
export interface Expectation {
  readonly transform: TransformName;
  readonly part?: Part;
  readonly layer?: string;
  readonly score: ScoreName;
  readonly atLeast?: number;
  readonly atMost?: number;
  /** Similarity the bound is for; Pearson (the default of SPEC §3) when absent. */
  readonly similarity?: Similarity;
  /** Input mode for `translate`; the expectation only holds in this mode. */
  readonly shiftMode?: ShiftMode;
  /** One sentence: the mathematical reason for the bound. */
  readonly why: string;
}

/**
 * How a token tensor `[N, T, D]` of a ViT probe must be read: `T = prefixTokens + grid²`,
 * tokens row-major over the `grid × grid` patch grid.
 */
export interface TokenLayout {
  readonly grid: number;
  readonly patch: number;
  /** Prefix tokens (CLS) of each named token tensor, by tensor name. */
  readonly prefixTokens: Readonly<Record<string, number>>;
}

/** A built known-answer network together with its predicted answers ("probe" elsewhere means a probed tensor). */
export interface KnownAnswerNetwork {
  readonly name: string;
  readonly description: string;
  /** Serialised ONNX model (opset 17, input `x` of shape `[N, ...inputShape]`, output `logits`). */
  readonly bytes: Uint8Array;
  /** Per-image input shape `[C, H, W]` with H = W. */
  readonly inputShape: readonly [number, number, number];
  readonly transforms: readonly TransformName[];
  readonly expected: readonly Expectation[];
  /** The named tensors worth probing, in topological order: spatial maps, then `pool`, then `final`. */
  readonly layers: readonly string[];
  /** The global-pool (SPEC §5 `Pool`) tensor. */
  readonly pool: string;
  /** The logits (SPEC §5 `Final`) tensor. */
  readonly final: string;
  /** Present for token models: how their token tensors form maps. */
  readonly tokens?: TokenLayout;
}

/** Options every network builder takes. */
export interface NetworkOptions {
  /**
   * Also declare every name in `layers` as a graph output (for tests that read intermediate
   * tensors directly). Off by default: the model then has the single output `logits`.
   */
  readonly exposeLayers?: boolean;
}
