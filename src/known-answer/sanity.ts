/**
 * `equiprobe sanity`: measures the known-answer networks of this folder (toy ONNX models whose
 * invariance/equivariance is known from mathematics) with the real `measure()` pipeline and
 * checks every stated expectation, so a broken transform, reader or score shows up as a FAIL.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { buildKnownAnswerNetworks, type Expectation, type KnownAnswerNetwork } from './index.js';
import { measure, type MeasureResult } from '../pipeline.js';
import { spatialPart } from '../parts.js';
import { writeFilesAtomic } from '../report/atomic.js';
import { snakeKeys } from '../report/disk-format.js';
import { resultFiles, toJson } from '../report/write.js';
import { PARTS, TRANSFORM_NAMES, type Part, type ProbeReport, type ScoreName, type ShiftMode, type Similarity, type TransformName } from '../types.js';

/** Which expectations `runSanity` checks; see {@link SanityOptions.similarity}. */
export type SanitySimilarity = Similarity | 'both';

/** Options of {@link runSanity}; the `equiprobe sanity` flags map onto these one to one. */
export interface SanityOptions {
  /** Seeds the networks' random weights and the synthetic images (default 0). */
  readonly seed?: number;
  /**
   * Which expectations to check (default `'both'`).
   * - `'both'`: every expectation of every probe, each under the similarity it names (Pearson
   *   when it names none). `large_mean` is measured twice, so its Pearson rows (clearly below 1)
   *   stand next to its cosine rows (≈ 1): the contrast behind SPEC §3's choice of Pearson.
   * - `'pearson'`: only the Pearson expectations (no cosine measurement at all).
   * - `'cosine'`: emphasis on that contrast: only the networks that state cosine expectations
   *   (`large_mean`), with both their cosine and their Pearson rows.
   */
  readonly similarity?: SanitySimilarity;
  /** Synthetic images per measurement (default 16; vector scores need at least 3). */
  readonly images?: number;
  /** onnxruntime threads (default: all cores). */
  readonly threads?: number;
  /**
   * Result folder. When given: `probes/<name>.onnx`, one result folder per measurement
   * (`<probe>-<similarity>`, plus `-<mode>` for a translate shift mode other than crop),
   * `sanity.csv` and `sanity.json`. Without it the models go to a temporary folder that is removed.
   */
  readonly out?: string;
  /** Draw the PNG/SVG plots into each result folder (default true; only with `out`). */
  readonly plots?: boolean;
  /** Called after each forward pass with the measurement's label (`probe-similarity[-mode]`). */
  readonly onProgress?: (label: string, done: number, total: number) => void;
}

/** One checked expectation: what was predicted and what equiprobe measured. */
export interface SanityRow {
  readonly probe: string;
  readonly transform: TransformName;
  /** Translate input mode of the measurement; null for other transforms. */
  readonly shiftMode: ShiftMode | null;
  /** The part (SPEC §5) the expectation is about, or null when it names a layer. */
  readonly part: Part | null;
  /** The layer the expectation is about, or null when it names a part. */
  readonly layer: string | null;
  readonly score: ScoreName;
  readonly similarity: Similarity;
  /** The bound as text, e.g. `≥ 0.99`, `≤ 0.6` or `[0.2, 0.8]`. */
  readonly expected: string;
  readonly atLeast: number | null;
  readonly atMost: number | null;
  /** The measured part score or layer score; NaN when the part or layer has no score. */
  readonly measured: number;
  readonly pass: boolean;
  /** The mathematical reason for the bound (from the probe). */
  readonly why: string;
}

/** Text of the module's errors (kept here: they concern the networks, not user input). */
const sanityMessages = {
  badImages: (n: number) => `'images' must be a whole number ≥ 3 (vector scores need 3 images), got ${n}.`,
  probeSetMismatch: (probe: string, expected: string, got: string) =>
    `Network '${probe}': equiprobe probed [${got}] but the network documents [${expected}]. Check \`equiprobe layers\` on its model.`,
};

/** One `measure()` call: a probe under one similarity and (for translate) one shift mode. */
interface SanityRun {
  readonly label: string;
  readonly similarity: Similarity;
  readonly shiftMode: ShiftMode;
  readonly transforms: TransformName[];
  readonly expectations: Expectation[];
}

/** Whether an expectation is checked under the chosen `similarity` option. */
function selected(probe: KnownAnswerNetwork, e: Expectation, choice: SanitySimilarity): boolean {
  const sim = e.similarity ?? 'pearson';
  if (choice === 'both') return true;
  if (choice === 'pearson') return sim === 'pearson';
  return probe.expected.some((x) => x.similarity === 'cosine');
}

/** Groups a probe's selected expectations into measurements (one per similarity and shift mode). */
function runsOf(probe: KnownAnswerNetwork, choice: SanitySimilarity): SanityRun[] {
  const runs = new Map<string, SanityRun>();
  for (const e of probe.expected.filter((x) => selected(probe, x, choice))) {
    const similarity = e.similarity ?? 'pearson';
    // SPEC §2: crop is the default input mode; the mode only matters for translate.
    const shiftMode = e.transform === 'translate' ? (e.shiftMode ?? 'crop') : 'crop';
    const label = `${probe.name}-${similarity}${shiftMode === 'crop' ? '' : `-${shiftMode}`}`;
    let run = runs.get(label);
    if (!run) {
      run = { label, similarity, shiftMode, transforms: [], expectations: [] };
      runs.set(label, run);
    }
    if (!run.transforms.includes(e.transform)) run.transforms.push(e.transform);
    run.expectations.push(e);
  }
  return [...runs.values()];
}

/** Formats an expectation's bounds: `≥ a`, `≤ b` or `[a, b]`. */
function formatBound(atLeast: number | undefined | null, atMost: number | undefined | null): string {
  const has = (v: number | undefined | null): v is number => v !== undefined && v !== null;
  if (has(atLeast) && has(atMost)) return `[${atLeast}, ${atMost}]`;
  if (has(atLeast)) return `≥ ${atLeast}`;
  if (has(atMost)) return `≤ ${atMost}`;
  return 'any';
}

/** The measured value an expectation is about: a part score, or a layer's mean score. */
function measuredValue(report: ProbeReport, e: Expectation): number {
  if (e.layer !== undefined) {
    const layer = report.layers.find((l) => l.layer === e.layer && l.transform === e.transform);
    return layer && !layer.skipped ? (layer[e.score].mean ?? Number.NaN) : Number.NaN;
  }
  const part = report.parts.find((p) => p.part === e.part && p.transform === e.transform);
  return part?.[e.score] ?? Number.NaN;
}

function checkRow(probe: KnownAnswerNetwork, run: SanityRun, report: ProbeReport, e: Expectation): SanityRow {
  const measured = measuredValue(report, e);
  const pass = Number.isFinite(measured) && (e.atLeast === undefined || measured >= e.atLeast) && (e.atMost === undefined || measured <= e.atMost);
  return {
    probe: probe.name,
    transform: e.transform,
    shiftMode: e.transform === 'translate' ? run.shiftMode : null,
    part: e.part ?? null,
    layer: e.layer ?? null,
    score: e.score,
    similarity: run.similarity,
    expected: formatBound(e.atLeast, e.atMost),
    atLeast: e.atLeast ?? null,
    atMost: e.atMost ?? null,
    measured,
    pass,
    why: e.why,
  };
}

/**
 * SPEC §5 parts of a probe's documented layers: the spatial ones before `pool` split in thirds by
 * index, then `pool` and `final`. The probe's expectations were written for this split.
 */
function documentedParts(probe: KnownAnswerNetwork): (Part | null)[] {
  const spatial = probe.layers.indexOf(probe.pool);
  return probe.layers.map((l, j) => (l === probe.pool ? 'Pool' : l === probe.final ? 'Final' : j < spatial ? spatialPart(j, spatial) : null));
}

/**
 * The probe set must be exactly the probe's documented `layers`, with the parts its expectations
 * assume; otherwise a PASS or FAIL would say nothing about the scores.
 */
function checkProbeSet(probe: KnownAnswerNetwork, report: ProbeReport): void {
  const describe = (names: readonly string[], parts: readonly (Part | null)[]) => names.map((n, i) => `${n}:${parts[i] ?? '-'}`).join(', ');
  const expected = describe(probe.layers, documentedParts(probe));
  const got = describe(report.probes.map((p) => p.name), report.probes.map((p) => p.part));
  if (got !== expected) throw new Error(sanityMessages.probeSetMismatch(probe.name, expected, got));
}

const SCORES: readonly ScoreName[] = ['inv', 'eqv'];

/** Table order within a probe: transform, then part (Early…Final, named layers last), score, similarity. */
function compareRows(a: SanityRow, b: SanityRow): number {
  const place = (r: SanityRow) => (r.part ? PARTS.indexOf(r.part) : PARTS.length);
  return (
    TRANSFORM_NAMES.indexOf(a.transform) - TRANSFORM_NAMES.indexOf(b.transform) ||
    place(a) - place(b) ||
    (a.layer ?? '').localeCompare(b.layer ?? '') ||
    SCORES.indexOf(a.score) - SCORES.indexOf(b.score) ||
    b.similarity.localeCompare(a.similarity)
  );
}

/** `sanity.csv`: one row per checked expectation. */
function sanityCsv(rows: readonly SanityRow[]): string {
  const round = (v: number) => (Number.isFinite(v) ? Number(v.toFixed(6)) : '');
  return stringify(
    rows.map((r) => ({ ...r, shiftMode: r.shiftMode ?? '', part: r.part ?? '', layer: r.layer ?? '', atLeast: r.atLeast ?? '', atMost: r.atMost ?? '', measured: round(r.measured), pass: String(r.pass) })),
    { header: true, columns: ['probe', 'transform', 'shiftMode', 'part', 'layer', 'score', 'similarity', 'expected', 'atLeast', 'atMost', 'measured', 'pass', 'why'] },
  );
}

/**
 * Builds every known-answer network, measures it with `measure()` on seeded synthetic images and checks
 * each of its expectations against the measured part score (or layer score, when the
 * expectation names a layer).
 *
 * Each probe is measured with `layers` set to exactly its documented layer names, and with its own `pool`/`final`, so the SPEC §5 parts are the ones its expectations
 * assume (a mismatch throws). One measurement per (similarity, translate shift mode) the probe's
 * expectations need.
 *
 * @param options - seed, similarity selection, image count, threads, optional result folder
 * @returns one row per checked expectation: probes in `buildKnownAnswerNetworks` order, then by transform,
 *   part (Early…Final, then named layers), score (inv before eqv) and similarity (Pearson first)
 * @throws Error when equiprobe's probe set for a probe differs from the probe's documented layers
 * @example
 * const rows = await runSanity({ images: 8, threads: 2 });
 * rows[0]; // { probe: 'gaussian_inv', transform: 'rot90', part: 'Early', score: 'inv', expected: '≥ 0.99', measured: 1, pass: true, ... }
 * rows.every((r) => r.pass); // true
 */
export async function runSanity(options: SanityOptions = {}): Promise<SanityRow[]> {
  const seed = options.seed ?? 0;
  const images = options.images ?? 16;
  if (!Number.isInteger(images) || images < 3) throw new RangeError(sanityMessages.badImages(images));
  const choice = options.similarity ?? 'both';
  const modelDir = options.out ? path.join(options.out, 'probes') : await mkdtemp(path.join(tmpdir(), 'equiprobe-sanity-'));
  const rows: SanityRow[] = [];
  try {
    await mkdir(modelDir, { recursive: true });
    for (const probe of buildKnownAnswerNetworks(seed)) {
      const runs = runsOf(probe, choice);
      if (runs.length === 0) continue;
      const model = path.join(modelDir, `${probe.name}.onnx`);
      await writeFile(model, probe.bytes);
      const probeRows: SanityRow[] = [];
      for (const run of runs) {
        const result: MeasureResult = await measure({
          model,
          transforms: run.transforms,
          synthetic: images,
          seed,
          shiftMode: run.shiftMode,
          similarity: run.similarity,
          layers: probe.layers,
          pool: probe.pool,
          final: probe.final,
          threads: options.threads,
          onProgress: options.onProgress ? (done, total) => options.onProgress!(run.label, done, total) : undefined,
        });
        checkProbeSet(probe, result.report);
        probeRows.push(...run.expectations.map((e) => checkRow(probe, run, result.report, e)));
        if (options.out) await writeFilesAtomic(path.join(options.out, run.label), await resultFiles(result.report, options.plots ?? true));
      }
      rows.push(...probeRows.sort(compareRows));
    }
    if (options.out) {
      const summary = { seed, images, similarity: choice, passed: rows.filter((r) => r.pass).length, checks: rows.length, rows };
      await writeFilesAtomic(options.out, [
        { name: 'sanity.csv', content: sanityCsv(rows) },
        { name: 'sanity.json', content: toJson(snakeKeys(summary)) },
      ]);
    }
  } finally {
    if (!options.out) await rm(modelDir, { recursive: true, force: true });
  }
  return rows;
}
