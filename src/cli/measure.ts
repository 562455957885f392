import { existsSync, rmSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { holdsOldState } from '../measure/run-state.js';
import { stateMessages } from '../measure/state-messages.js';
import { STATE_DIR } from '../merge.js';
import { measure } from '../pipeline.js';
import { writeFilesAtomic } from '../report/atomic.js';
import { formatSummary } from '../report/summary.js';
import { resultFiles } from '../report/write.js';
import { acquireLock } from '../store/lock.js';
import { messages } from '../messages.js';
import { action } from './fatal.js';
import { addMeasureFlags, measureOptionsFrom, type MeasureFlags } from './flags.js';
import { progressBar } from './progress.js';

/** The run's state while it runs (resumed by --resume); renamed to `state/` (read by `merge`) once the result is written. */
const CHECKPOINT_DIR = 'checkpoint';

/** Exit codes for a run stopped by a signal: the shell's 128 + signal number. */
const SIGNAL_EXIT: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

/** Thrown from the checkpoint callback to stop `measure` once the batch in progress is saved. */
class Interrupted extends Error {
  constructor(readonly signal: 'SIGINT' | 'SIGTERM', saved: number, checkpoint: string) {
    super(messages.interrupted(signal, saved, checkpoint));
  }
}

function exitInterrupted(message: string, code: number): never {
  // A progress bar on a terminal leaves the cursor mid-line.
  process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}equiprobe: ${message}\n`);
  process.exit(code);
}

/**
 * SIGINT/SIGTERM during a run: before the first checkpoint of this run, exit at once (nothing is
 * lost but work); after it, let the batch in progress finish and its checkpoint be written, then
 * stop (see `Interrupted`). A second signal exits at once; the checkpoint is still whole because
 * it is only ever committed by a rename.
 *
 * @param discardEarly - undoes what the run wrote before its first checkpoint (an empty checkpoint folder)
 */
function watchSignals(discardEarly: () => void) {
  let received: 'SIGINT' | 'SIGTERM' | null = null;
  let checkpointed = false;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    if (!checkpointed) discardEarly();
    if (received || !checkpointed) exitInterrupted(checkpointed ? messages.interruptedTwice(signal) : messages.interruptedEarly(signal), SIGNAL_EXIT[signal]);
    received = signal;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    /** Call after each checkpoint is written: throws `Interrupted` when a signal came in. */
    checkpointed(saved: number, checkpoint: string) {
      checkpointed = true;
      if (received) throw new Interrupted(received, saved, checkpoint);
    },
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** `equiprobe measure MODEL`: a thin layer over `measure()` that adds checkpoints and result files. */
export function registerMeasure(program: Command): void {
  const cmd = program
    .command('measure')
    .description('measure layer-wise invariance and equivariance of an ONNX model')
    .argument('<model>', 'ONNX model file')
    .option('-o, --out <dir>', 'result folder (default: results/<model-name>)')
    .option('--force', 'overwrite an existing result folder')
    .option('--resume', 'continue an interrupted run from its checkpoint')
    .option('--no-plots', 'skip the PNG/SVG plots')
    .option('-q, --quiet', 'no progress bar');
  addMeasureFlags(cmd);
  cmd.action(
    action(async (model: string, flags: MeasureFlags & { out?: string; force?: boolean; resume?: boolean; plots: boolean; quiet?: boolean }) => {
      const options = measureOptionsFrom(model, flags);
      const out = flags.out ?? path.join('results', flags.name ?? path.basename(model).replace(/\.onnx$/i, ''));
      const checkpoint = path.join(out, CHECKPOINT_DIR);
      // One writer per result folder (SPEC §8), from before the first check of what it holds.
      const lock = await acquireLock(out, stateMessages);
      const signals = watchSignals(() => {
        if (!flags.resume) rmSync(checkpoint, { recursive: true, force: true });
      });
      try {
        const old = holdsOldState(out);
        if (old && flags.resume) throw new Error(stateMessages.oldState(old));
        if (!flags.force && !flags.resume && (existsSync(path.join(out, 'result.json')) || existsSync(checkpoint) || old)) {
          throw new Error(`'${out}' already holds a result. Use --force to replace it, --resume to continue it, or --out for another folder.`);
        }
        if (old) await rm(old, { force: true });
        const { report, state } = await measure({
          ...options,
          stateDir: checkpoint,
          resume: flags.resume,
          onProgress: flags.quiet ? undefined : progressBar(path.basename(model)),
          onWarning: (m) => process.stderr.write(`warning: ${m}\n`),
          onCheckpoint: (saved) => signals.checkpointed(saved, checkpoint),
        });
        // A signal during the final scoring stops here too: the checkpoint holds every batch.
        signals.checkpointed(state.images + state.skipped.length, checkpoint);
        // A signal from here on is noted but not acted on: the result files are written whole.
        await writeFilesAtomic(out, await resultFiles(report, flags.plots));
        const finalState = path.join(out, STATE_DIR);
        await rm(finalState, { recursive: true, force: true });
        await rename(checkpoint, finalState);
        process.stdout.write(`${formatSummary(report)}\nwrote ${out}/\n`);
      } catch (err) {
        if (err instanceof Interrupted) exitInterrupted(err.message, SIGNAL_EXIT[err.signal]);
        throw err;
      } finally {
        signals.dispose();
        await lock.release();
      }
    }),
  );
}
