import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { measure, type MeasureOptions } from '../pipeline.js';
import { writeFilesAtomic } from '../report/atomic.js';
import { formatSummary } from '../report/summary.js';
import { resultFiles } from '../report/write.js';
import type { MeasureState } from '../scores/state.js';
import { messages } from '../messages.js';
import { action } from './fatal.js';
import { addMeasureFlags, measureOptionsFrom, type MeasureFlags } from './flags.js';
import { progressBar } from './progress.js';

const CHECKPOINT = 'checkpoint.json';

/** Options that change the numbers; a checkpoint only resumes a run with the same ones. */
function fingerprint(options: MeasureOptions): string {
  const { threads: _t, batch: _b, cache: _k, cacheDir: _d, onProgress: _p, onCheckpoint: _c, onWarning: _w, resume: _r, ...rest } = options;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

async function readCheckpoint(file: string, expected: string): Promise<MeasureState> {
  let saved: { fingerprint: string; state: MeasureState };
  try {
    saved = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw new Error(`Cannot resume: no readable checkpoint at '${file}'. Run without --resume (add --force to replace old results).`);
  }
  if (saved.fingerprint !== expected) throw new Error(`Cannot resume: '${file}' was written with other options or another model. Run with the same options, or use --force to start over.`);
  return saved.state;
}

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
 * it is only ever replaced by a rename.
 */
function watchSignals() {
  let received: 'SIGINT' | 'SIGTERM' | null = null;
  let checkpointed = false;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
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
      const checkpoint = path.join(out, CHECKPOINT);
      const print = fingerprint({ ...options, model: path.resolve(model) });
      if (!flags.force && !flags.resume && (existsSync(path.join(out, 'result.json')) || existsSync(checkpoint))) {
        throw new Error(`'${out}' already holds a result. Use --force to replace it, --resume to continue it, or --out for another folder.`);
      }
      const resume = flags.resume ? await readCheckpoint(checkpoint, print) : undefined;
      const signals = watchSignals();
      try {
        const { report, state } = await measure({
          ...options,
          resume,
          onProgress: flags.quiet ? undefined : progressBar(path.basename(model)),
          onWarning: (m) => process.stderr.write(`warning: ${m}\n`),
          onCheckpoint: async (s) => {
            await writeFilesAtomic(out, [{ name: CHECKPOINT, content: JSON.stringify({ fingerprint: print, state: s }) }]);
            signals.checkpointed(s.processed.length + s.skipped.length, checkpoint);
          },
        });
        // A signal during the final scoring stops here too: the checkpoint holds every batch.
        signals.checkpointed(state.processed.length + state.skipped.length, checkpoint);
        // A signal from here on is noted but not acted on: the result files are written whole.
        await writeFilesAtomic(out, await resultFiles(report, state, flags.plots));
        await rm(checkpoint, { force: true });
        process.stdout.write(`${formatSummary(report)}\nwrote ${out}/\n`);
      } catch (err) {
        if (err instanceof Interrupted) exitInterrupted(err.message, SIGNAL_EXIT[err.signal]);
        throw err;
      } finally {
        signals.dispose();
      }
    }),
  );
}
