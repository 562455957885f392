import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AppendStore } from '../store/append-store.js';

/** Bytes of per-image rows read from the store per chunk while writing the scratch copy. */
const WRITE_CHUNK_BYTES = 4 * 2 ** 20;

/**
 * One vector element's rows of a large run, centred on the run's means and written to a scratch
 * folder in null-pair order (SPEC §4b): position 2k + i holds the i-th stored image of pair k, the
 * unpaired image k = P goes last, at 2P. Each jackknife block (consecutive pairs) is then one range
 * of positions and a row's null partner sits at position p xor 1, so the end of a run multiplies
 * whole blocks at once instead of sorting each chunk's rows into 20 small products. v′ (`a`) is
 * kept tile-major (each a-side tile's columns for all positions together, so a tile reads only its
 * own), v (`b`) row-major; both float64. A position no stored image took (a partner that was never
 * measured) stays zero, which adds nothing to sums about the centre.
 *
 * The folder is made under the system's temporary folder (`TMPDIR`); it takes 16 bytes per image
 * and channel and is removed by `remove`.
 */
export class PairOrderedRows {
  private constructor(
    private readonly dir: string,
    private readonly aFile: FileHandle,
    private readonly bFile: FileHandle,
    readonly k: number,
    readonly positions: number,
    readonly tile: number,
  ) {}

  /**
   * Writes the scratch copy from the stores' rows.
   *
   * @param columns - store columns of v′, v and the null pair index
   * @param centre - per-channel values subtracted from v′ (`a`) and v (`b`)
   * @param pairs - P, the run's null pairs
   * @param tile - a-side channels per tile (the last tile may be narrower)
   */
  static async write(
    stores: readonly AppendStore[],
    columns: { readonly moved: string; readonly original: string; readonly pair: string },
    k: number,
    centre: { readonly a: Float64Array; readonly b: Float64Array },
    pairs: number,
    tile: number,
  ): Promise<PairOrderedRows> {
    const dir = await mkdtemp(path.join(tmpdir(), 'equiprobe-pairs-'));
    const rows = new PairOrderedRows(dir, await open(path.join(dir, 'a.f64'), 'w+'), await open(path.join(dir, 'b.f64'), 'w+'), k, 2 * pairs + 1, tile);
    try {
      const placed = new Uint8Array(pairs + 1);
      const names = [columns.moved, columns.original, columns.pair];
      for (const store of stores) {
        for await (const chunk of store.chunks(names, Math.max(2, store.rowsWithin(names, WRITE_CHUNK_BYTES)))) {
          const pair = chunk.values[columns.pair] as Int32Array;
          const at = Array.from(pair, (p) => (p < pairs ? 2 * p + placed[p]++ : 2 * pairs));
          await rows.writeChunk(centred(chunk.values[columns.moved] as Float32Array, centre.a, k), centred(chunk.values[columns.original] as Float32Array, centre.b, k), at);
        }
      }
      return rows;
    } catch (err) {
      await rows.remove();
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

  /** v rows at positions [start, start + count), count × K. */
  async readB(start: number, count: number): Promise<Float64Array> {
    return readAll(this.bFile, count * this.k, start * this.k * 8);
  }

  /** v′ columns [from, to) (one tile) at positions [start, start + count), count × (to − from). */
  async readA(from: number, to: number, start: number, count: number): Promise<Float64Array> {
    return readAll(this.aFile, count * (to - from), (this.positions * from + start * (to - from)) * 8);
  }

  async remove(): Promise<void> {
    await Promise.allSettled([this.aFile.close(), this.bFile.close()]);
    await rm(this.dir, { recursive: true, force: true });
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

/** `length` float64 values from `position`; past the end of the file (positions never written) they are zero. */
async function readAll(file: FileHandle, length: number, position: number): Promise<Float64Array> {
  const out = new Float64Array(length);
  const bytes = new Uint8Array(out.buffer);
  for (let done = 0; done < bytes.length; ) {
    const { bytesRead } = await file.read(bytes, done, bytes.length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return out;
}
