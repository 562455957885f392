/**
 * result.json as written on disk. In memory a `ProbeReport` has camelCase fields (TypeScript
 * style); on disk every key is snake_case, like the CSV columns and the names in SPEC.md, so a
 * result reads the same in pandas, R and the docs. The conversion happens only here, at the write
 * and read boundary: new camelCase fields of `ProbeReport` are converted without changes here.
 *
 * On disk each layer also carries its probe's `part`, `op` and `depth` (so a layer reads on its
 * own), `skipped` is a boolean with the reason in `skip_reason` (null when scored), and an
 * element's `shift` is null except under translate (as the CSVs leave it empty).
 *
 * ProbeReport holds no maps keyed by data (layer names, files): every object key is a field
 * name, which is what makes the key conversion safe. Keep it that way (use arrays of records).
 */
import type { ElementScore, LayerScore, Part, ProbeReport } from '../types.js';

/** A group element's scores as written to disk: `shift` is null except under translate. */
export interface ElementScoreOnDisk extends Omit<ElementScore, 'shift'> {
  /** Diagonal input shift in pixels (translate), else null. */
  readonly shift: number | null;
}

/** A layer as written to disk (before the keys are snake_cased). */
export interface LayerScoreOnDisk extends Omit<LayerScore, 'skipped' | 'elements'> {
  readonly elements: readonly ElementScoreOnDisk[];
  /** Network part of the probe (SPEC §5), null between Pool and Final. */
  readonly part: Part | null;
  /** ONNX op type of the probe. */
  readonly op: string;
  /** Depth index of the probe (SPEC §4). */
  readonly depth: number;
  /** Whether the layer was left unscored for this transform. */
  readonly skipped: boolean;
  /** Why it was left unscored; null when it was scored. */
  readonly skipReason: string | null;
}

/** result.json before its keys are snake_cased: the JSON Schema in schema/ is generated from this type. */
export interface ProbeReportOnDisk extends Omit<ProbeReport, 'layers'> {
  readonly layers: readonly LayerScoreOnDisk[];
}

/** `undefinedPairs` → `undefined_pairs`. */
export function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** `undefined_pairs` → `undefinedPairs`. */
export function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** In-memory names that read differently on disk, so that pair counts are named alike (`defined_pairs`, `undefined_pairs`). */
const RENAMED: Readonly<Record<string, string>> = { defined: 'definedPairs' };
const RENAMED_BACK: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(RENAMED).map(([k, v]) => [v, k]));

/** The on-disk name of an in-memory field: `undefinedPairs` → `undefined_pairs`, `defined` → `defined_pairs`. */
export function diskKey(key: string): string {
  return snakeCase(RENAMED[key] ?? key);
}

/** The in-memory name of an on-disk field (the inverse of {@link diskKey}). */
export function memoryKey(key: string): string {
  const camel = camelCase(key);
  return RENAMED_BACK[camel] ?? camel;
}

/** Copies plain JSON data with every object key renamed. */
function renameKeys(value: unknown, rename: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => renameKeys(v, rename));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [rename(k), renameKeys(v, rename)]));
}

/**
 * Plain JSON data with every object key snake_cased, for the other JSON files equiprobe writes
 * (correlation.json, sanity.json), so that all of them read like result.json and the CSVs.
 *
 * @example
 * snakeKeys({ accuracySource: { kind: 'csv' } }); // { accuracy_source: { kind: 'csv' } }
 */
export function snakeKeys(value: unknown): unknown {
  return renameKeys(value, diskKey);
}

/**
 * The on-disk form of a report: layers enriched with part, op and depth, keys snake_cased.
 *
 * @param report - the in-memory report
 * @returns plain data for `toJson`
 * @example
 * toDisk(report).layers[0]; // { layer: 'conv1', transform: 'rot90', part: 'Early', op: 'Conv', depth: 0, …, skipped: false, skip_reason: null }
 */
export function toDisk(report: ProbeReport): unknown {
  const probes = new Map(report.probes.map((p) => [p.name, p]));
  const layers = report.layers.map(({ skipped, ...l }): LayerScoreOnDisk => {
    const p = probes.get(l.layer);
    const elements = l.elements.map((e) => ({ ...e, shift: l.transform === 'translate' ? e.shift : null }));
    return { ...l, elements, part: p?.part ?? null, op: p?.op ?? '', depth: p?.depth ?? -1, skipped: skipped !== undefined, skipReason: skipped ?? null };
  });
  const onDisk: ProbeReportOnDisk = { ...report, layers };
  return renameKeys(onDisk, diskKey);
}

/**
 * The in-memory report from its on-disk form (the inverse of {@link toDisk}).
 *
 * @param json - parsed result.json with snake_case keys
 * @returns the report with camelCase fields and layers as in memory
 */
export function fromDisk(json: unknown): ProbeReport {
  const onDisk = renameKeys(json, memoryKey) as ProbeReportOnDisk;
  const layers = (onDisk.layers ?? []).map(({ part: _p, op: _o, depth: _d, skipped, skipReason, elements, ...rest }): LayerScore => {
    const l = { ...rest, elements: (elements ?? []).map((e) => ({ ...e, shift: e.shift ?? 0 })) };
    return skipped ? { ...l, skipped: skipReason ?? '' } : l;
  });
  return { ...onDisk, layers } as ProbeReport;
}
