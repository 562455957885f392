/**
 * Small fake ProbeReports for analysis and report tests: 9 spatial probes (3 per part),
 * a Pool vector, a hidden vector with no part, and Final logits; scores follow simple
 * formulas so tests can predict them.
 */
import type {
  ElementScore,
  LayerScore,
  Part,
  PartScore,
  ProbeInfo,
  ProbeReport,
  ScoreStats,
  TransformName,
} from '../../src/types.js';

/** Options of {@link makeReport}. */
export interface FakeReportOptions {
  readonly name: string;
  readonly transforms?: readonly TransformName[];
  /** Scales all scores; different models get different part scores. */
  readonly quality?: number;
  /** Top-1 accuracy stored in the report, or null for no labels. */
  readonly top1?: number | null;
  readonly similarity?: 'pearson' | 'cosine';
  /** Translation shifts of the fake run. */
  readonly shifts?: readonly number[];
}

const SPATIAL = 9;

/** Stats with a given mean and fixed spread/counts. */
export function stats(mean: number): ScoreStats {
  return { mean, std: 0.1, defined: 100, undefinedPairs: 0, nearConstant: 0, oneSided: 0 };
}

function probe(depth: number, name: string, op: string, part: Part | null, vector: boolean): ProbeInfo {
  return {
    name,
    op,
    depth,
    kind: vector ? 'vector' : 'map',
    format: vector ? 'NC' : 'NCHW',
    dims: vector ? [8, 16] : [8, 16, 8, 8],
    batchAxis: 0,
    channels: 16,
    h: vector ? 1 : 8,
    w: vector ? 1 : 8,
    prefixTokens: 0,
    part,
  };
}

/** Fake invariance of layer `depth` (0…11); the first layer is slightly negative. */
export function fakeInv(depth: number, quality: number): number {
  return quality * (depth / 11) * 0.8 - 0.05;
}

/** Fake equivariance, always ≥ invariance. */
export function fakeEqv(depth: number, quality: number): number {
  return Math.min(1, fakeInv(depth, quality) + 0.25 * (1 - depth / 11));
}

/**
 * A ProbeReport satisfying the type, with 12 probes:
 * depth 0–8 spatial (Early 0–2, Middle 3–5, Late 6–8), 9 Pool, 10 hidden vector (no part), 11 Final.
 */
export function makeReport(options: FakeReportOptions): ProbeReport {
  const transforms = options.transforms ?? ['rot90', 'translate'];
  const q = options.quality ?? 1;
  const shifts = options.shifts ?? [1, 2, 4, 8, 16];
  const probes: ProbeInfo[] = [];
  const spatialPart = (j: number): Part => (['Early', 'Middle', 'Late'] as const)[Math.floor((3 * j) / SPATIAL)];
  for (let j = 0; j < SPATIAL; j++) probes.push(probe(j, `/stage${j}/Relu_output_0`, 'Relu', spatialPart(j), false));
  probes.push(probe(9, '/pool/GlobalAveragePool_output_0', 'GlobalAveragePool', 'Pool', true));
  probes.push(probe(10, '/fc1/Relu_output_0', 'Relu', null, true));
  probes.push(probe(11, 'logits', 'Gemm', 'Final', true));

  const layers: LayerScore[] = [];
  const parts: PartScore[] = [];
  for (const transform of transforms) {
    for (const p of probes) {
      const inv = fakeInv(p.depth, q);
      const eqv = fakeEqv(p.depth, q);
      const elements: ElementScore[] =
        transform === 'translate'
          ? shifts.map((s) => ({ key: `s${s}`, shift: s, inv: stats(inv * (1 - s / 40)), eqv: stats(eqv * (1 - s / 60)) }))
          : [1, 2, 3].map((k) => ({ key: `k${k}`, shift: 0, inv: stats(inv), eqv: stats(eqv) }));
      layers.push({ layer: p.name, transform, inv: stats(inv), eqv: stats(eqv), elements });
    }
    for (const part of ['Early', 'Middle', 'Late', 'Pool', 'Final'] as const) {
      const members = probes.filter((p) => p.part === part);
      const mean = (f: (d: number) => number): number => members.reduce((s, p) => s + f(p.depth), 0) / members.length;
      parts.push({
        part,
        transform,
        inv: mean((d) => fakeInv(d, q)),
        eqv: mean((d) => fakeEqv(d, q)),
        layers: members.length,
      });
    }
  }

  return {
    schemaVersion: 2,
    tool: { name: 'equiprobe', version: '0.1.0', onnxruntime: '1.30.0' },
    model: {
      name: options.name,
      path: `/models/${options.name}.onnx`,
      sha256: 'ab'.repeat(32),
      input: { name: 'x', layout: 'NCHW', channels: 3, height: 32, width: 32, fixedBatch: null },
    },
    config: {
      transforms,
      images: null,
      synthetic: 8,
      seed: 0,
      preprocessing: { preset: 'imagenet', size: 32, resize: 36, channels: 3, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
      shifts,
      shiftMode: 'crop',
      layers: 'default',
      include: null,
      exclude: null,
      similarity: options.similarity ?? 'pearson',
      maxImages: null,
      batch: 8,
      threads: 1,
      labels: null,
      shard: null,
    },
    images: { used: 8, skipped: [], conversions: [] },
    probes,
    layers,
    parts,
    accuracy:
      options.top1 === undefined || options.top1 === null
        ? null
        : { images: 8, top1: options.top1, transforms: [] },
    warnings: [],
    createdAt: '2025-01-01T00:00:00.000Z',
  };
}
