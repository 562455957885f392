/**
 * Reads results back from disk for the analysis commands (`correlate`, `compare`, `report`):
 * a result folder or its result.json, checked to be an equiprobe ProbeReport of a schema
 * version this equiprobe understands.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import * as msg from './command-messages.js';
import { SCHEMA_VERSION, type ProbeReport } from '../types.js';
import { fromDisk } from './disk-format.js';

/** Version 1 (camelCase keys, no layer part/op/depth) is still read, as it is. */
const LEGACY_SCHEMA_VERSION = 1;

/** File name of the report inside a result folder. */
export const RESULT_JSON = 'result.json';

/** One result read from disk, with the path it came from. */
export interface LoadedReport {
  /** The path as given (folder or file). */
  readonly source: string;
  /** The result.json actually read. */
  readonly file: string;
  readonly report: ProbeReport;
}

/**
 * Reads one result: a result folder (its result.json is read) or a result.json path.
 *
 * @param source - Folder written by `equiprobe measure`, or a JSON file.
 * @returns The report with the path it was read from.
 * @throws Error with a one-line message when the path is missing, unreadable, not JSON, not an
 *   equiprobe result, of another schema version, or lacks the fields the analysis uses.
 * @example
 * const { report } = await readReport('results/resnet18'); // report.model.name === 'resnet18'
 */
export async function readReport(source: string): Promise<LoadedReport> {
  let file = source;
  try {
    if ((await stat(source)).isDirectory()) file = path.join(source, RESULT_JSON);
  } catch {
    throw new Error(msg.resultMissing(source));
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT' && file !== source) throw new Error(msg.noResultJson(source));
    throw new Error(msg.resultUnreadable(file, e.code ?? e.message));
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(msg.resultNotJson(file, (err as Error).message.split('\n')[0]));
  }
  return { source, file, report: checkReport(json, file) };
}

/**
 * Reads several results in the order given (see {@link readReport}); the first bad path
 * in that order is the one reported.
 *
 * @param sources - Result folders or result.json paths.
 * @returns One entry per path, in order.
 * @throws RangeError when `sources` is empty; Error for the first unreadable result.
 * @example
 * const loaded = await readReports(['results/r18', 'results/r50/result.json']);
 * loaded.map((l) => l.report.model.name); // ['r18', 'r50']
 */
export async function readReports(sources: readonly string[]): Promise<LoadedReport[]> {
  if (sources.length === 0) throw new RangeError(msg.noResults());
  const out: LoadedReport[] = [];
  for (const source of sources) out.push(await readReport(source));
  return out;
}

/** Checks that parsed JSON is a ProbeReport of the supported schema, as far as the analysis relies on it. */
function checkReport(json: unknown, file: string): ProbeReport {
  const legacy = isRecord(json) && json.schemaVersion === LEGACY_SCHEMA_VERSION;
  const obj = !isRecord(json) ? null : legacy ? json : (fromDisk(json) as unknown as Record<string, unknown>);
  const tool = obj && isRecord(obj.tool) ? obj.tool : null;
  if (obj === null || !('schemaVersion' in obj) || tool?.name !== 'equiprobe') throw new Error(msg.notEquiprobeResult(file));
  if (obj.schemaVersion !== SCHEMA_VERSION && !legacy) throw new Error(msg.unsupportedSchema(file, obj.schemaVersion, SCHEMA_VERSION));
  const model = isRecord(obj.model) ? obj.model : null;
  const config = isRecord(obj.config) ? obj.config : null;
  const required: [string, boolean][] = [
    ['model.name', typeof model?.name === 'string'],
    ['config.transforms', Array.isArray(config?.transforms)],
    ['probes', Array.isArray(obj.probes)],
    ['layers', Array.isArray(obj.layers)],
    ['parts', Array.isArray(obj.parts)],
  ];
  const missing = required.find(([, ok]) => !ok);
  if (missing) throw new Error(msg.resultIncomplete(file, missing[0]));
  return obj as unknown as ProbeReport;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
