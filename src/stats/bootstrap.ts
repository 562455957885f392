import { replicateDraws } from './splitmix64.js';

/** Bootstrap replicates of SPEC §4b. */
export const REPLICATES = 1000;

/** A 95 % interval; `null` bounds come with the reason why there is none. */
export interface Interval {
  readonly lo: number | null;
  readonly hi: number | null;
  readonly reason?: string;
}

/** Per-image sums and counts of one score over one layer (index = image, in the run's image order). */
export interface PerImageSums {
  readonly sum: Float64Array;
  readonly count: Float64Array;
}

/** Reason of an interval whose replicates could not all be computed. */
export const NO_DEFINED_PAIR = 'no_defined_pair';

/**
 * Bootstrap replicates of several layers at once (SPEC §4b): replicate b draws n images with
 * `replicateDraws(b, n)`, and a layer's replicate is Σsum / Σcount over the drawn images (NaN
 * when the drawn images have no defined pair). All layers see the same draws, so part replicates
 * and paired differences follow the same resampling.
 *
 * @param layers - per layer, per-image sums and counts over the same n images
 * @param replicates - B (default 1000)
 * @returns per layer, B replicates
 * @example
 * const [reps] = bootstrapReplicates([{ sum, count }]); // reps.length === 1000
 */
export function bootstrapReplicates(layers: readonly PerImageSums[], replicates = REPLICATES): Float64Array[] {
  const out = layers.map(() => new Float64Array(replicates));
  const n = layers[0]?.sum.length ?? 0;
  if (n === 0) {
    for (const r of out) r.fill(NaN);
    return out;
  }
  const draws = new Uint32Array(n);
  const weight = new Float64Array(n);
  for (let b = 0; b < replicates; b++) {
    replicateDraws(b, n, draws);
    weight.fill(0);
    for (let k = 0; k < n; k++) weight[draws[k]] += 1;
    layers.forEach(({ sum, count }, l) => {
      let s = 0;
      let c = 0;
      for (let i = 0; i < n; i++) {
        const m = weight[i];
        if (m === 0) continue;
        s += m * sum[i];
        c += m * count[i];
      }
      out[l][b] = c > 0 ? s / c : NaN;
    });
  }
  return out;
}

/**
 * Replicates of a part (SPEC §4b): per replicate, the mean of its layers' replicates that had a
 * defined pair (count > 0, i.e. not NaN); NaN when none had.
 */
export function partReplicates(layers: readonly Float64Array[], replicates = REPLICATES): Float64Array {
  const out = new Float64Array(replicates);
  for (let b = 0; b < replicates; b++) {
    let s = 0;
    let m = 0;
    for (const r of layers) {
      if (Number.isNaN(r[b])) continue;
      s += r[b];
      m += 1;
    }
    out[b] = m > 0 ? s / m : NaN;
  }
  return out;
}

/**
 * The percentile interval of SPEC §4b: the 25th and 976th of the 1000 sorted replicates (in
 * general the ⌈0.025·B⌉-th and ⌊0.975·B⌋+1-th). A replicate without a defined pair makes the
 * interval undefined, with reason `no_defined_pair`.
 */
export function percentileInterval(replicates: Float64Array): Interval {
  if (replicates.length === 0 || replicates.some(Number.isNaN)) return { lo: null, hi: null, reason: NO_DEFINED_PAIR };
  const sorted = Float64Array.from(replicates).sort();
  const b = sorted.length;
  return { lo: sorted[Math.ceil(0.025 * b) - 1], hi: sorted[Math.floor(0.975 * b)] };
}

/** Running Σweight·sum and Σweight·count of some series (per series, per replicate), for `addReplicateChunk`. */
export interface ReplicateTotals {
  readonly sum: Float64Array[];
  readonly count: Float64Array[];
}

/** Empty totals of `series` series over `replicates` replicates. */
export function emptyReplicateTotals(series: number, replicates = REPLICATES): ReplicateTotals {
  return { sum: Array.from({ length: series }, () => new Float64Array(replicates)), count: Array.from({ length: series }, () => new Float64Array(replicates)) };
}

/**
 * Adds the next `images` images (in the bootstrap's image order) to replicate totals, as
 * `bootstrapReplicates` does over all images at once: per replicate and series it adds
 * weight·sum and weight·count image by image, skipping weight 0, so chunks taken in image order
 * give the same sums in the same order and the same bits.
 *
 * @param weights - replicate-major: `weights[b·images + i]` is how often replicate b drew image i of the chunk
 * @param series - per series, the chunk's per-image sums and counts (`images` each)
 */
export function addReplicateChunk(totals: ReplicateTotals, weights: ArrayLike<number>, images: number, series: readonly PerImageSums[]): void {
  const replicates = totals.sum[0]?.length ?? 0;
  for (let b = 0; b < replicates; b++) {
    const w = b * images;
    series.forEach(({ sum, count }, l) => {
      let s = totals.sum[l][b];
      let c = totals.count[l][b];
      for (let i = 0; i < images; i++) {
        const m = weights[w + i];
        if (m === 0) continue;
        s += m * sum[i];
        c += m * count[i];
      }
      totals.sum[l][b] = s;
      totals.count[l][b] = c;
    });
  }
}

/** Per series, each replicate's Σsum / Σcount (NaN when its drawn images have no defined pair). */
export function replicateMeans(totals: ReplicateTotals): Float64Array[] {
  return totals.sum.map((s, l) => s.map((x, b) => (totals.count[l][b] > 0 ? x / totals.count[l][b] : NaN)));
}
