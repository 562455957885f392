import type { Command } from 'commander';
import { writeFilesAtomic } from '../report/atomic.js';
import { readReports } from '../report/read.js';
import { action } from './fatal.js';
import { readResultImageSums } from '../report/read-state.js';
import path from 'node:path';

/** `equiprobe compare RESULT... --out DIR`: part scores of several results side by side. */
export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('part scores of several results side by side, with one plot per transform')
    .argument('<results...>', 'result folders (or their result.json)')
    .option('-o, --out <dir>', 'folder for compare.csv and the plots', 'results/compare')
    .option('--no-plots', 'skip the PNG/SVG plots')
    .action(
      action(async (results: string[], flags: { out: string; plots: boolean }) => {
        const loaded = await readReports(results);
        const { compareOutputs } = await import('../analysis/compare-run.js');
        const out = await compareOutputs(loaded, { ...flags, readImages: (l, layout) => readResultImageSums(path.dirname(l.file), layout) });
        await writeFilesAtomic(flags.out, out.files);
        process.stdout.write(`${out.table}\nwrote ${flags.out}/\n`);
      }),
    );
}
