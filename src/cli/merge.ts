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
    .argument('<dirs...>', 'shard result folders')
    .requiredOption('-o, --out <dir>', 'folder for the merged result')
    .option('--threads <n>', 'onnxruntime threads', positiveInt)
    .option('--no-plots', 'skip the PNG/SVG plots')
    .action(
      action(async (dirs: string[], flags: { out: string; threads?: number; plots: boolean }) => {
        const lock = await acquireLock(flags.out, stateMessages);
        try {
          const { report } = await mergeResults(dirs, { threads: flags.threads, stateDir: path.join(flags.out, STATE_DIR) });
          await writeFilesAtomic(flags.out, await resultFiles(report, flags.plots));
          process.stdout.write(`${formatSummary(report)}\nwrote ${flags.out}/\n`);
        } finally {
          await lock.release();
        }
      }),
    );
}
