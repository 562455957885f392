import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { accuracyReport } from '../aggregate/accuracy.js';
import { summarizeLayers } from '../aggregate/layers.js';
import { aggregateParts } from '../aggregate/parts.js';
import { undefinedWarnings } from '../aggregate/undefined.js';
import { compareCodeUnits } from '../images/files.js';
import { messages } from '../messages.js';
import type { CrossProduct } from '../scores/co-moments.js';
import { layerKey } from '../scores/keys.js';
import { elementId, originId, type ElementSums, type MeasureState } from '../scores/state.js';
import { emptySums } from '../scores/sums.js';
import type { AppendStore } from '../store/append-store.js';
import { SCHEMA_VERSION, type GroupElement, type InputInfo, type MeasureConfig, type NotProbed, type ProbeInfo, type ProbeReport, type TransformName } from '../types.js';
import { hasOwnViews } from './batch.js';
import { scoreVectorElement, type VectorSource } from './vector-scores.js';
import { vectorColumn } from './vectors.js';
import { rowLayout } from '../stats/per-image.js';
import { JACKKNIFE_MIN_IMAGES, TOO_FEW_FOR_JACKKNIFE } from '../stats/jackknife.js';
import { addUncertainty } from '../stats/uncertainty.js';
import { mapBootstrap } from './map-bootstrap.js';
import { vectorEstimates } from './vector-uncertainty.js';
import { toolVersion } from '../version.js';

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

/**
 * Map sums from the state plus vector-layer sums computed over all images (SPEC §4: at least 3),
 * from co-moments in the state or per-image vectors in the stores (one per shard), unless the
 * vector estimates already scored the element (`points`, keyed `layerKey(probe, element id)`).
 */
async function finalSums(
  run: RunDescription,
  state: MeasureState,
  rows: readonly AppendStore[],
  product: CrossProduct,
  points: ReadonlyMap<string, ElementSums>,
): Promise<Record<string, Record<string, Record<string, ElementSums>>>> {
  const sums = structuredClone(state.maps);
  for (const probe of run.probes) {
    if (probe.kind !== 'vector') continue;
    sums[probe.name] = {};
    for (const [t, list] of run.elements) {
      // A transform with its own untransformed view (translate in crop mode) is compared with it.
      const base = hasOwnViews(t, run.config.shiftMode) ? originId(t) : 'original';
      sums[probe.name][t] = {};
      for (const g of list) {
        const id = elementId(t, g.key);
        const scored = points.get(layerKey(probe.name, id));
        const s = scored ?? { inv: emptySums(), eqv: emptySums() };
        if (!scored && state.images >= 3 && !state.nonFinite.includes(probe.name)) {
          const moments = state.moments[probe.name]?.[id];
          const stores = rows.filter((store) => store.columns.some((c) => c.name === vectorColumn(probe.name, id)));
          const sources: VectorSource[] = [...(moments ? [{ moments }] : []), ...stores.map((store) => ({ rows: store }))];
          await scoreVectorElement(probe, id, base, sources, run.config.similarity === 'pearson', product, s);
        }
        sums[probe.name][t][g.key] = s;
      }
    }
  }
  return sums;
}

/** Now, or SOURCE_DATE_EPOCH (seconds) when set, as reproducible builds do: re-runs then write identical bytes. */
function createdAt(): string {
  const epoch = Number(process.env.SOURCE_DATE_EPOCH);
  return new Date(process.env.SOURCE_DATE_EPOCH && Number.isFinite(epoch) ? epoch * 1000 : Date.now()).toISOString();
}

/**
 * Stage 6: scores vector layers over all images, then summarises layers, parts and accuracy
 * into the `ProbeReport`, with intervals and chance levels (SPEC §4b) from the per-image rows.
 *
 * @param rows - the per-image stores of the run (one, or one per merged shard)
 * @param product - the cross products of vector scoring (`CrossProducts.product`)
 *
 * @param onWarning - told each layer and part left with no defined pair (also kept in `warnings`)
 */
export async function finalizeReport(
  run: RunDescription,
  state: MeasureState,
  rows: readonly AppendStore[],
  product: CrossProduct,
  onWarning?: (message: string) => void,
): Promise<ProbeReport> {
  const centred = run.config.similarity === 'pearson';
  // Estimates first: for large runs kept per image they also give the elements' own scores.
  const points = new Map<string, ElementSums>();
  const vectors = await vectorEstimates(run.probes, run.elements, state, rows, centred, product, run.config.shiftMode, points);
  const sums = await finalSums(run, state, rows, product, points);
  const used = state.images;
  const warnings = state.nonFinite.map((name) => messages.nonFinite(name));
  if (run.config.images === null) warnings.unshift(messages.syntheticImages(used));
  if (used < 3 && run.probes.some((p) => p.kind === 'vector')) warnings.push(messages.tooFewImages(used));
  const notProbed = run.notProbed ?? [];
  if (notProbed.length > 0) warnings.push(messages.notProbed(notProbed.length));
  if (state.nullMissing > 0) warnings.push(messages.nullPartnerMissing(state.nullMissing));
  const scored = summarizeLayers(run.probes, run.elements, sums, run.skippedLayers);
  const flagged = new Set(state.nonFinite);
  const scoredParts = aggregateParts(run.probes, scored, flagged);
  for (const w of undefinedWarnings(scored, scoredParts, flagged)) {
    warnings.push(w);
    onWarning?.(w);
  }
  const layout = rowLayout(run.probes, run.elements);
  const bootstrap = await mapBootstrap(rows, layout);
  const { layers, parts } = addUncertainty(scored, scoredParts, {
    probes: run.probes,
    layout,
    replicates: bootstrap.replicates,
    chance: bootstrap.chance,
    vectors,
    flagged,
  });
  // Parts, then layers, whose excess over chance is null (SPEC §4b), with the reason in result.json.
  const nullExcess = [...parts.map((p) => ({ name: `${p.transform} ${p.part}`, u: p.uncertainty })), ...layers.map((l) => ({ name: `${l.transform} ${l.layer}`, u: l.uncertainty }))].flatMap(
    ({ name, u }) => (['inv', 'eqv'] as const).flatMap((s) => (u?.[s].excessReason ? [`${name} ${s} (${u[s].excessReason})`] : [])),
  );
  if (nullExcess.length > 0) {
    const w = messages.nullExcess(nullExcess);
    warnings.push(w);
    onWarning?.(w);
  }
  // Vector layers left without an interval for want of images (below 3 the warning above says more).
  const noInterval = [...new Set(layers.filter((l) => l.uncertainty?.inv.intervalReason === TOO_FEW_FOR_JACKKNIFE).map((l) => l.layer))];
  if (used >= 3 && noInterval.length > 0) {
    const w = messages.vectorIntervalTooFewImages(used, JACKKNIFE_MIN_IMAGES, noInterval);
    warnings.push(w);
    onWarning?.(w);
  }
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'equiprobe', version: toolVersion(), onnxruntime: ort.env.versions.common ?? 'unknown' },
    model: { ...run.model, input: run.input },
    config: run.config,
    // Skipped files are kept by path in the state (to match on resume) and reported relative to the folder, in sorted path order.
    images: {
      used,
      skipped: [...state.skipped].sort((a, b) => compareCodeUnits(a.file, b.file)).map((s) => ({ file: run.config.images ? path.relative(run.config.images, s.file) : s.file, reason: s.reason })),
      conversions: Object.entries(state.conversions ?? {})
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([conversion, images]) => ({ conversion, images })),
    },
    probes: run.probes,
    notProbed,
    layers,
    parts,
    accuracy: state.accuracy ? accuracyReport(state.accuracy, run.elements) : null,
    warnings,
    createdAt: createdAt(),
  };
}
