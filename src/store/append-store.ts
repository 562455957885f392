import { mkdir, open, readFile, rm, stat, truncate } from 'node:fs/promises';
import path from 'node:path';
import { writeJsonAtomic } from './atomic-json.js';
import { storeMessages as msg } from './messages.js';

/** Element type of a column. `text` holds one string per row (file names). */
export type ColumnType = 'float32' | 'float64' | 'int32' | 'uint8' | 'text';

/** One column: `width` values of `type` per row (`text`: one string per row, width 1). */
export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  readonly width: number;
}

/** The values of some rows of one column, row-major (`rows × width`). */
export type ColumnValues = Float32Array | Float64Array | Int32Array | Uint8Array | string[];

/** Format name and version written into `store.json`; a store of another version is refused. */
export const STORE_FORMAT = 'equiprobe-store';
export const STORE_VERSION = 1;

const MANIFEST = 'store.json';

interface StoredColumn extends ColumnSpec {
  /** Data file, relative to the store folder. */
  readonly file: string;
  /** `text` columns: end offset (bytes) of each row's string, as float64, in this file. */
  readonly index?: string;
  /** `text` columns: bytes of the data file that belong to committed rows. */
  textBytes?: number;
}

interface Manifest {
  readonly format: typeof STORE_FORMAT;
  readonly version: number;
  rows: number;
  readonly columns: StoredColumn[];
}

const BYTES: Record<Exclude<ColumnType, 'text'>, number> = { float32: 4, float64: 8, int32: 4, uint8: 1 };

function typed(type: Exclude<ColumnType, 'text'>, buffer: ArrayBuffer, offset: number, length: number): Exclude<ColumnValues, string[]> {
  switch (type) {
    case 'float32':
      return new Float32Array(buffer, offset, length);
    case 'float64':
      return new Float64Array(buffer, offset, length);
    case 'int32':
      return new Int32Array(buffer, offset, length);
    case 'uint8':
      return new Uint8Array(buffer, offset, length);
  }
}

/** Reads `length` bytes at `position` of a file into a fresh, aligned buffer. */
async function readBytes(file: string, position: number, length: number): Promise<ArrayBuffer> {
  const buffer = new ArrayBuffer(length);
  if (length === 0) return buffer;
  const handle = await open(file, 'r');
  try {
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(new Uint8Array(buffer, done), 0, length - done, position + done);
      if (bytesRead === 0) throw new Error(msg.truncated(file));
      done += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return buffer;
}

/**
 * Writes bytes at `position` of an existing file. Asynchronously, on libuv's threads: an append's
 * writes run while the next batch is measured (`AppendStore.append`), so the kernel's time in
 * them, which grows as the page cache fills with a large run's rows, is not the loop's.
 */
async function writeBytes(file: string, position: number, bytes: Uint8Array): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    let done = 0;
    while (done < bytes.length) done += (await handle.write(bytes, done, bytes.length - done, position + done)).bytesWritten;
  } finally {
    await handle.close();
  }
}

/** One file's bytes of an append, at their position. */
interface PendingWrite {
  readonly file: string;
  readonly position: number;
  readonly bytes: Uint8Array;
}

const asBytes = (v: Exclude<ColumnValues, string[]>) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

/**
 * An append-only table on disk: one row per image, fixed-width binary columns (one raw
 * little-endian file each) and text columns, beside a small JSON manifest `store.json` with a
 * format version and the number of committed rows.
 *
 * Appending writes past the committed end of every file, then replaces the manifest by a rename:
 * a process killed at any moment leaves the last committed rows readable, and bytes past them are
 * cut off when the store is opened for writing again. The writes of one append run in the
 * background until the next append, a read or `flush`, which wait for them. Readers only ever
 * read committed rows, in bounded chunks, so memory does not grow with the number of rows. One
 * writer at a time (see `src/store/lock.ts`).
 *
 * @example
 * const store = await AppendStore.create('out/state/rows', [{ name: 'file', type: 'text', width: 1 }, { name: 'pool', type: 'float32', width: 2048 }]);
 * await store.append({ file: ['a.png', 'b.png'], pool: new Float32Array(2 * 2048) });
 * await store.flush(); // store.rows === 2
 * for await (const chunk of store.chunks(['pool'], 256)) chunk.values.pool; // Float32Array(≤ 256 × 2048)
 */
export class AppendStore {
  private constructor(
    /** The store's folder. */
    readonly dir: string,
    private readonly manifest: Manifest,
  ) {}

  /** The last append's writes and commit, while they run: at most one append is in flight. */
  private writing: Promise<void> = Promise.resolve();
  /** What failed in an append's writes: every later append, read and flush throws it. */
  private failure: { readonly error: unknown } | null = null;
  /** Rows of the append in flight. */
  private writingRows = 0;

  /**
   * Creates an empty store in `dir` (created if missing); files of a store already there are replaced.
   *
   * @throws RangeError for duplicate column names or a width that is not a positive integer
   */
  static async create(dir: string, columns: readonly ColumnSpec[]): Promise<AppendStore> {
    const names = new Set<string>();
    for (const c of columns) {
      if (names.has(c.name)) throw new RangeError(msg.duplicateColumn(c.name));
      if (!(Number.isInteger(c.width) && c.width > 0)) throw new RangeError(msg.badWidth(c.name, c.width));
      names.add(c.name);
    }
    await mkdir(dir, { recursive: true });
    const stored: StoredColumn[] = columns.map((c, i) =>
      c.type === 'text' ? { ...c, width: 1, file: `c${i}.txt`, index: `c${i}.idx`, textBytes: 0 } : { ...c, file: `c${i}.bin` },
    );
    for (const c of stored) {
      for (const file of [c.file, c.index]) if (file) await (await open(path.join(dir, file), 'w')).close();
    }
    const manifest: Manifest = { format: STORE_FORMAT, version: STORE_VERSION, rows: 0, columns: stored };
    writeJsonAtomic(path.join(dir, MANIFEST), manifest);
    return new AppendStore(dir, manifest);
  }

  /**
   * Opens an existing store, for reading or (`writable`) for appending. A writable store is cut to
   * its committed rows, or back to `rows` (a checkpoint that committed fewer rows than the store:
   * rows appended after the run's last commit); a store opened for reading shows only `rows` rows.
   *
   * @throws Error with one line when the folder holds no store, a store of another format version, or fewer rows than `rows`
   */
  static async open(dir: string, options: { readonly writable?: boolean; readonly rows?: number } = {}): Promise<AppendStore> {
    const { writable = false, rows } = options;
    let manifest: Manifest;
    try {
      manifest = JSON.parse(await readFile(path.join(dir, MANIFEST), 'utf8')) as Manifest;
    } catch {
      throw new Error(msg.noStore(dir));
    }
    if (manifest.format !== STORE_FORMAT || manifest.version !== STORE_VERSION) throw new Error(msg.otherVersion(dir, manifest.version, STORE_VERSION));
    const store = new AppendStore(dir, manifest);
    if (rows !== undefined && rows > manifest.rows) throw new Error(msg.fewerRows(dir, manifest.rows, rows));
    if (writable) {
      if (rows !== undefined && rows < manifest.rows) await store.cutTo(rows);
      await store.dropUncommitted();
    } else if (rows !== undefined) {
      // A reader sees the rows its checkpoint committed, not those appended after it.
      manifest.rows = rows;
    }
    return store;
  }

  /** Rows appended: those committed and those of an append in flight (which reads wait for). */
  get rows(): number {
    return this.manifest.rows + this.writingRows;
  }

  /** The columns, in the order they were created. */
  get columns(): readonly ColumnSpec[] {
    return this.manifest.columns.map(({ name, type, width }) => ({ name, type, width }));
  }

  /** Bytes of one row of every binary column together (text columns not counted). */
  get rowBytes(): number {
    return this.manifest.columns.reduce((s, c) => s + (c.type === 'text' ? 0 : c.width * BYTES[c.type]), 0);
  }

  /** Bytes the store takes on disk. */
  async diskBytes(): Promise<number> {
    await this.flush();
    let total = 0;
    for (const c of this.manifest.columns) for (const file of [c.file, c.index]) if (file) total += (await stat(path.join(this.dir, file))).size;
    return total;
  }

  private column(name: string): StoredColumn {
    const c = this.manifest.columns.find((col) => col.name === name);
    if (!c) throw new RangeError(msg.unknownColumn(name, this.dir));
    return c;
  }

  /**
   * Appends rows to every column and commits them (one manifest rename). Every column must get
   * the same number of rows. Returns once the previous append's writes are done and this one's
   * have started: they run until the next append, a read or `flush`, so the values must not be
   * changed before that.
   *
   * @param values - column name → `rows × width` values (`text`: one string per row)
   * @throws RangeError when a column is missing, unknown, of the wrong type or of another row count
   */
  async append(values: Readonly<Record<string, ColumnValues>>): Promise<void> {
    let added: number | null = null;
    for (const name of Object.keys(values)) this.column(name);
    for (const c of this.manifest.columns) {
      const v = values[c.name];
      if (v === undefined) throw new RangeError(msg.missingColumn(c.name));
      const isText = Array.isArray(v);
      if (isText !== (c.type === 'text') || (!isText && BYTES[c.type as Exclude<ColumnType, 'text'>] !== v.BYTES_PER_ELEMENT)) throw new RangeError(msg.wrongType(c.name, c.type));
      const rows = isText ? v.length : v.length / c.width;
      if (!Number.isInteger(rows) || (added !== null && rows !== added)) throw new RangeError(msg.rowMismatch(c.name, rows, added ?? rows));
      added = rows;
    }
    if (!added) return;
    await this.flush();
    const start = this.manifest.rows;
    const textBytes = new Map<string, number>();
    const writes: PendingWrite[] = [];
    for (const c of this.manifest.columns) {
      const v = values[c.name];
      if (c.type === 'text') {
        const encoded = (v as string[]).map((s) => Buffer.from(`${JSON.stringify(s)}\n`, 'utf8'));
        const ends = new Float64Array(encoded.length);
        let end = c.textBytes!;
        encoded.forEach((b, i) => (ends[i] = end += b.length));
        writes.push({ file: path.join(this.dir, c.file), position: c.textBytes!, bytes: Buffer.concat(encoded) });
        writes.push({ file: path.join(this.dir, c.index!), position: start * 8, bytes: asBytes(ends) });
        textBytes.set(c.name, end);
      } else {
        writes.push({ file: path.join(this.dir, c.file), position: start * c.width * BYTES[c.type], bytes: asBytes(v as Exclude<ColumnValues, string[]>) });
      }
    }
    const next: Manifest = { ...this.manifest, rows: start + added, columns: this.manifest.columns.map((c) => (c.type === 'text' ? { ...c, textBytes: textBytes.get(c.name) } : c)) };
    this.writingRows = added;
    // Caught here and thrown by the next flush: a failed write is never an unhandled rejection.
    this.writing = this.commitRows(writes, next).catch((error: unknown) => {
      this.failure = { error };
    });
  }

  /** Writes one append's bytes, every file at once, then commits them. */
  private async commitRows(writes: readonly PendingWrite[], next: Manifest): Promise<void> {
    await Promise.all(writes.map((w) => writeBytes(w.file, w.position, w.bytes)));
    writeJsonAtomic(path.join(this.dir, MANIFEST), next);
    Object.assign(this.manifest, next);
    this.writingRows = 0;
  }

  /**
   * Waits until the last append's rows are written and committed.
   *
   * @throws the error of a write that failed (a full disk, a removed folder)
   */
  async flush(): Promise<void> {
    await this.writing;
    if (this.failure) throw this.failure.error;
  }

  /**
   * Reads `count` committed rows of one column from row `start`.
   *
   * @returns `count × width` values (`text`: `count` strings)
   * @throws RangeError for rows past the committed end
   */
  async read(name: string, start: number, count: number): Promise<ColumnValues> {
    await this.flush();
    const c = this.column(name);
    if (start < 0 || count < 0 || start + count > this.manifest.rows) throw new RangeError(msg.rowsOutOfRange(start, count, this.manifest.rows));
    if (c.type === 'text') {
      const ends = new Float64Array(await readBytes(path.join(this.dir, c.index!), Math.max(0, start - 1) * 8, (count + (start > 0 ? 1 : 0)) * 8));
      const from = start > 0 ? ends[0] : 0;
      const rowEnds = start > 0 ? ends.subarray(1) : ends;
      const to = count > 0 ? rowEnds[count - 1] : from;
      const text = Buffer.from(await readBytes(path.join(this.dir, c.file), from, to - from)).toString('utf8');
      return count === 0 ? [] : text.slice(0, -1).split('\n').map((line) => JSON.parse(line) as string);
    }
    const size = BYTES[c.type];
    return typed(c.type, await readBytes(path.join(this.dir, c.file), start * c.width * size, count * c.width * size), 0, count * c.width);
  }

  /**
   * Reads committed rows in chunks of at most `rowsPerChunk`, in row order.
   *
   * @param names - columns to read
   * @param from - first row (default 0); `to` - end row, exclusive (default: all committed rows)
   */
  async *chunks(names: readonly string[], rowsPerChunk: number, from = 0, to = this.rows): AsyncGenerator<{ start: number; count: number; values: Record<string, ColumnValues> }> {
    if (!(Number.isInteger(rowsPerChunk) && rowsPerChunk > 0)) throw new RangeError(msg.badChunk(rowsPerChunk));
    for (let start = from; start < to; start += rowsPerChunk) {
      const count = Math.min(rowsPerChunk, to - start);
      const values: Record<string, ColumnValues> = {};
      for (const name of names) values[name] = await this.read(name, start, count);
      yield { start, count, values };
    }
  }

  /** Rows per chunk that keep one chunk of `names` within `bytes` (at least 1). */
  rowsWithin(names: readonly string[], bytes: number): number {
    const perRow = names.reduce((s, name) => {
      const c = this.column(name);
      return s + (c.type === 'text' ? 256 : c.width * BYTES[c.type]);
    }, 0);
    return Math.max(1, Math.floor(bytes / Math.max(1, perRow)));
  }

  /** Cuts the store back to its first `rows` rows and commits that. */
  private async cutTo(rows: number): Promise<void> {
    const columns = [...this.manifest.columns];
    for (const [i, c] of columns.entries()) {
      if (c.type !== 'text') continue;
      const end = rows === 0 ? 0 : new Float64Array(await readBytes(path.join(this.dir, c.index!), (rows - 1) * 8, 8))[0];
      columns[i] = { ...c, textBytes: end };
    }
    const next: Manifest = { ...this.manifest, rows, columns };
    writeJsonAtomic(path.join(this.dir, MANIFEST), next);
    Object.assign(this.manifest, next);
  }

  /** Cuts every file back to its committed length (bytes an interrupted append left behind). */
  private async dropUncommitted(): Promise<void> {
    for (const c of this.manifest.columns) {
      if (c.type === 'text') {
        await truncate(path.join(this.dir, c.file), c.textBytes!);
        await truncate(path.join(this.dir, c.index!), this.manifest.rows * 8);
      } else {
        await truncate(path.join(this.dir, c.file), this.manifest.rows * c.width * BYTES[c.type]);
      }
    }
  }

  /** Removes the store's folder. */
  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
