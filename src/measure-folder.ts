import { existsSync, rmdirSync, rmSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { messages } from './messages.js';
import { STATE_DIR } from './merge.js';
import { fingerprintOf, measure, type MeasureOptions, type MeasureResult } from './pipeline.js';
import { writeFilesAtomic } from './report/atomic.js';
import { readReport } from './report/read.js';
import { acquireLock } from './store/lock.js';
import type { ProbeReport } from './types.js';
import { holdsOldState, RunState } from './measure/run-state.js';
import { stateMessages } from './measure/state-messages.js';

/** The run's state while it runs (resumed from); renamed to `state/` (read by `merge`) once the result is written. */
export const CHECKPOINT = 'checkpoint';

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

/** Options of `measureToFolder`: those of `measure` (but the state folder) plus the result folder and what to do with its contents. */
export interface FolderOptions extends Omit<MeasureOptions, 'stateDir' | 'resume'> {
  /** Result folder. */
  readonly out: string;
  /** Default `refuse`. */
  readonly existing?: ExistingResult;
  /** Draw the PNG/SVG plots (default true). */
  readonly plots?: boolean;
  /**
   * Called after each checkpoint is committed with the number of images it holds, and once more
   * after the last batch is scored (before any result file is written). Throwing stops the run
   * there: the checkpoint is kept and the error is passed on. The CLI stops on signals this way.
   */
  readonly onCheckpointWritten?: (saved: number, checkpoint: string) => void;
  /** Called when the run continues from a checkpoint (for logs). */
  readonly onResume?: (checkpoint: string) => void;
  /** Called once the folder is locked and its contents checked, before the run starts: `undo` removes what the run writes before its first checkpoint. */
  readonly onStart?: (undo: () => void) => void;
}

/**
 * How `measureToFolder` ended: `done` means the folder already held this result and nothing was
 * measured; its state is then not read back (it is the folder's state/).
 */
export type FolderResult =
  | (MeasureResult & { readonly outcome: 'started' | 'resumed' })
  | { readonly outcome: 'done'; readonly report: ProbeReport; readonly state: null };

/** Whether `dir` holds a committed run state (a run killed before its first checkpoint leaves an empty folder). */
const hasState = (dir: string) => existsSync(path.join(dir, 'state.json'));

/** resume-or-start: continue a checkpoint, keep a finished result of these options, or start. */
async function resumeOrStart(out: string, checkpoint: string, options: MeasureOptions): Promise<'resume' | 'start' | ProbeReport> {
  if (hasState(checkpoint)) return 'resume'; // measure refuses one of other options
  await rm(checkpoint, { recursive: true, force: true });
  if (!existsSync(path.join(out, 'result.json'))) return 'start';
  const state = path.join(out, STATE_DIR);
  const saved = hasState(state) ? (await RunState.open(state)).fingerprint : null;
  if (saved !== fingerprintOf(options)) throw new Error(messages.resultOtherOptions(out));
  return (await readReport(out)).report;
}

/**
 * `measure` into a result folder, as `equiprobe measure` does: one writer per folder (a lock), a
 * checkpoint by time (`CommitClock`) and after the last batch, then the result files, then the
 * checkpoint becomes `state/`.
 *
 * @example
 * // A job that a scheduler may pre-empt and start again with the same command:
 * const { outcome } = await measureToFolder({ model: 'm.onnx', images: 'val', out: 'results/m', existing: 'resume-or-start' });
 */
export async function measureToFolder(options: FolderOptions): Promise<FolderResult> {
  const { out, existing = 'refuse', plots = true, onCheckpointWritten, onResume, onStart, ...measureOptions } = options;
  const checkpoint = path.join(out, CHECKPOINT);
  const existed = existsSync(out);
  const lock = await acquireLock(out, stateMessages);
  // A run that fails or is stopped before its first checkpoint leaves nothing behind: not its fresh
  // checkpoint folder, not the result folder it created.
  let fresh = false;
  let committed = false;
  const discard = () => {
    if (fresh && !committed) rmSync(checkpoint, { recursive: true, force: true });
    lock.release();
    if (!existed) {
      try {
        rmdirSync(out);
      } catch {
        // not empty: something else is in it
      }
    }
  };
  try {
    const old = holdsOldState(out);
    if (old && existing === 'resume') throw new Error(stateMessages.oldState(old));
    if (existing === 'refuse' && (existsSync(path.join(out, 'result.json')) || existsSync(checkpoint) || old)) throw new Error(messages.folderHoldsResult(out));
    if (old) await rm(old, { force: true });
    let resume = existing === 'resume';
    if (existing === 'resume-or-start') {
      const next = await resumeOrStart(out, checkpoint, measureOptions);
      if (typeof next === 'object') return { outcome: 'done', report: next, state: null };
      resume = next === 'resume';
    }
    if (resume) onResume?.(checkpoint);
    fresh = !resume;
    onStart?.(discard);
    const result = await measure({
      ...measureOptions,
      stateDir: checkpoint,
      resume,
      onCheckpoint: (saved) => {
        committed = true;
        onCheckpointWritten?.(saved, checkpoint);
      },
    });
    // The checkpoint holds every batch now; a stop requested during the final scoring takes effect here.
    onCheckpointWritten?.(result.state.images + result.state.skipped.length, checkpoint);
    // Imported once there are results: tables and plots are not needed before the first image.
    const { resultFiles } = await import('./report/write.js');
    await writeFilesAtomic(out, await resultFiles(result.report, plots));
    const finalState = path.join(out, STATE_DIR);
    await rm(finalState, { recursive: true, force: true });
    await rename(checkpoint, finalState);
    return { ...result, stateDir: finalState, outcome: resume ? 'resumed' : 'started' };
  } catch (err) {
    discard();
    throw err;
  } finally {
    lock.release();
  }
}
