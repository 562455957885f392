import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { messages } from '../messages.js';
import { loadModel } from '../model/load.js';
import { measure, type MeasureOptions, type MeasureResult } from '../pipeline.js';
import { writeFilesAtomic } from '../report/atomic.js';
import { resultFiles } from '../report/write.js';
import type { MeasureState } from '../scores/state.js';
import type { ProbeReport } from '../types.js';

/** Checkpoint of a run in progress, in its result folder; removed once the result is written. */
export const CHECKPOINT = 'checkpoint.json';
/**
 * Fingerprint of the options and model of a finished result. Written last, so a folder that has
 * it holds every result file.
 */
export const FINGERPRINT = 'options.sha256';

/**
 * What to do with a result folder that already holds a result or a checkpoint:
 * - `refuse`: fail (the default);
 * - `replace`: measure from the start and overwrite the result;
 * - `resume`: continue from the checkpoint, which must exist and match;
 * - `resume-or-start`: a finished result of the same options and model is kept as it is (nothing
 *   is measured), a checkpoint of them is continued, an empty folder is started; a result or
 *   checkpoint of other options is refused, never overwritten. For jobs that a scheduler may
 *   stop and start again.
 */
export type ExistingResult = 'refuse' | 'replace' | 'resume' | 'resume-or-start';

/**
 * Options of `measureToFolder`: those of `measure` plus the folder and what to do with its
 * contents. `onCheckpoint` is called with the state just before each checkpoint is written.
 */
export interface FolderOptions extends MeasureOptions {
  /** Result folder. */
  readonly out: string;
  /** Default `refuse`. */
  readonly existing?: ExistingResult;
  /** Draw the PNG/SVG plots (default true). */
  readonly plots?: boolean;
  /**
   * Called after each checkpoint is written with the number of images it holds, and once more
   * after the last batch is scored (before any result file is written). Throwing stops the run
   * there: the checkpoint is kept and the error is passed on. The CLI stops on signals this way.
   */
  readonly onCheckpointWritten?: (saved: number, checkpoint: string) => void;
  /** Called when the run continues from a checkpoint, with the number of images it holds (for logs). */
  readonly onResume?: (saved: number, checkpoint: string) => void;
}

/**
 * How `measureToFolder` ended: `done` means the folder already held this result and nothing was
 * measured; its state is then not read back (it can be large: it is the folder's state.json).
 */
export type FolderResult =
  | (MeasureResult & { readonly outcome: 'started' | 'resumed' })
  | { readonly outcome: 'done'; readonly report: ProbeReport; readonly state: null };

/**
 * Options that change the numbers, with the paths made absolute and the model's bytes hashed: a
 * checkpoint or result is only taken as this run's when the fingerprints agree.
 */
async function fingerprint(options: FolderOptions): Promise<string> {
  const {
    threads: _t, batch: _b, onProgress: _p, onCheckpoint: _c, onWarning: _w, resume: _r,
    out: _o, existing: _e, plots: _pl, onCheckpointWritten: _cw, onResume: _rs, ...rest
  } = options;
  const absolute = (p: string | undefined) => (p === undefined ? undefined : path.resolve(p));
  const model = createHash('sha256').update(await modelBytes(options.model)).digest('hex');
  const kept = { ...rest, model: absolute(options.model), modelSha256: model, images: absolute(options.images), labels: absolute(options.labels), classes: absolute(options.classes) };
  return createHash('sha256').update(JSON.stringify(kept)).digest('hex');
}

/** The model file's bytes; an unreadable file fails with `loadModel`'s message for it. */
async function modelBytes(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    await loadModel(file);
    throw err;
  }
}

async function readCheckpoint(file: string, expected: string): Promise<MeasureState> {
  let saved: { fingerprint: string; state: MeasureState };
  try {
    saved = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw new Error(messages.noCheckpoint(file));
  }
  if (saved.fingerprint !== expected) throw new Error(messages.checkpointOtherOptions(file));
  return saved.state;
}

async function readText(file: string): Promise<string | null> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    return null;
  }
}

/** The report of a finished result of the same fingerprint in `out`, or null when there is none; throws on one of other options. */
async function finishedResult(out: string, print: string): Promise<ProbeReport | null> {
  if (!existsSync(path.join(out, 'result.json'))) return null;
  const saved = await readText(path.join(out, FINGERPRINT));
  if (saved !== print) throw new Error(messages.resultOtherOptions(out));
  return JSON.parse(await readFile(path.join(out, 'result.json'), 'utf8')) as ProbeReport;
}

/** The state to continue from (undefined: start), or a finished result to keep. */
async function startingPoint(out: string, checkpoint: string, print: string, existing: ExistingResult): Promise<{ resume?: MeasureState; done?: ProbeReport }> {
  switch (existing) {
    case 'refuse':
    case 'replace':
      return {};
    case 'resume':
      return { resume: await readCheckpoint(checkpoint, print) };
    case 'resume-or-start': {
      const done = await finishedResult(out, print);
      if (done) {
        // A run stopped between writing its result and removing its checkpoint leaves both.
        await rm(checkpoint, { force: true });
        return { done };
      }
      return existsSync(checkpoint) ? { resume: await readCheckpoint(checkpoint, print) } : {};
    }
  }
}

/**
 * `measure` into a result folder, as `equiprobe measure` does: a checkpoint after every batch
 * (written whole, by a rename), then the result files (result.json, CSV tables, state.json for
 * `merge`, plots, and the options fingerprint last), then the checkpoint is removed.
 *
 * @example
 * // A job that a scheduler may pre-empt and start again with the same command:
 * const { outcome } = await measureToFolder({ model: 'm.onnx', images: 'val', out: 'results/m', existing: 'resume-or-start' });
 */
export async function measureToFolder(options: FolderOptions): Promise<FolderResult> {
  const { out, existing = 'refuse', plots = true } = options;
  const checkpoint = path.join(out, CHECKPOINT);
  if (existing === 'refuse' && (existsSync(path.join(out, 'result.json')) || existsSync(checkpoint))) throw new Error(messages.folderHoldsResult(out));
  const print = await fingerprint(options);
  const { resume, done } = await startingPoint(out, checkpoint, print, existing);
  if (done) return { outcome: 'done', report: done, state: null };
  if (resume) options.onResume?.(resume.processed.length + resume.skipped.length, checkpoint);
  const { report, state } = await measure({
    ...options,
    resume,
    onCheckpoint: async (s) => {
      await options.onCheckpoint?.(s);
      await writeFilesAtomic(out, [{ name: CHECKPOINT, content: JSON.stringify({ fingerprint: print, state: s }) }]);
      options.onCheckpointWritten?.(s.processed.length + s.skipped.length, checkpoint);
    },
  });
  // The checkpoint holds every batch now; a stop requested during the final scoring takes effect here.
  options.onCheckpointWritten?.(state.processed.length + state.skipped.length, checkpoint);
  await writeFilesAtomic(out, [...(await resultFiles(report, state, plots)), { name: FINGERPRINT, content: `${print}\n` }]);
  await rm(checkpoint, { force: true });
  return { report, state, outcome: resume ? 'resumed' : 'started' };
}
