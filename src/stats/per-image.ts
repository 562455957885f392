import type { GroupElement, ProbeInfo, TransformName } from '../types.js';
import type { PerImageSums } from './bootstrap.js';

/** Numbers per (map layer, transform, g) in a per-image row: inv sum, inv count, eqv sum, eqv count. */
export const SLOT_WIDTH = 4;

/** Where a (map layer, transform) keeps its group elements' slots in a per-image row. */
export interface LayerSlots {
  readonly probe: string;
  readonly transform: TransformName;
  /** Element key → offset of its 4 numbers. */
  readonly offsets: ReadonlyMap<string, number>;
}

/**
 * The layout of a per-image row (SPEC §4b "per-image scores"): per map probe, transform and g, in
 * probe then transform then element order, the sum and count of the image's defined inv and eqv
 * scores. Score rows and null rows share it.
 */
export interface RowLayout {
  readonly width: number;
  readonly layers: readonly LayerSlots[];
}

/** Row layout of these probes (maps and token grids; vectors are scored across images) and elements. */
export function rowLayout(probes: readonly ProbeInfo[], elements: ReadonlyMap<TransformName, readonly GroupElement[]>): RowLayout {
  const layers: LayerSlots[] = [];
  let width = 0;
  for (const probe of probes) {
    if (probe.kind === 'vector') continue;
    for (const [transform, list] of elements) {
      const offsets = new Map<string, number>();
      for (const g of list) {
        offsets.set(g.key, width);
        width += SLOT_WIDTH;
      }
      layers.push({ probe: probe.name, transform, offsets });
    }
  }
  return { width, layers };
}

/** Σsum / Σcount over all images (NaN when nothing is defined). */
export function pooledMean(s: PerImageSums): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < s.sum.length; i++) {
    sum += s.sum[i];
    count += s.count[i];
  }
  return count > 0 ? sum / count : NaN;
}
