import type { Command } from 'commander';
import { formatTable } from '../report/text-tables.js';
import type { SanityRow, SanitySimilarity } from '../known-answer/sanity.js';
import { action } from './fatal.js';
import { choice, positiveInt } from './parse.js';
import { progressBar } from './progress.js';

interface SanityFlags {
  out?: string;
  similarity: SanitySimilarity;
  seed: number;
  images: number;
  threads?: number;
  plots: boolean;
  quiet?: boolean;
}

/** The terminal table: one line per checked expectation. */
export function formatSanityTable(rows: readonly SanityRow[]): string {
  const lines = rows.map((r) => ({
    probe: r.probe,
    transform: r.shiftMode ? `${r.transform} (${r.shiftMode})` : r.transform,
    part: r.part ?? `layer ${r.layer}`,
    score: r.score,
    similarity: r.similarity,
    expected: r.expected,
    // Fixed decimals: an exact 1 should read 1.0000 next to 0.9999, not "1".
    measured: Number.isFinite(r.measured) ? r.measured.toFixed(4) : '-',
    result: r.pass ? 'PASS' : 'FAIL',
  }));
  return formatTable(lines, ['probe', 'transform', 'part', 'score', 'similarity', 'expected', { key: 'measured', align: 'right' }, 'result']);
}

/** `equiprobe sanity`: measures the known-answer networks with known answers and checks every expectation. */
export function registerSanity(program: Command): void {
  program
    .command('sanity')
    .description('measure toy networks with known answers and check equiprobe gets them right')
    .option('-o, --out <dir>', 'write the probe models, each result folder, sanity.csv and sanity.json here')
    .option('--similarity <name>', 'both | pearson | cosine (cosine: only the Pearson-vs-cosine probe)', choice(['both', 'pearson', 'cosine'] as const), 'both')
    .option('--seed <n>', 'seed of the probe weights and synthetic images', (v) => Number(v), 0)
    .option('--images <n>', 'synthetic images per measurement (at least 3)', positiveInt, 16)
    .option('--threads <n>', 'onnxruntime threads (default: all cores)', positiveInt)
    .option('--no-plots', 'skip the PNG/SVG plots in the result folders')
    .option('-q, --quiet', 'no progress output')
    .action(
      action(async (flags: SanityFlags) => {
        const bars = new Map<string, (done: number, total: number) => void>();
        const { runSanity } = await import('../known-answer/sanity.js');
        const rows = await runSanity({
          out: flags.out,
          similarity: flags.similarity,
          seed: flags.seed,
          images: flags.images,
          threads: flags.threads,
          plots: flags.plots,
          // Nine short runs: bars only on a terminal, where they redraw in place.
          onProgress: flags.quiet || !process.stderr.isTTY
            ? undefined
            : (label, done, total) => {
                if (!bars.has(label)) bars.set(label, progressBar(label));
                bars.get(label)!(done, total);
              },
        });
        const passed = rows.filter((r) => r.pass).length;
        process.stdout.write(`${formatSanityTable(rows)}\n${passed} of ${rows.length} checks passed\n`);
        if (flags.out) process.stdout.write(`wrote ${flags.out}/\n`);
        // A failed check is a result, not an error: no message on stderr, just the exit code.
        if (passed !== rows.length) process.exitCode = 1;
      }),
    );
}
