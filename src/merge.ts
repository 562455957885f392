import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RuntimeOptions } from './forward/session.js';
import { finalizeReport } from './measure/finalize.js';
import { elementsFor, skippedLayerReasons, type MeasureResult } from './pipeline.js';
import { MetricEngine } from './scores/metric.js';
import { mergeStates, type MeasureState } from './scores/state.js';
import type { ProbeReport } from './types.js';

async function readJson<T>(file: string): Promise<T> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    throw new Error(`Cannot read '${file}'. Pass result folders written by \`equiprobe measure --shard i/n\`.`);
  }
}

/** Options that must agree between shards for their union to be one run. */
function runKey(report: ProbeReport): string {
  const { threads: _t, batch: _b, ...config } = report.config;
  return JSON.stringify({ sha256: report.model.sha256, config, probes: report.probes.map((p) => p.name) });
}

/**
 * Merges the results of disjoint image shards (`measure --shard i/n`) into exactly the result of
 * one run over all their images (SPEC §8): map-layer sums add, per-image vectors are re-joined
 * in sorted image order and vector layers are scored over all of them.
 *
 * @param dirs - result folders, each with result.json and state.json
 */
export async function mergeResults(dirs: readonly string[], options: RuntimeOptions = {}): Promise<MeasureResult> {
  if (dirs.length === 0) throw new RangeError('No result folders given. Pass the folders written by `equiprobe measure --shard i/n`.');
  const reports = await Promise.all(dirs.map((d) => readJson<ProbeReport>(path.join(d, 'result.json'))));
  const states = await Promise.all(dirs.map((d) => readJson<MeasureState>(path.join(d, 'state.json'))));
  const key = runKey(reports[0]);
  reports.forEach((r, i) => {
    if (runKey(r) !== key) throw new RangeError(`'${dirs[i]}' was measured with another model, options or probe set than '${dirs[0]}'; only shards of one run can be merged.`);
  });
  const seen = new Set<string>();
  for (const [i, s] of states.entries()) {
    for (const file of s.processed) {
      if (seen.has(file)) throw new RangeError(`Image '${file}' appears in more than one shard ('${dirs[i]}'); shards must be disjoint.`);
      seen.add(file);
    }
  }
  const state = mergeStates(states);
  const first = reports[0];
  const elements = elementsFor(first.config.transforms, first.config.shifts, first.model.input.height);
  const engine = await MetricEngine.open(first.config.similarity, options);
  try {
    const report = await finalizeReport(
      { model: first.model, input: first.model.input, config: first.config, probes: first.probes, notProbed: first.notProbed, elements, skippedLayers: skippedLayerReasons(first.probes, elements) },
      state,
      engine,
    );
    return { report, state };
  } finally {
    await engine.release();
  }
}
