import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { addReplicateChunk, emptyReplicateTotals, REPLICATES, replicateMeans, type PerImageSums } from '../stats/bootstrap.js';
import { SLOT_WIDTH, type RowLayout } from '../stats/per-image.js';
import { replicateDraws } from '../stats/splitmix64.js';
import type { AppendStore } from '../store/append-store.js';
import { poolImageRows, storesWithRows } from './per-image-read.js';

/** The map layers' bootstrap replicates and chance levels of a run (SPEC §4b). */
export interface MapBootstrap {
  /** Per `layout.layers` entry: B replicates of inv and eqv. */
  readonly replicates: { readonly inv: Float64Array; readonly eqv: Float64Array }[];
  /** Per `layout.layers` entry: the chance level (as `readMapImageSums`'s). */
  readonly chance: { readonly inv: number; readonly eqv: number }[];
}

/** Where and how `mapBootstrap` works. */
export interface MapBootstrapOptions {
  /** Folder for the scratch files (default the system's temporary folder, `TMPDIR`). */
  readonly scratchDir?: string;
  /** B (default 1000). */
  readonly replicates?: number;
  /** Bytes of pooled per-image sums, and of replicate weights, held per chunk of images (default 4 MiB). */
  readonly chunkBytes?: number;
}

/** Images per chunk: bounded by the pooled sums (8·4L bytes per image) and by the weights (B bytes per image, one byte each). */
function chunkImages(layers: number, replicates: number, bytes: number): number {
  return Math.max(1, Math.floor(bytes / Math.max(8 * SLOT_WIDTH * layers, replicates)));
}

/** Typed arrays a weight file can hold, narrowest first: counts above 255 (never seen in practice) widen the file. */
const WEIGHT_TYPES = [Uint8Array, Uint16Array, Uint32Array] as const;
type WeightArray = Uint8Array | Uint16Array | Uint32Array;

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

function readAll(fd: number, into: Uint8Array, position: number): void {
  let done = 0;
  while (done < into.length) {
    const read = readSync(fd, into, done, into.length - done, position + done);
    if (read === 0) throw new Error(`bootstrap scratch file ended early at byte ${position + done}`);
    done += read;
  }
}

const bytesOf = (a: Float64Array | WeightArray) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/**
 * Writes every replicate's image weights (how often replicate b drew image k, SPEC §4b) chunk by
 * chunk: chunk [a, e) holds replicate 0's e − a weights, then replicate 1's, …, at byte a·B·width.
 * Returns false, leaving the file to be rewritten wider, when a weight does not fit `type`.
 */
function writeWeights(fd: number, n: number, replicates: number, chunk: number, type: (typeof WEIGHT_TYPES)[number]): boolean {
  const draws = new Uint32Array(n);
  const counts = new Uint32Array(n);
  const weights = new type(n);
  const max = 2 ** (8 * type.BYTES_PER_ELEMENT) - 1;
  for (let b = 0; b < replicates; b++) {
    replicateDraws(b, n, draws);
    counts.fill(0);
    for (let k = 0; k < n; k++) counts[draws[k]] += 1;
    for (let k = 0; k < n; k++) {
      if (counts[k] > max) return false;
      weights[k] = counts[k];
    }
    for (let a = 0; a < n; a += chunk) {
      const e = Math.min(n, a + chunk);
      writeAll(fd, bytesOf(weights.subarray(a, e)), (a * replicates + b * (e - a)) * type.BYTES_PER_ELEMENT);
    }
  }
  return true;
}

/**
 * Bootstrap replicates of every map layer × transform (SPEC §4b) of a run's stores, with memory
 * that does not grow with the number of images N: the pooled per-image sums are written in sorted
 * path order to a scratch file, the replicates' image weights to another (chunk by chunk), and
 * both are read back one chunk of images at a time into running totals (`addReplicateChunk`).
 * The sums are added in the same order as `bootstrapReplicates` over arrays in memory, so the
 * replicates are the same to the last bit. Scratch: N·(32L + B) bytes in `scratchDir`, deleted
 * before returning; memory: the chunk (`chunkBytes` twice) and 16·2L·B bytes of totals.
 *
 * @param layout - the run's per-image row layout (L = `layout.layers.length` entries)
 */
export async function mapBootstrap(stores: readonly AppendStore[], layout: RowLayout, options: MapBootstrapOptions = {}): Promise<MapBootstrap> {
  const { scratchDir = tmpdir(), replicates = REPLICATES, chunkBytes = 4 * 2 ** 20 } = options;
  const layers = layout.layers.length;
  if (layers === 0) return { replicates: [], chance: [] };
  const n = storesWithRows(stores, layout).reduce((s, store) => s + store.rows, 0);
  const dir = await mkdtemp(path.join(scratchDir, 'equiprobe-bootstrap-'));
  try {
    const rowDoubles = SLOT_WIDTH * layers;
    const sumsFd = openSync(path.join(dir, 'sums.f64'), 'w+');
    const weightsFd = openSync(path.join(dir, 'weights.bin'), 'w+');
    try {
      const { chance } = await poolImageRows(stores, layout, (k, _sha, _pair, scores) => writeAll(sumsFd, bytesOf(scores), k * rowDoubles * 8));
      const chunk = chunkImages(layers, replicates, chunkBytes);
      const type = WEIGHT_TYPES.find((t) => writeWeights(weightsFd, n, replicates, chunk, t))!;
      // Series 2l and 2l + 1 are layer l's inv and eqv, as `mapReplicates` orders them.
      const totals = emptyReplicateTotals(2 * layers, replicates);
      const rows = new Float64Array(chunk * rowDoubles);
      const weights = new type(chunk * replicates);
      const series: PerImageSums[] = Array.from({ length: 2 * layers }, () => ({ sum: new Float64Array(chunk), count: new Float64Array(chunk) }));
      for (let a = 0; a < n; a += chunk) {
        const images = Math.min(chunk, n - a);
        readAll(sumsFd, bytesOf(rows.subarray(0, images * rowDoubles)), a * rowDoubles * 8);
        readAll(weightsFd, bytesOf(weights.subarray(0, images * replicates)), a * replicates * type.BYTES_PER_ELEMENT);
        // Series-major, so the inner loop reads each series' sums in a row.
        for (let i = 0; i < images; i++) {
          for (let j = 0; j < 2 * layers; j++) {
            series[j].sum[i] = rows[i * rowDoubles + 2 * j];
            series[j].count[i] = rows[i * rowDoubles + 2 * j + 1];
          }
        }
        addReplicateChunk(totals, weights, images, series);
      }
      const means = replicateMeans(totals);
      return { replicates: Array.from({ length: layers }, (_, l) => ({ inv: means[2 * l], eqv: means[2 * l + 1] })), chance };
    } finally {
      closeSync(sumsFd);
      closeSync(weightsFd);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
