import path from 'node:path';
import { Option, type Command } from 'commander';
import { measureToFolder, type ExistingResult } from '../measure-folder.js';
import { formatSummary } from '../report/summary.js';
import { messages } from '../messages.js';
import { action } from './fatal.js';
import { addMeasureFlags, measureOptionsFrom, type MeasureFlags } from './flags.js';
import { progressBar } from './progress.js';

/** Exit codes for a run stopped by a signal: the shell's 128 + signal number. */
const SIGNAL_EXIT: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

/** Thrown from the checkpoint callback to stop `measure` once the batch in progress is saved. */
class Interrupted extends Error {
  constructor(readonly signal: 'SIGINT' | 'SIGTERM', saved: number, checkpoint: string, resumeFlag: boolean) {
    super(messages.interrupted(signal, saved, checkpoint, resumeFlag));
  }
}

function exitInterrupted(message: string, code: number): never {
  // A progress bar on a terminal leaves the cursor mid-line.
  process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}equiprobe: ${message}\n`);
  process.exit(code);
}

/**
 * SIGINT/SIGTERM during a run: before the first checkpoint of this run, exit at once (nothing is
 * lost but work); after it, let the batch in progress finish and a checkpoint be written (at once,
 * not when the commit clock would), then stop (see `Interrupted`). A second signal exits at once;
 * the checkpoint is still whole because it is only ever committed by a rename.
 */
function watchSignals(resumeFlag: boolean) {
  let received: 'SIGINT' | 'SIGTERM' | null = null;
  let checkpointed = false;
  // Undoes what the run wrote before its first checkpoint (an empty checkpoint folder).
  let discardEarly = () => {};
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    if (!checkpointed) discardEarly();
    if (received || !checkpointed) exitInterrupted(checkpointed ? messages.interruptedTwice(signal) : messages.interruptedEarly(signal), SIGNAL_EXIT[signal]);
    received = signal;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    started(undo: () => void) {
      discardEarly = undo;
    },
    /** Whether a signal came in: the run then commits its checkpoint after the batch in progress. */
    requested: () => received !== null,
    /** Call after each checkpoint is written: throws `Interrupted` when a signal came in. */
    checkpointed(saved: number, checkpoint: string) {
      checkpointed = true;
      if (received) throw new Interrupted(received, saved, checkpoint, resumeFlag);
    },
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

type Flags = MeasureFlags & { out?: string; force?: boolean; resume?: boolean; resumeIfPossible?: boolean; plots: boolean; quiet?: boolean };

function existingFrom(flags: Flags): ExistingResult {
  if (flags.resumeIfPossible) return 'resume-or-start';
  if (flags.resume) return 'resume';
  return flags.force ? 'replace' : 'refuse';
}

/** `equiprobe measure MODEL`: a thin layer over `measureToFolder()` that adds progress, signals and the summary. */
export function registerMeasure(program: Command): void {
  const cmd = program
    .command('measure')
    .description('measure layer-wise invariance and equivariance of an ONNX model')
    .argument('<model>', 'ONNX model file')
    .option('-o, --out <dir>', 'result folder (default: results/<model-name>)')
    .option('--force', 'overwrite an existing result folder')
    .option('--resume', 'continue an interrupted run from its checkpoint')
    .addOption(
      new Option('--resume-if-possible', 'for jobs that may be stopped and started again: continue a checkpoint of the same options, keep a finished result of them, else start')
        .conflicts(['resume', 'force']),
    )
    .option('--no-plots', 'skip the PNG/SVG plots')
    .option('-q, --quiet', 'no progress bar');
  addMeasureFlags(cmd);
  cmd.action(
    action(async (model: string, flags: Flags) => {
      const options = measureOptionsFrom(model, flags);
      const out = flags.out ?? path.join('results', flags.name ?? path.basename(model).replace(/\.onnx$/i, ''));
      const signals = watchSignals(flags.resumeIfPossible === true);
      try {
        const { report, outcome } = await measureToFolder({
          ...options,
          out,
          existing: existingFrom(flags),
          plots: flags.plots,
          onProgress: flags.quiet ? undefined : progressBar(path.basename(model)),
          onWarning: (m) => process.stderr.write(`warning: ${m}\n`),
          onStart: (undo) => signals.started(undo),
          checkpointNow: signals.requested,
          onCheckpointWritten: (saved, checkpoint) => signals.checkpointed(saved, checkpoint),
          // Said for --resume-if-possible, where a log must tell a resumed run from a fresh one.
          onResume: flags.resumeIfPossible ? (checkpoint) => process.stderr.write(`${messages.resuming(checkpoint)}\n`) : undefined,
        });
        // A signal from here on is noted but not acted on: the result files are written whole.
        process.stdout.write(`${formatSummary(report)}\n${outcome === 'done' ? messages.alreadyDone(out) : `wrote ${out}/`}\n`);
      } catch (err) {
        if (err instanceof Interrupted) exitInterrupted(err.message, SIGNAL_EXIT[err.signal]);
        throw err;
      } finally {
        signals.dispose();
      }
    }),
  );
}
