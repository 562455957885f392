import type { Command } from 'commander';
import { writeFilesAtomic } from '../report/atomic.js';
import { readReports } from '../report/read.js';
import { action } from './fatal.js';

/** `equiprobe correlate RESULT... [--accuracy acc.csv] --out DIR`: Spearman's ρ of part scores vs accuracy (SPEC §6). */
export function registerCorrelate(program: Command): void {
  program
    .command('correlate')
    .description("Spearman's rho between part scores and accuracy across models")
    .argument('<results...>', 'result folders (or their result.json) of at least two models')
    .option('-a, --accuracy <csv>', "CSV with columns model,accuracy (default: the results' recorded top-1)")
    .option('--column <name>', 'CSV column to read instead of accuracy, e.g. c4_avg_accuracy')
    .option('-o, --out <dir>', 'folder for correlation.csv/.json and scatter plots', 'results/correlate')
    .option('--no-plots', 'skip the scatter plots')
    .action(
      action(async (results: string[], flags: { accuracy?: string; column?: string; out: string; plots: boolean }) => {
        const { correlationOutputs } = await import('../analysis/correlate-run.js');
        const out = await correlationOutputs(await readReports(results), flags);
        await writeFilesAtomic(flags.out, out.files);
        const source = out.accuracy.source.kind === 'csv' ? `${out.accuracy.source.path} (${out.accuracy.source.column})` : 'recorded top-1';
        process.stdout.write(`Accuracy from ${source}; p two-sided, exact for n <= 9.\n${out.table}\nwrote ${flags.out}/\n`);
      }),
    );
}
