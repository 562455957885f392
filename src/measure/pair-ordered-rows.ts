import { rmSync } from 'node:fs';
import { mkdtemp, open, rm, statfs, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { messages } from '../messages.js';
import type { AppendStore } from '../store/append-store.js';
import type { ElementColumns } from './vectors.js';

/** Bytes of per-image rows read from the store per chunk while writing the scratch copy. */
const WRITE_CHUNK_BYTES = 4 * 2 ** 20;

/**
 * One vector element's rows of a large run, centred on the run's means and written to a scratch
 * folder in null-pair order (SPEC §4b): the pairs the stores hold (all of a run's, or one shard's)
 * in order of k, the i-th stored image of the d-th of them at position 2d + i, the unpaired image
 * k = P last. Each jackknife block (consecutive pairs) is then one range of positions and a row's
 * null partner sits at position p xor 1, so the end of a run multiplies whole blocks at once
 * instead of sorting each chunk's rows into 20 small products. v′ (`a`) is kept tile-major (each
 * a-side tile's columns for all positions together, so a tile reads only its own), v (`b`)
 * row-major; both float64. A position no stored image took (a partner that was never measured)
 * stays zero, which adds nothing to sums about the centre.
 *
 * The folder is made under the system's temporary folder (`TMPDIR`); it takes 16 bytes per image
 * and channel and is removed by `remove`, or when the process exits first (a second SIGTERM).
 */
export class PairOrderedRows {
  private constructor(
    private readonly dir: string,
    private readonly aFile: FileHandle,
    private readonly bFile: FileHandle,
    readonly k: number,
    readonly positions: number,
    readonly tile: number,
    private readonly before: Int32Array,
  ) {
    process.once('exit', this.removeAtExit);
  }

  private readonly removeAtExit = () => rmSync(this.dir, { recursive: true, force: true });

  /** First position of pair k's images (of the unpaired image for k = P). */
  positionOf(pair: number): number {
    return 2 * this.before[pair];
  }

  /**
   * Writes the scratch copy from the stores' rows.
   *
   * @param columns - store columns of v′, v and the null pair index
   * @param centre - per-channel values subtracted from v′ (`a`) and v (`b`)
   * @param measured - images the stores hold of each null pair k = 0 … P (P the whole run's pairs)
   * @param tile - a-side channels per tile (the last tile may be narrower)
   */
  static async write(
    stores: readonly AppendStore[],
    columns: ElementColumns,
    k: number,
    centre: { readonly a: Float64Array; readonly b: Float64Array },
    measured: Uint8Array,
    tile: number,
  ): Promise<PairOrderedRows> {
    const pairs = measured.length - 1;
    // before[k]: pairs held below k, so held pairs take consecutive positions.
    const before = new Int32Array(pairs + 1);
    for (let p = 0; p < pairs; p++) before[p + 1] = before[p] + (measured[p] > 0 ? 1 : 0);
    const dir = await mkdtemp(path.join(tmpdir(), 'equiprobe-pairs-'));
    const rows = new PairOrderedRows(dir, await open(path.join(dir, 'a.f64'), 'w+'), await open(path.join(dir, 'b.f64'), 'w+'), k, 2 * before[pairs] + measured[pairs], tile, before);
    try {
      const placed = new Uint8Array(pairs + 1);
      const names = [columns.moved, columns.original, columns.pair];
      for (const store of stores) {
        for await (const chunk of store.chunks(names, Math.max(2, store.rowsWithin(names, WRITE_CHUNK_BYTES)))) {
          const pair = chunk.values[columns.pair] as Int32Array;
          const at = Array.from(pair, (p) => rows.positionOf(p) + placed[p]++);
          await rows.writeChunk(centred(chunk.values[columns.moved] as Float32Array, centre.a, k), centred(chunk.values[columns.original] as Float32Array, centre.b, k), at);
        }
      }
      return rows;
    } catch (err) {
      await rows.remove();
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC') throw new Error(messages.noScratchRoom(tmpdir(), Math.ceil(scratchBytes(rows.positions, k) / 2 ** 20)));
      throw err;
    }
  }

  /** Writes centred rows to their positions, one write per run of consecutive positions and file area. */
  private async writeChunk(a: Float64Array, b: Float64Array, at: readonly number[]): Promise<void> {
    const { k, positions } = this;
    const order = at.map((p, i) => [p, i]).sort((x, y) => x[0] - y[0]);
    for (let start = 0; start < order.length; ) {
      let end = start + 1;
      while (end < order.length && order[end][0] === order[end - 1][0] + 1) end++;
      const first = order[start][0];
      const rows = order.slice(start, end).map(([, i]) => i);
      await writeAll(this.bFile, gather(b, rows, k, 0, k), first * k * 8);
      for (let from = 0; from < k; from += this.tile) {
        const to = Math.min(k, from + this.tile);
        await writeAll(this.aFile, gather(a, rows, k, from, to), (positions * from + first * (to - from)) * 8);
      }
      start = end;
    }
  }

  /**
   * v rows at positions [start, start + count), count × K.
   *
   * @param into - where to read them (a run's end reuses one buffer: garbage of this size would
   *   pile up faster than it is collected)
   */
  async readB(start: number, count: number, into = new Float64Array(count * this.k)): Promise<Float64Array> {
    return readAll(this.bFile, into.subarray(0, count * this.k), start * this.k * 8);
  }

  /** v′ columns [from, to) (one tile) at positions [start, start + count), count × (to − from). */
  async readA(from: number, to: number, start: number, count: number, into = new Float64Array(count * (to - from))): Promise<Float64Array> {
    return readAll(this.aFile, into.subarray(0, count * (to - from)), (this.positions * from + start * (to - from)) * 8);
  }

  async remove(): Promise<void> {
    process.off('exit', this.removeAtExit);
    await Promise.allSettled([this.aFile.close(), this.bFile.close()]);
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Bytes of a scratch copy of `images` rows of K channels: v′ and v, float64. */
export function scratchBytes(images: number, k: number): number {
  return 16 * images * k;
}

/** The folder scratch copies go to, and its free bytes (null where the system cannot tell). */
export async function scratchRoom(): Promise<{ dir: string; free: number | null }> {
  const dir = tmpdir();
  try {
    const s = await statfs(dir);
    return { dir, free: s.bavail * s.bsize };
  } catch {
    return { dir, free: null };
  }
}

/** Rows minus the centre, float64. */
function centred(x: Float32Array, centre: Float64Array, k: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i += k) for (let c = 0; c < k; c++) out[i + c] = x[i + c] - centre[c];
  return out;
}

/** Columns [from, to) of the given rows, one after another. */
function gather(x: Float64Array, rows: readonly number[], k: number, from: number, to: number): Float64Array {
  const t = to - from;
  const out = new Float64Array(rows.length * t);
  rows.forEach((r, j) => out.set(x.subarray(r * k + from, r * k + to), j * t));
  return out;
}

async function writeAll(file: FileHandle, values: Float64Array, position: number): Promise<void> {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  for (let done = 0; done < bytes.length; ) done += (await file.write(bytes, done, bytes.length - done, position + done)).bytesWritten;
}

/** Fills `out` with float64 values from `position`; past the end of the file (positions never written) they are zero. */
async function readAll(file: FileHandle, out: Float64Array, position: number): Promise<Float64Array> {
  const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  let done = 0;
  while (done < bytes.length) {
    const { bytesRead } = await file.read(bytes, done, bytes.length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  bytes.fill(0, done);
  return out;
}
