import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { accuracyReport } from '../aggregate/accuracy.js';
import { summarizeLayers } from '../aggregate/layers.js';
import { aggregateParts } from '../aggregate/parts.js';
import { undefinedWarnings } from '../aggregate/undefined.js';
import { messages } from '../messages.js';
import type { MetricEngine } from '../scores/metric.js';
import { scoreVectors } from '../scores/pairs.js';
import { elementId, originId, type ElementSums, type MeasureState } from '../scores/state.js';
import { emptySums } from '../scores/sums.js';
import type { GroupElement, InputInfo, MeasureConfig, NotProbed, ProbeInfo, ProbeReport, TransformName } from '../types.js';
import { toolVersion } from './version.js';

/** What a report is built from besides the state: all of it is stored in result.json, so `merge` can rebuild it. */
export interface RunDescription {
  readonly model: { readonly name: string; readonly path: string; readonly sha256: string };
  readonly input: InputInfo;
  readonly config: MeasureConfig;
  readonly probes: readonly ProbeInfo[];
  /** Candidates left out because their layout could not be read, with the reason (SPEC §1). */
  readonly notProbed?: readonly NotProbed[];
  readonly elements: ReadonlyMap<TransformName, readonly GroupElement[]>;
  /** `probe\0transform` → reason. */
  readonly skippedLayers: ReadonlyMap<string, string>;
}

/** Map sums from the state plus vector-layer sums computed over all images (SPEC §4: at least 3). */
async function finalSums(run: RunDescription, state: MeasureState, engine: MetricEngine): Promise<Record<string, Record<string, Record<string, ElementSums>>>> {
  const sums = structuredClone(state.maps);
  for (const probe of run.probes) {
    if (probe.kind !== 'vector') continue;
    sums[probe.name] = {};
    const stored = state.vectors[probe.name];
    for (const [t, list] of run.elements) {
      // A transform with its own untransformed view (translate in crop mode) is compared with it.
      const original = (stored[originId(t)] ?? stored.original).map((v) => Float32Array.from(v));
      sums[probe.name][t] = {};
      for (const g of list) {
        const s = { inv: emptySums(), eqv: emptySums() };
        if (original.length >= 3 && !state.nonFinite.includes(probe.name)) {
          const moved = stored[elementId(t, g.key)].map((v) => Float32Array.from(v));
          await scoreVectors(engine, moved, original, probe.channels, s.inv, s.eqv);
        }
        sums[probe.name][t][g.key] = s;
      }
    }
  }
  return sums;
}

/**
 * Stage 6: scores vector layers over all images, then summarises layers, parts and accuracy
 * into the `ProbeReport`.
 *
 * @param onWarning - told each layer and part left with no defined pair (also kept in `warnings`)
 */
export async function finalizeReport(run: RunDescription, state: MeasureState, engine: MetricEngine, onWarning?: (message: string) => void): Promise<ProbeReport> {
  const sums = await finalSums(run, state, engine);
  const used = state.predictions.original.length;
  const warnings = state.nonFinite.map((name) => messages.nonFinite(name));
  if (used < 3 && run.probes.some((p) => p.kind === 'vector')) warnings.push(messages.tooFewImages(used));
  const notProbed = run.notProbed ?? [];
  if (notProbed.length > 0) warnings.push(messages.notProbed(notProbed.length));
  const layers = summarizeLayers(run.probes, run.elements, sums, run.skippedLayers);
  const flagged = new Set(state.nonFinite);
  const parts = aggregateParts(run.probes, layers, flagged);
  for (const w of undefinedWarnings(layers, parts, flagged)) {
    warnings.push(w);
    onWarning?.(w);
  }
  return {
    schemaVersion: 1,
    tool: { name: 'equiprobe', version: toolVersion(), onnxruntime: ort.env.versions.common ?? 'unknown' },
    model: { ...run.model, input: run.input },
    config: run.config,
    // Skipped files are kept by path in the state (to match on resume) and reported relative to the folder.
    images: { used, skipped: state.skipped.map((s) => ({ file: run.config.images ? path.relative(run.config.images, s.file) : s.file, reason: s.reason })) },
    probes: run.probes,
    notProbed,
    layers,
    parts,
    accuracy: state.labels ? accuracyReport(state.predictions, state.labels, run.elements) : null,
    warnings,
    createdAt: new Date().toISOString(),
  };
}
