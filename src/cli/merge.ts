import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { stateMessages } from '../measure/state-messages.js';
import { mergeResults, STATE_DIR } from '../merge.js';
import { writeFilesAtomic } from '../report/atomic.js';
import { formatSummary } from '../report/summary.js';
import { resultFiles } from '../report/write.js';
import { acquireLock } from '../store/lock.js';
import { action } from './fatal.js';
import { positiveInt } from './parse.js';

/** `equiprobe merge DIR... --out DIR`: combine shard results into one result. */
export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('merge results of `measure --shard i/n` into the result of one run')
    .argument('<dirs...>', 'shard result folders, or one folder that holds them')
    .requiredOption('-o, --out <dir>', 'folder for the merged result')
    .option('--expect <n>', 'number of shards of the array: merge only when all are finished, else name the missing ones and write nothing', positiveInt)
    .option('--threads <n>', 'onnxruntime threads', positiveInt)
    .option('--no-plots', 'skip the PNG/SVG plots')
    .action(
      action(async (dirs: string[], flags: { out: string; expect?: number; threads?: number; plots: boolean }) => {
        const existed = existsSync(flags.out);
        const lock = await acquireLock(flags.out, stateMessages);
        const stateDir = path.join(flags.out, STATE_DIR);
        try {
          const { report } = await mergeResults(dirs, { threads: flags.threads, expect: flags.expect, stateDir });
          await writeFilesAtomic(flags.out, await resultFiles(report, flags.plots));
          process.stdout.write(`${formatSummary(report)}\nwrote ${flags.out}/\n`);
        } catch (err) {
          // A failed merge leaves no result folder it created (`mergeResults` removes its own state).
          lock.release();
          if (!existed) rmSync(flags.out, { recursive: true, force: true });
          throw err;
        } finally {
          lock.release();
        }
      }),
    );
}
