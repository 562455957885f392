import { existsSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { coMomentsFrom, coMomentsLength, coMomentsValues } from '../scores/co-moments.js';
import type { MeasureState } from '../scores/state.js';
import { AppendStore, type ColumnSpec, type ColumnValues } from '../store/append-store.js';
import { writeTextAtomic } from '../store/atomic-json.js';
import { stateMessages as msg } from './state-messages.js';

/** Format name and version of `state.json`; anything else (older JSON checkpoints included) is refused. */
export const STATE_FORMAT = 'equiprobe-state';
export const STATE_VERSION = 2;

/** File names inside a state folder. */
const MANIFEST = 'state.json';
const ROWS = 'rows';

/** Columns every run's per-image store has: the image (path or synthetic id) and its null pair k (SPEC §4b). */
export const FILE_COLUMN = 'file';
export const PAIR_COLUMN = 'pair';

interface Manifest {
  readonly format: typeof STATE_FORMAT;
  readonly version: number;
  /** Hash of the options that change the numbers; a run resumes only with the same. */
  readonly fingerprint: string;
  /** Committed rows of the per-image store. */
  readonly rows: number;
  readonly state: Omit<MeasureState, 'moments'>;
  /** The co-moments, in one float64 file rewritten at every commit under a new name. */
  readonly moments: { readonly file: string | null; readonly entries: readonly { probe: string; id: string; k: number; centred: boolean }[] };
}

/**
 * A measurement's state on disk (SPEC §8), in one folder: `state.json` (format version, options
 * fingerprint, the fixed-size state of `MeasureState` as JSON), `moments-<n>.f64` (the co-moments of
 * vector probes kept that way, float64) and `rows/` (the append-only per-image store: file names,
 * null pairs, per-image vectors).
 *
 * Every batch appends its rows (`append`); a commit (`commit`, when `CommitClock` says so) writes
 * the co-moments to a new file, then replaces `state.json` by a rename: that rename is the commit
 * point. A process killed at any moment leaves the previous commit whole; rows the store holds
 * past it are cut off on resume, and not read when the state is opened to be read.
 */
export class RunState {
  private constructor(
    readonly dir: string,
    readonly fingerprint: string,
    readonly state: MeasureState,
    readonly rows: AppendStore,
    private momentsFile: string | null,
  ) {}

  /**
   * Starts a fresh state in `dir` (whatever was there is removed) and commits it empty.
   *
   * @param columns - per-image columns besides file and pair (per-image vectors, …)
   */
  static async create(dir: string, fingerprint: string, state: MeasureState, columns: readonly ColumnSpec[]): Promise<RunState> {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const rows = await AppendStore.create(path.join(dir, ROWS), [{ name: FILE_COLUMN, type: 'text', width: 1 }, { name: PAIR_COLUMN, type: 'int32', width: 1 }, ...columns]);
    const run = new RunState(dir, fingerprint, state, rows, null);
    await run.commit();
    return run;
  }

  /**
   * Opens a state: to resume it (`writable`, with the fingerprint it must have) or to read it (`merge`).
   *
   * @throws Error with one line when there is no state, a state of another format version, or another fingerprint
   */
  static async open(dir: string, options: { readonly writable?: boolean; readonly fingerprint?: string } = {}): Promise<RunState> {
    const file = path.join(dir, MANIFEST);
    let manifest: Manifest;
    try {
      manifest = JSON.parse(await readFile(file, 'utf8')) as Manifest;
    } catch {
      throw new Error(msg.noState(dir));
    }
    if (manifest.format !== STATE_FORMAT || manifest.version !== STATE_VERSION) throw new Error(msg.otherVersion(dir, manifest.version, STATE_VERSION));
    if (options.fingerprint !== undefined && manifest.fingerprint !== options.fingerprint) throw new Error(msg.otherOptions(dir));
    const moments: MeasureState['moments'] = {};
    if (manifest.moments.file) {
      const all = new Float64Array((await readFile(path.join(dir, manifest.moments.file))).buffer.slice(0));
      let at = 0;
      for (const { probe, id, k, centred } of manifest.moments.entries) {
        const length = coMomentsLength(k);
        (moments[probe] ??= {})[id] = coMomentsFrom(all.subarray(at, at + length), k, centred);
        at += length;
      }
    }
    const rows = await AppendStore.open(path.join(dir, ROWS), { writable: options.writable, rows: manifest.rows });
    return new RunState(dir, manifest.fingerprint, { ...manifest.state, moments }, rows, manifest.moments.file);
  }

  /**
   * Appends a batch's per-image rows to the store without committing them: they count once
   * `commit` writes the fixed-size state that includes them, and are cut off on resume otherwise.
   * The writes run while the next batch is measured (`AppendStore.append`).
   *
   * @param batch - column → values, every column of the store (file and pair included); not to be changed afterwards
   */
  async append(batch: Readonly<Record<string, ColumnValues>>): Promise<void> {
    await this.rows.append(batch);
  }

  /**
   * Commits the rows appended so far with the current fixed-size state. Both are taken when this
   * is called, before anything is awaited: the caller may go on measuring (and appending) while
   * the rows' writes end and the commit is written. One commit at a time.
   */
  async commit(): Promise<void> {
    const { moments, ...fixed } = this.state;
    const entries = Object.entries(moments).flatMap(([probe, byId]) => Object.entries(byId).map(([id, m]) => ({ probe, id, k: m.k, centred: m.centred, m })));
    const file = entries.length > 0 ? `moments-${this.rows.rows}-${Date.now()}.f64` : null;
    const momentsBytes = file ? Buffer.concat(entries.flatMap((e) => coMomentsValues(e.m)).map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))) : null;
    const manifest: Manifest = {
      format: STATE_FORMAT,
      version: STATE_VERSION,
      fingerprint: this.fingerprint,
      rows: this.rows.rows,
      state: fixed,
      moments: { file, entries: entries.map(({ probe, id, k, centred }) => ({ probe, id, k, centred })) },
    };
    const text = JSON.stringify(manifest);
    await this.rows.flush();
    if (file) await writeFile(path.join(this.dir, file), momentsBytes!);
    writeTextAtomic(path.join(this.dir, MANIFEST), text);
    // Only now is the previous co-moments file unreferenced; files of commits that never completed go too.
    // Synchronously: from the manifest's rename to the caller's `onCheckpoint` nothing may wait on I/O,
    // or a SIGTERM handled in between would take the committed checkpoint for none (src/cli/measure.ts).
    for (const entry of readdirSync(this.dir)) if (entry.startsWith('moments-') && entry !== file) rmSync(path.join(this.dir, entry), { force: true });
    this.momentsFile = file;
  }

  /** Image ids already measured (for resuming), read from the store in chunks. */
  async measuredFiles(): Promise<Set<string>> {
    const done = new Set<string>();
    for await (const chunk of this.rows.chunks([FILE_COLUMN], 4096)) for (const f of chunk.values[FILE_COLUMN] as string[]) done.add(f);
    return done;
  }

  /** Waits for the rows' writes in flight, whether or not they fail (a run that stops on an error, before its folder goes). */
  async settle(): Promise<void> {
    await this.rows.flush().catch(() => undefined);
  }

  /** Bytes the state takes on disk. */
  async diskBytes(): Promise<number> {
    const manifest = (await stat(path.join(this.dir, MANIFEST))).size;
    const moments = this.momentsFile ? (await stat(path.join(this.dir, this.momentsFile))).size : 0;
    return manifest + moments + (await this.rows.diskBytes());
  }
}

/** Whether `dir` holds a state of an older equiprobe (the JSON checkpoint.json / state.json of format 1). */
export function holdsOldState(resultDir: string): string | null {
  for (const name of ['checkpoint.json', 'state.json']) {
    const file = path.join(resultDir, name);
    if (existsSync(file)) return file;
  }
  return null;
}
