import path from 'node:path';
import type { Command } from 'commander';
import { writeFilesAtomic } from '../report/atomic.js';
import { readReports } from '../report/read.js';
import { action } from './fatal.js';

/** `equiprobe report RESULT... [--accuracy acc.csv] --out FILE.html`: one self-contained HTML page. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('one self-contained HTML page (plots, tables, configuration) for one or more results')
    .argument('<results...>', 'result folders (or their result.json)')
    .option('-a, --accuracy <csv>', "CSV with columns model,accuracy for a correlation section (default: the results' recorded top-1, when all have one)")
    .option('--column <name>', 'CSV column to read instead of accuracy')
    .option('--title <text>', 'page title', 'equiprobe report')
    .option('-o, --out <file>', 'HTML file to write', path.join('results', 'report.html'))
    .action(
      action(async (results: string[], flags: { accuracy?: string; column?: string; title: string; out: string }) => {
        const { htmlReportOutput } = await import('../analysis/report-run.js');
        const { dir, file } = await htmlReportOutput(await readReports(results), flags.out, flags);
        await writeFilesAtomic(dir, [file]);
        process.stdout.write(`wrote ${flags.out}\n`);
      }),
    );
}
